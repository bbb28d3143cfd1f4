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

from uno_session import run


def main():
    path = sys.argv[1]

    def job(office):
        doc = office.load(path)
        libraries = doc.BasicLibraries
        lines = []
        for name in libraries.getElementNames():
            library = libraries.getByName(name)
            for module in library.getElementNames():
                lines.append(f"{name}\t{module}\t{json.dumps(library.getByName(module))}")
        return lines

    for line in run("vba", job):
        print(line, flush=True)
    print("done")


main()
