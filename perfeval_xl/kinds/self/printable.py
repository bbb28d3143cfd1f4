"""The 自评表's print preparation (:attr:`perfeval_xl.kinds.FormKind.prepare_print`).

The spare rows nobody used are hidden (each 二级指标 keeps one row, as on the paper form), so a
typical form prints on one A4 landscape page at a readable scale; a long one is one page wide with
the table header repeated; the 填报状态 line, which helps on screen and is not on the official
form, is not printed; rows are as tall as the text typed since the form was made.
"""

from __future__ import annotations

from typing import Any

from ...form.metadata import read_meta
from .indicators import fit_indicator_rows
from .layout import SHEET, Col
from .reader import layout_from_meta

A4_LANDSCAPE_HEIGHT = 595.3
MARGINS = (0.5 + 0.6) * 72 + 24
MIN_SCALE = 0.68
INPUT_COLUMNS = (Col.NAME, Col.TARGET, Col.ACTUAL, Col.WEIGHT, Col.REASON, Col.QSCORE)


def fit_rows(workbook: Any) -> None:
    """Every indicator row of a filled 自评表 (openpyxl) at least as tall as its text."""
    fit_indicator_rows(workbook[SHEET], layout_from_meta(read_meta(workbook)))


def prepare_print(workbook: Any) -> None:
    """The 自评表 of an openpyxl workbook made ready to print (see the module)."""
    ws = workbook[SHEET]
    layout = layout_from_meta(read_meta(workbook))
    ws.row_dimensions[layout.status + 1].hidden = True  # 填报状态: on screen only, not on the official form

    def used(row: int) -> bool:
        return any(ws.cell(row + 1, col + 1).value not in (None, "") for col in INPUT_COLUMNS)

    spans: dict[tuple[str, str], list[int]] = {}
    for place in layout.indicators:
        spans.setdefault((place.level1, place.level2), []).append(place.row)
    for rows in spans.values():
        keep = [r for r in rows if used(r)] or rows[:1]
        for r in rows:
            if r not in keep:
                ws.row_dimensions[r + 1].hidden = True
    fit_indicator_rows(ws, layout)  # tall enough for the text typed since the form was made
    height = 0.0
    for r in range(1, layout.status + 1):
        dim = ws.row_dimensions[r]
        if not dim.hidden:
            height += float(dim.height or 15)
    fits = (A4_LANDSCAPE_HEIGHT - MARGINS) / max(height, 1) >= MIN_SCALE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fits else 0
