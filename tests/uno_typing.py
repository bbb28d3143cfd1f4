"""Type into cells of a form through LibreOffice's user-interface path.

Run with the system Python that has LibreOffice's ``uno`` module (Debian's
python3-uno): ``/usr/bin/python3 uno_typing.py FORM.xlsx CELL=TEXT ...``. Each
CELL gets TEXT by the dispatcher's EnterString, as if typed; the script prints
one line per cell: CELL<TAB>content before<TAB>content after, then "done".
The API's setString would bypass sheet protection; typing does not.
"""

import sys

from uno_session import prop, run


def main():
    path, edits = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]

    def job(office):
        dispatcher = office.smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", office.ctx)
        lines = []
        for index, (address, text) in enumerate(edits):
            # A fresh copy of the document for every cell: headless LibreOffice
            # does not survive two refused edits in a row in one document.
            doc = office.load(path)
            sheet = doc.Sheets.getByIndex(0)
            if index == 0:
                lines.append(f"protected\t{sheet.isProtected()}")
            frame = doc.getCurrentController().getFrame()
            target = sheet.getCellRangeByName(address)
            before = target.getFormula()
            dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", address),))
            dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
            lines.append(f"{address}\t{before}\t{target.getFormula()}")
            office.close(doc)
        return lines

    for line in run("typing", job):
        print(line, flush=True)
    print("done")


main()
