"""Compare the row heights a workbook was written with to the heights LibreOffice wants for their text.

Run with the system Python that has LibreOffice's ``uno`` module (Debian's python3-uno):
``/usr/bin/python3 uno_heights.py BOOK.xlsx SHEET ...``. For every row of each SHEET's used
area: its height as written, then LibreOffice's optimal height for its contents (the height
at which no wrapped text is cut off). Prints one line per row that is too short,
``SHEET<TAB>ROW<TAB>written<TAB>wanted`` (1/100 mm), a line ``SHEET<TAB>rows<TAB>N`` per sheet,
and "done".
"""

import contextlib
import sys

from uno_session import file_url, office, prop

TOLERANCE = 30  # 1/100 mm: rounding of points to LibreOffice's units


def main():
    path, sheets = sys.argv[1], sys.argv[2:]
    with office("heights") as (_smgr, _ctx, desktop):
        doc = desktop.loadComponentFromURL(file_url(path), "_blank", 0, (prop("Hidden", True),))
        for name in sheets:
            sheet = doc.Sheets.getByName(name)
            cursor = sheet.createCursor()
            cursor.gotoEndOfUsedArea(False)
            last = cursor.RangeAddress.EndRow
            rows = sheet.Rows
            written = [rows.getByIndex(r).Height for r in range(last + 1)]
            sheet.getRows().OptimalHeight = True
            wanted = [rows.getByIndex(r).Height for r in range(last + 1)]
            for r, (ours, theirs) in enumerate(zip(written, wanted, strict=True)):
                if theirs > ours + TOLERANCE:
                    print(f"{name}\t{r + 1}\t{ours}\t{theirs}", flush=True)
            print(f"{name}\trows\t{last + 1}", flush=True)
        with contextlib.suppress(Exception):  # the heights are read: closing changes nothing
            doc.close(True)
        print("done")


main()
