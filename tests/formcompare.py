"""Two forms of one spec written in different modes: the same layout, locking, validation,
names and values everywhere except the cells whose results call functions."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from perfeval_xl.form.addresses import cell
from perfeval_xl.kinds.self.layout import SHEET, Col, FormLayout

UDF_COLUMNS = (Col.SCORE, Col.DEVIATION)


def udf_cells(layout: FormLayout) -> set[str]:
    """The cells of the 自评表 whose results call the functions in the xlwings and lite modes."""
    cells = {cell(p.row, c) for p in layout.indicators for c in UDF_COLUMNS}
    return cells | {cell(layout.funds["total"], Col.REASON), cell(layout.grade, Col.WEIGHT)}


def assert_same_form(native: Path, other: Path, skip: set[str], extra_names: set[str],
                     skip_elsewhere: frozenset[tuple[str, str]] = frozenset()) -> openpyxl.Workbook:
    """Compare ``other`` with the native form cell by cell, except the 自评表's cells ``skip``
    and the (sheet, cell) pairs ``skip_elsewhere``; returns ``other`` as loaded."""
    a, b = openpyxl.load_workbook(native), openpyxl.load_workbook(other)
    assert a.sheetnames == b.sheetnames
    assert set(b.defined_names) == set(a.defined_names) | extra_names
    for name in a.defined_names:
        assert a.defined_names[name].attr_text == b.defined_names[name].attr_text
    for title in a.sheetnames:
        wa, wb = a[title], b[title]
        assert sorted(map(str, wa.merged_cells.ranges)) == sorted(map(str, wb.merged_cells.ranges))
        assert wa.protection.sheet == wb.protection.sheet and wa.sheet_state == wb.sheet_state
        assert [str(d.sqref) + str(d.formula1) for d in wa.data_validations.dataValidation] == \
            [str(d.sqref) + str(d.formula1) for d in wb.data_validations.dataValidation]
        for row_a, row_b in zip(wa.iter_rows(), wb.iter_rows(), strict=True):
            for ca, cb in zip(row_a, row_b, strict=True):
                assert (ca.protection.locked, ca.protection.hidden) == (cb.protection.locked, cb.protection.hidden)
                assert ca.number_format == cb.number_format
                if (title, ca.coordinate) in skip_elsewhere or (title == SHEET and ca.coordinate in skip):
                    continue
                if title != "_meta":
                    assert ca.value == cb.value, (title, ca.coordinate)
    assert b.security.lockStructure
    return b


def stored_and_recalculated(form: Path, recalculated: Path) -> list[tuple[str, object, object]]:
    """(sheet!cell, stored result, recalculated result) of every formula cell of ``form`` (but _meta's
    probe): what a form opens showing against what a spreadsheet program computes."""
    stored = openpyxl.load_workbook(form, data_only=True)
    formulas = openpyxl.load_workbook(form)
    fresh = openpyxl.load_workbook(recalculated, data_only=True)
    return [(f"{ws.title}!{c.coordinate}", stored[ws.title][c.coordinate].value, fresh[ws.title][c.coordinate].value)
            for ws in formulas.worksheets if ws.title != "_meta"
            for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
