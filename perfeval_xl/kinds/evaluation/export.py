"""The 评分表's part in the exports (:func:`perfeval_xl.export.export_form` writes them, as for the
自评表): its rows fitted to their text, in the values-only copy and in the copy LibreOffice prints
(one page wide, the table's header repeated on every page, as its page setup says). Its report
section is :mod:`.report`.
"""

from __future__ import annotations

from typing import Any

from ...form.metadata import read_meta
from .layout import SHEET, layout_from_meta
from .table import fit_table_rows

__all__ = ["fit_rows", "prepare_print"]


def fit_rows(workbook: Any) -> None:
    """Every table row of a filled 评分表 (openpyxl) at least as tall as its text."""
    fit_table_rows(workbook[SHEET], layout_from_meta(read_meta(workbook)))


def prepare_print(workbook: Any) -> None:
    """The 评分表 of an openpyxl workbook made ready to print: its rows as tall as their text."""
    fit_rows(workbook)
