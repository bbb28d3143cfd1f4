"""Type into cells of a form through LibreOffice's user-interface path.

Run with the system Python that has LibreOffice's ``uno`` module (Debian's
python3-uno): ``/usr/bin/python3 uno_typing.py FORM.xlsx CELL=TEXT ...``. Each
CELL gets TEXT by the dispatcher's EnterString, as if typed; the script prints
one line per cell: CELL<TAB>content before<TAB>content after, then "done".
The API's setString would bypass sheet protection; typing does not.
"""

import contextlib
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
    path, edits = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    with tempfile.TemporaryDirectory() as tmp:
        pipe = f"pe_uno_{os.getpid()}"
        proc = subprocess.Popen(
            ["soffice", f"-env:UserInstallation=file://{tmp}", "--headless", "--invisible", "--norestore",
             f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
            smgr = ctx.ServiceManager
            desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            for index, (address, text) in enumerate(edits):
                # A fresh copy of the document for every cell: headless LibreOffice
                # does not survive two refused edits in a row in one document.
                doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
                sheet = doc.Sheets.getByIndex(0)
                if index == 0:
                    print(f"protected\t{sheet.isProtected()}")
                frame = doc.getCurrentController().getFrame()
                target = sheet.getCellRangeByName(address)
                before = target.getFormula()
                dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", address),))
                dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
                print(f"{address}\t{before}\t{target.getFormula()}", flush=True)
                doc.close(True)
            print("done")
        finally:
            with contextlib.suppress(Exception):  # it may already be gone
                desktop.terminate()
            proc.terminate()
            proc.wait(timeout=30)


main()
