"""The worksheet class the form is written with.

XlsxWriter runs some 150 regular expressions over every formula to add the
``_xlfn.`` prefix of newer Excel functions. The form uses none of them (a test
checks every formula against XlsxWriter's own expansion), and with tens of
thousands of formulas per batch those expressions were most of the build time.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet


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
