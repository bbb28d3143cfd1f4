"""Type into cells of a form in LibreOffice, then print it to PDF from the same session.

Run with the system Python that has LibreOffice's ``uno`` module (Debian's
python3-uno): ``/usr/bin/python3 uno_print.py FORM.xlsx OUT.pdf CELL=TEXT ...``.
Each CELL gets TEXT by the dispatcher's EnterString, as if typed, all in one
document (LibreOffice's default settings: a fresh user profile); then the
document is exported as the PDF. Prints one line per cell, CELL<TAB>content
after, the height of its row (1/100 mm), and "done".
"""

import contextlib
import sys

from uno_session import file_url, office, prop


def main():
    path, pdf, edits = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
    with office("print") as (smgr, ctx, desktop):
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        url = file_url(path)
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        sheet = doc.Sheets.getByIndex(0)
        frame = doc.getCurrentController().getFrame()
        for address, text in edits:
            dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", address),))
            dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
            target = sheet.getCellRangeByName(address)
            row = sheet.Rows.getByIndex(target.CellAddress.Row)
            print(f"{address}\t{target.getString()}\t{row.Height}", flush=True)
        doc.storeToURL(file_url(pdf), (prop("FilterName", "calc_pdf_Export"),))
        # The PDF is written: a LibreOffice that dies while closing (it has, under load) changes nothing.
        with contextlib.suppress(Exception):
            doc.close(True)
        print("done")


main()
