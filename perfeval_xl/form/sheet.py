"""The workbook and worksheet classes the form is written with.

- :class:`FormWorksheet` writes formulas as given. XlsxWriter runs some 150
  regular expressions over every formula (the ``_xlfn.`` prefixes of newer
  functions and the dynamic-array check); the form uses none of those functions
  (a test checks every formula against XlsxWriter's own expansion), and with
  hundreds of formulas per form they were most of the build time.
- :class:`FormWorkbook` adds ``<workbookProtection lockStructure="1"/>`` (with the
  legacy password verifier when there is a password), which XlsxWriter does not
  write, so sheets cannot be added, deleted, renamed or unhidden.
"""

from __future__ import annotations

from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import CellFormulaTuple, Worksheet

from .protection import legacy_hash


class FormWorksheet(Worksheet):  # type: ignore[misc]
    """An XlsxWriter worksheet whose formulas are written as given."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula

    def _write_formula(self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0) -> int:
        if self._check_dimensions(row, col):
            return -1
        self.table[row][col] = CellFormulaTuple(self._prepare_formula(formula), cell_format, value)
        return 0


class FormWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """An XlsxWriter workbook with its structure protected."""

    protection_password: str | None = None

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attributes: list[tuple[str, Any]] = []
        if self.protection_password:
            attributes.append(("workbookPassword", legacy_hash(self.protection_password)))
        attributes.append(("lockStructure", 1))
        self._xml_empty_tag("workbookProtection", attributes)
