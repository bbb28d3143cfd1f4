"""List the VBA modules LibreOffice imports from a workbook.

Run with the system Python that has LibreOffice's ``uno`` module:
``/usr/bin/python3 uno_vba.py FORM.xlsm``. LibreOffice reads an .xlsm's
vbaProject.bin with its own VBA importer (Tools > Options > Load/Save > VBA
Properties: "Load Basic code", on by default) and keeps each module as Basic
source. Prints one line per module: LIBRARY<TAB>MODULE<TAB>source as JSON,
then "done".
"""

import json
import sys

from uno_session import file_url, office, prop


def main():
    path = sys.argv[1]
    with office("vba") as (_smgr, _ctx, desktop):
        url = file_url(path)
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        libraries = doc.BasicLibraries
        for name in libraries.getElementNames():
            library = libraries.getByName(name)
            for module in library.getElementNames():
                print(f"{name}\t{module}\t{json.dumps(library.getByName(module))}", flush=True)
        doc.close(True)
        print("done")


main()
