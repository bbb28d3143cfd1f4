"""The print-ready copy of a form, for its PDF through LibreOffice.

One of our forms is prepared by its kind (:attr:`perfeval_xl.kinds.FormKind.prepare_print`: the
自评表 hides its unused spare rows and its 填报状态 line, the 评分表 fits its rows to their text)
and prints in black and white, as the form's page setup says (LibreOffice's PDF export does not
honour that setting, so the colours are taken out of the copy: the input cells' tint, the
highlights of conditional formats, coloured text). The form itself keeps all of them. A
hand-made form keeps its layout; only the page is set to A4 landscape, one page wide, and its
colours go when its own page setup asks for black and white.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl

from ..form.metadata import read_meta
from ..reader import form_kind


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
    kind = form_kind(read_meta(workbook), workbook.sheetnames)
    if kind is not None:
        kind.prepare_print(workbook)
        black_and_white(workbook[kind.sheet])
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
