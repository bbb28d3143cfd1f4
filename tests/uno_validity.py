"""Check values against the data validation of cells, with LibreOffice's own validity test.

Run with the system Python that has LibreOffice's ``uno`` module (Debian's python3-uno):
``/usr/bin/python3 uno_validity.py FORM.xlsx CELL=NUMBER ...``. Each CELL gets NUMBER through the
API, then LibreOffice's detective marks the invalid cells of the sheet (Tools ▸ Detective ▸ Mark
Invalid Data: the test the typing path applies), and the cell is emptied again. Headless
LibreOffice does not apply validation to text entered by the dispatcher, so this is how the
rule itself is evaluated by the real engine. Prints one line per value: CELL, valid/invalid, the
validation's alert style, its error message and whether it is shown; then "done".
"""

import sys

from uno_session import run


def main():
    path, tries = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]

    def job(office):
        doc = office.load(path)
        sheet = doc.Sheets.getByIndex(0)
        sheet.clearArrows()
        assert not sheet.showInvalid(), "the form has invalid cells before anything is typed"
        lines = []
        for address, number in tries:
            target = sheet.getCellRangeByName(address)
            before = target.getFormula()
            target.setValue(float(number))
            sheet.clearArrows()
            invalid = sheet.showInvalid()
            rule = target.Validation
            message = rule.ErrorMessage.replace("\t", " ").replace("\n", " ")
            lines.append(f"{address}\t{'invalid' if invalid else 'valid'}\t{rule.ErrorAlertStyle.value}\t{message}\t"
                         f"{rule.ShowErrorMessage}")
            target.setFormula(before)
        office.close(doc)
        return lines

    for line in run("validity", job):
        print(line, flush=True)
    print("done")


main()
