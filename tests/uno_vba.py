"""List the VBA modules LibreOffice imports from a workbook.

Run with the system Python that has LibreOffice's ``uno`` module:
``/usr/bin/python3 uno_vba.py FORM.xlsm``. LibreOffice reads an .xlsm's
vbaProject.bin with its own VBA importer (Tools > Options > Load/Save > VBA
Properties: "Load Basic code", on by default) and keeps each module as Basic
source. Prints one line per module: LIBRARY<TAB>MODULE<TAB>source as JSON,
then "done".
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    path = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        pipe = f"pe_vba_{os.getpid()}"
        proc = subprocess.Popen(
            ["soffice", f"-env:UserInstallation=file://{tmp}", "--headless", "--invisible", "--norestore",
             f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        desktop = None
        try:
            local = uno.getComponentContext()
            resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
            ctx = None
            for _ in range(120):
                try:
                    ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                    break
                except Exception:
                    time.sleep(0.5)
            desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            libraries = doc.BasicLibraries
            for name in libraries.getElementNames():
                library = libraries.getByName(name)
                for module in library.getElementNames():
                    print(f"{name}\t{module}\t{json.dumps(library.getByName(module))}", flush=True)
            doc.close(True)
            print("done")
        finally:
            with contextlib.suppress(Exception):
                desktop.terminate()
            proc.terminate()
            proc.wait(timeout=30)


main()
