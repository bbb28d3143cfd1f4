"""Type into cells of a form in LibreOffice, then print it to PDF from the same session.

Run with the system Python that has LibreOffice's ``uno`` module (Debian's
python3-uno): ``/usr/bin/python3 uno_print.py FORM.xlsx OUT.pdf CELL=TEXT ...``.
Each CELL gets TEXT by the dispatcher's EnterString, as if typed, all in one
document (LibreOffice's default settings: a fresh user profile); then the
document is exported as the PDF. Prints one line per cell, CELL<TAB>content
after, the height of its row (1/100 mm), and "done".
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
    path, pdf, edits = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
    with tempfile.TemporaryDirectory() as tmp:
        pipe = f"pe_print_{os.getpid()}"
        proc = subprocess.Popen(
            ["soffice", f"-env:UserInstallation=file://{tmp}", "--headless", "--invisible", "--norestore",
             "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
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
            smgr = ctx.ServiceManager
            desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            sheet = doc.Sheets.getByIndex(0)
            frame = doc.getCurrentController().getFrame()
            for address, text in edits:
                dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", address),))
                dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
                target = sheet.getCellRangeByName(address)
                row = sheet.Rows.getByIndex(target.CellAddress.Row)
                print(f"{address}\t{target.getString()}\t{row.Height}", flush=True)
            doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(pdf)), (prop("FilterName", "calc_pdf_Export"),))
            doc.close(True)
            print("done")
        finally:
            with contextlib.suppress(Exception):
                desktop.terminate()
            proc.terminate()
            proc.wait(timeout=30)


main()
