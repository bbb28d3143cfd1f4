"""How the review's sheets look on screen and on paper, said once for every sheet.

Each sheet is a table of :class:`Column` (title, width in Excel's character units,
cell format, whether its text wraps). Every sheet prints on A4 landscape, fitted to
one page wide, with its header row repeated on every page, margins, a page header
holding the sheet's title and the run date, and 第 N 页，共 M 页 in the footer.

xlsxwriter writes no automatic row heights, and Excel and LibreOffice only grow a
row for wrapped text when the file asks them to, so every row gets the height its
longest wrapped text needs (:mod:`perfeval_xl.form.textfit`), computed as it is
written: a long 填报状态 or 问题 never runs into the next row or is cut off.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from ..form.textfit import text_width
from .fastsheet import Prepared, ReviewWorksheet

FONT = "宋体"
TITLE_FONT = "黑体"
FONT_SIZE = 10
# The workbook's own default font: column widths are counted in its digits, so with 宋体 10 (digits
# 7 pixels wide, as Calibri 11's) a width means the same in Excel and in LibreOffice (which, lacking
# Calibri, would measure them in a wider substitute and print every column a third wider).
DEFAULT_FONT = {"font_name": FONT, "font_size": FONT_SIZE}
# Points per line of 10-point text, and the cell's padding: LibreOffice with Noto CJK (宋体 here) wants
# 14.2 points a line plus 1.4 (its optimal row heights, measured: 29.8 for two lines, 44.0 for three);
# Excel with SimSun about 13.5 a line.
LINE_HEIGHT = 14.4
PADDING = 2.0
MIN_ROW_HEIGHT = 16.0
HEADER_BOLD_FACTOR = 1.08  # bold CJK is a little wider
FILTER_BUTTON = 2.5  # character units LibreOffice keeps free for an autofilter's button in a header cell
BORDER_COLOUR = "#A6A6A6"
HEADER_FILL = "#D9E1F2"

PAPER_A4 = 9
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.7, "bottom": 0.6}  # inches
HEADER_MARGIN = 0.3


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: tables of them key caches
class Column:
    """One column of a review sheet. A column with ``fit`` = (lines, widest) gets, between its
    ``width`` and ``widest``, the width at which most of its texts take at most ``lines`` lines
    (:func:`fitted`): short texts give a narrow column and a larger print, long ones a wide column
    rather than rows many lines tall."""

    title: str
    width: float  # Excel character units
    fmt: str = "text"  # a key of :func:`formats`
    wrap: bool = True  # text that may be longer than the column wraps (numbers never do)
    fit: tuple[int, float] | None = None


FIT_SHARE = 0.9  # the share of a fitted column's texts that must keep within its lines
FIT_SAMPLE = 2000  # texts looked at per column (evenly spread): enough for a percentile


def fitted(columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> tuple[Column, ...]:
    """``columns`` with the widths of fitted columns set from ``rows`` (the values, in column order)."""
    step = max(1, len(rows) // FIT_SAMPLE)
    out = []
    for i, column in enumerate(columns):
        if column.fit is None:
            out.append(column)
            continue
        lines, widest = column.fit
        widths = sorted(text_width(str(r[i])) for r in rows[::step] if isinstance(r[i], str) and r[i])
        if not widths:
            out.append(column)
            continue
        # a few units more than width ÷ lines: words do not split, and a cell has a margin
        needed = widths[min(len(widths) - 1, int(len(widths) * FIT_SHARE))] / lines + 2.5
        out.append(replace(column, width=float(min(widest, max(column.width, math.ceil(needed))))))
    return tuple(out)


def formats(workbook: Any) -> dict[str, Any]:
    """The review's cell formats, by name."""
    base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter", "border": 1,
            "border_color": BORDER_COLOUR}

    def f(**extra: Any) -> Any:
        return workbook.add_format({**base, **extra})

    total = {"bold": True, "top": 2, "top_color": "#000000"}
    return {
        "head": f(bold=True, bg_color=HEADER_FILL, text_wrap=True, align="center"),
        "text": f(text_wrap=True), "center": f(align="center", text_wrap=True),
        "line": f(), "line_center": f(align="center"),  # never wrapped: a screen-only text runs on to the right
        "num": f(num_format="0.00"), "amount": f(num_format="#,##0.00"),
        "pct": f(num_format="0.00%"), "dev": f(num_format='+0.0%;-0.0%;"0"'), "int": f(num_format="0"),
        "partial": f(num_format='0.00"（未完成）"', font_color="#7F7F7F"),
        "total": f(num_format="0.00", **total), "total_amount": f(num_format="#,##0.00", **total),
        "total_text": f(text_wrap=True, **total), "total_pct": f(num_format="0.00%", **total),
        "total_int": f(num_format="0", **total),
        "title": workbook.add_format({"font_name": TITLE_FONT, "font_size": 14, "bold": True}),
        "plain": workbook.add_format({"font_name": FONT, "font_size": FONT_SIZE}),
        "key": f(bold=True, bg_color=HEADER_FILL, text_wrap=True),
        "bad": workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "warn": workbook.add_format({"bg_color": "#FFEB9C"}),
    }


