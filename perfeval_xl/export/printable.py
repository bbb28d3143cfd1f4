"""The print-ready copy of a form, and its PDF through LibreOffice.

For one of our forms, the spare rows nobody used are hidden (each 二级指标 keeps
one row, as on the paper form), so a typical form prints on one A4 landscape
page at a readable scale; a long one is one page wide with the table header
repeated. The copy prints in black and white, as the form's page setup says
(LibreOffice's PDF export does not honour that setting, so the colours are taken
out of the copy: the input cells' tint, the highlights of conditional formats, coloured
text), and without the 填报状态 line, which helps on screen and is not on the
official form. The form itself keeps all of them. A hand-made form keeps its
layout; only the page is set to A4 landscape, one page wide, and its colours go
when its own page setup asks for black and white.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl

from ..form.indicators import fit_indicator_rows
from ..form.layout import SHEET, Col
from ..form.metadata import read_meta
from ..reader.ours import is_ours, layout_from_meta

A4_LANDSCAPE_HEIGHT = 595.3
MARGINS = (0.5 + 0.6) * 72 + 24
MIN_SCALE = 0.68
INPUT_COLUMNS = (Col.NAME, Col.TARGET, Col.ACTUAL, Col.WEIGHT, Col.REASON, Col.QSCORE)


def _load(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, keep_vba=False)


def printable_copy(form: Path, dest: Path, sheets: Sequence[str] | None = None) -> Path:
    """Write the copy LibreOffice will print to ``dest`` (.xlsx).

    With ``sheets`` (the forms read from the workbook, or the one chosen with
    --sheet) every other sheet is hidden, so that only those forms are printed.
    """
    workbook = _load(form)
    if sheets:
        _only(workbook, sheets)
    if is_ours(workbook):
        _compact_ours(workbook)
        black_and_white(workbook[SHEET])
    else:
        for ws in workbook.worksheets:
            if ws.sheet_state == "visible":
                ws.page_setup.orientation = "landscape"
                ws.page_setup.paperSize = 9
                ws.sheet_properties.pageSetUpPr.fitToPage = True
                ws.page_setup.fitToWidth = 1
                ws.page_setup.fitToHeight = 0
                if ws.print_options is not None and ws.page_setup.blackAndWhite:
                    black_and_white(ws)
    dest.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(dest)
    return dest


def _only(workbook: Any, sheets: Sequence[str]) -> None:
    """Hide every sheet but ``sheets`` (LibreOffice prints the visible sheets)."""
    keep = [ws for ws in workbook.worksheets if ws.title in sheets]
    if not keep:
        return
    workbook.active = workbook.worksheets.index(keep[0])
    for ws in workbook.worksheets:
        ws.sheet_view.tabSelected = ws is keep[0]
        if ws not in keep and ws.sheet_state == "visible":
            ws.sheet_state = "hidden"
        elif ws in keep:
            ws.sheet_state = "visible"


def black_and_white(ws: Any) -> None:
    """Take every colour out of a sheet: fills, conditional formats (the highlights), coloured text."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.styles import PatternFill

    ws.conditional_formatting = ConditionalFormattingList()
    plain = PatternFill(fill_type=None)
    for row in ws.iter_rows():
        for c in row:
            if c.has_style:
                if c.fill is not None and c.fill.fill_type is not None:
                    c.fill = plain
                if c.font is not None and c.font.color is not None:
                    font = copy(c.font)
                    font.color = None
                    c.font = font


def _compact_ours(workbook: Any) -> None:
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
