"""Compare the row heights a workbook was written with to the heights LibreOffice wants for their text.

Run with the system Python that has LibreOffice's ``uno`` module (Debian's python3-uno):
``/usr/bin/python3 uno_heights.py BOOK.xlsx SHEET ...``. For every row of each SHEET's used
area: its height as written, then LibreOffice's optimal height for its contents (the height
at which no wrapped text is cut off). Prints one line per row that is too short,
``SHEET<TAB>ROW<TAB>written<TAB>wanted`` (1/100 mm), a line ``SHEET<TAB>rows<TAB>N`` per sheet,
and "done".
"""

import sys

from uno_session import run

TOLERANCE = 30  # 1/100 mm: rounding of points to LibreOffice's units


def main():
    path, sheets = sys.argv[1], sys.argv[2:]

    def job(office):
        doc = office.load(path)
        lines = []
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
                    lines.append(f"{name}\t{r + 1}\t{ours}\t{theirs}")
            lines.append(f"{name}\trows\t{last + 1}")
        office.close(doc)  # the heights are read: closing changes nothing
        return lines

    for line in run("heights", job):
        print(line, flush=True)
    print("done")


main()