def add_sheet(workbook: Any, name: str) -> ReviewWorksheet:
    """A review sheet (rows written whole, see :mod:`.fastsheet`)."""
    sheet: ReviewWorksheet = workbook.add_worksheet(name, worksheet_class=ReviewWorksheet)
    return sheet


_TOKEN = re.compile(r"[\x21-\x7e\u00b0-\u00ff]+|\s|.", re.DOTALL)  # an ASCII word is never split
_NO_LINE_START = frozenset("，。；：、！？）》」』】〕%,.;:!?)]")  # pulled back to the line before


@lru_cache(maxsize=4096)
def _char_width(character: str) -> float:
    return text_width(character)


@lru_cache(maxsize=1 << 14)
def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to, laid out word by word as a spreadsheet does: a CJK character may
    start a line, a run of Latin letters and digits moves whole to the next line (or is cut
    when longer than a line), closing punctuation stays with the character before it. Widths
    as :func:`perfeval_xl.form.textfit.text_width` counts them."""
    usable = max(width - 1.0, 1.0)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for token in _TOKEN.findall(paragraph):
            size = len(token) if len(token) > 1 else _char_width(token)  # a run of Latin is half-width
            if used + size <= usable or (token in _NO_LINE_START and used):
                used += size
            elif token.isspace():
                continue  # a space at the end of a line takes no room
            elif size > usable:  # a word longer than a line
                lines += int((used + size) // usable)
                used = (used + size) % usable
            else:
                lines += 1
                used = size
    return max(lines, 1)


_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                   r"\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
_WORD = re.compile(r"[\x21-\x7e\u00b0-\u00ff]+")


@lru_cache(maxsize=1 << 14)
def _lines_at_most(text: str, width: float) -> int:
    """A bound on :func:`_lines` found without laying the text out, for the long tables.

    Laid out greedily, every line but the last holds more than (usable width − the widest word),
    so lines ≤ ⌊total ÷ (usable − widest)⌋ + 1. The widths are counted by regular expressions
    (the CJK blocks as two units, as text_width's wide characters); a text with a line break, or
    whose words are too long for the bound to say anything, is laid out.
    """
    usable = max(width - 1.0, 1.0)
    total = len(text) + (WIDEST_CHARACTER - 1.0) * len(_WIDE.findall(text))
    if total <= usable:
        return 1
    widest = max(WIDEST_CHARACTER, max(map(len, _WORD.findall(text)), default=0))
    if "\n" in text or usable - widest < usable / 2:
        return _lines(text, width)
    return int(total // (usable - widest)) + 1


def text_lines(value: object, width: float, factor: float = 1.0) -> int:
    """Lines a value takes in a wrapping cell ``width`` units wide (the same texts recur: cached)."""
    if value is None or value == "" or not isinstance(value, str):
        return 1
    return _lines(value, width / factor)


def height(lines: int) -> float:
    return max(MIN_ROW_HEIGHT, lines * LINE_HEIGHT + PADDING)


WIDEST_CHARACTER = 1.8  # character units of a CJK character (text_width's widest)


class Table:
    """Rows of one table of a sheet: each row as tall as its text, written whole."""

    def __init__(self, sheet: ReviewWorksheet, fmt: dict[str, Any], columns: Sequence[Column],
                 first_col: int = 0, exact: bool = True) -> None:
        """``exact=False`` for a table of tens of thousands of rows: heights from a bound on the lines
        (:func:`_lines_at_most`, never too short, now and then a line taller than needed)."""
        self.sheet, self.fmt, self.columns, self.first_col = sheet, fmt, tuple(columns), first_col
        self.lines = _lines if exact else _lines_at_most
        # (index, width, the longest text that surely fits on one line) of the wrapping columns
        self.wrapping = [(i, c.width, int((c.width - 1.0) / WIDEST_CHARACTER))
                         for i, c in enumerate(self.columns) if c.wrap]
        self.prepared: dict[tuple[tuple[int, str], ...], Prepared] = {}

    def height(self, values: Sequence[object]) -> float:
        """The height (points) of a row: its tallest wrapped text."""
        lines = 1
        for i, width, short in self.wrapping:
            value = values[i]
            if value.__class__ is str and len(value) > short:
                found = self.lines(value, width)
                if found > lines:
                    lines = found
        return height(lines)

    def row(self, row: int, values: Sequence[object], override: dict[int, str] | None = None) -> None:
        """Write one row; ``override`` gives some columns another format."""
        key = tuple(sorted(override.items())) if override else ()
        prepared = self.prepared.get(key)
        if prepared is None:
            names = [override.get(i, c.fmt) if override else c.fmt for i, c in enumerate(self.columns)]
            prepared = self.prepared[key] = self.sheet.prepare([self.fmt[n] for n in names], self.first_col)
        self.sheet.write_prepared(row, self.height(values), values, prepared)


def row_height(columns: Sequence[Column], values: Sequence[object]) -> float:
    """The height (points) of a row of ``columns``: its tallest wrapped text."""
    return height(max((_lines(v, c.width) for c, v in zip(columns, values, strict=False)
                       if c.wrap and isinstance(v, str) and v), default=1))


def write_row(sheet: ReviewWorksheet, fmt: dict[str, Any], row: int, columns: Sequence[Column],
              values: Sequence[object], override: dict[int, str] | None = None, first_col: int = 0) -> None:
    """One row of a short table (see :class:`Table` for a long one)."""
    Table(sheet, fmt, columns, first_col).row(row, values, override)


def write_header(sheet: Any, fmt: dict[str, Any], columns: Sequence[Column], row: int = 0,
                 first_col: int = 0, freeze: bool = True) -> None:
    """Column widths and the header row (wrapped, as tall as its longest title); frozen below it."""
    lines = 1
    for offset, column in enumerate(columns):
        sheet.set_column(first_col + offset, first_col + offset, column.width)
        lines = max(lines, text_lines(column.title, column.width - FILTER_BUTTON, HEADER_BOLD_FACTOR))
    sheet.set_row(row, height(lines))
    for offset, column in enumerate(columns):
        sheet.write_string(row, first_col + offset, column.title, fmt["head"])
    if freeze:
        sheet.freeze_panes(row + 1, 0)


def escape_header(text: str) -> str:
    """Text for an Excel page header: & starts a code there."""
    return text.replace("&", "&&")


def setup_print(sheet: Any, title: str, run_date: str, header_row: int | None = 0,
                scale: int | None = None) -> None:
    """A4 landscape, one page wide, the header row on every page, the title and run date above,
    page numbers below. With ``scale`` (percent, computed by the caller to make the sheet one page
    wide) instead of fitting: Excel and LibreOffice honour manual page breaks only then."""
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    if scale is None:
        sheet.fit_to_pages(1, 0)
    else:
        sheet.set_print_scale(scale)
    sheet.set_margins(**MARGINS)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.set_header(f'&L&"{TITLE_FONT},Bold"&12{escape_header(title)}'
                     f'&R&"{FONT},Regular"&9{escape_header(run_date)}', {"margin": HEADER_MARGIN})
    sheet.set_footer(f'&C&"{FONT},Regular"&9第 &P 页，共 &N 页', {"margin": HEADER_MARGIN})
    sheet.center_horizontally()


