"""Type into cells of a form in LibreOffice, then print it to PDF from the same session.

Run with the system Python that has LibreOffice's ``uno`` module (Debian's
python3-uno): ``/usr/bin/python3 uno_print.py FORM.xlsx OUT.pdf CELL=TEXT ...``.
Each CELL gets TEXT by the dispatcher's EnterString, as if typed, all in one
document (LibreOffice's default settings: a fresh user profile); then the
document is exported as the PDF. Prints one line per cell, CELL<TAB>content
after, the height of its row (1/100 mm), and "done".
"""

import sys

from uno_session import file_url, prop, run


def main():
    path, pdf, edits = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]

    def job(office):
        dispatcher = office.smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", office.ctx)
        doc = office.load(path)
        sheet = doc.Sheets.getByIndex(0)
        frame = doc.getCurrentController().getFrame()
        lines = []
        for address, text in edits:
            dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", address),))
            dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
            target = sheet.getCellRangeByName(address)
            row = sheet.Rows.getByIndex(target.CellAddress.Row)
            lines.append(f"{address}\t{target.getString()}\t{row.Height}")
        doc.storeToURL(file_url(pdf), (prop("FilterName", "calc_pdf_Export"),))
        office.close(doc)
        return lines

    for line in run("print", job):
        print(line)
    print("done")


main()
