"""The worksheet class the review is written with: whole rows serialised at once.

The review of 10,000 forms has some 120,000 indicator rows, about two million
cells. XlsxWriter's ``write()`` in constant-memory mode costs some 8–15 µs a cell
(argument checks, a cell tuple, a row buffer, regular expressions over every
string), which alone would take far longer than the five seconds the review may
take. :meth:`ReviewWorksheet.write_cells` writes one row's XML directly to the
same temporary file XlsxWriter streams rows to, exactly as XlsxWriter writes such a
row (inline strings, as its constant-memory mode does; escaping of &, <, > and of
control characters as ``_xHHHH_``), and keeps XlsxWriter's bookkeeping (dimensions,
the previous row) so that its own calls — headers, formulas, merged cells — can be
mixed in, in row order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]")
_COLUMNS = [xl_col_to_name(c) for c in range(256)]


@lru_cache(maxsize=1 << 14)  # names, paths and labels recur on every row of a project
def _inline(value: str) -> str:
    """The rest of an inline string cell after its opening tag's attributes."""
    space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'


def _text(value: str) -> str:
    """Character data of an inline string as XlsxWriter (and Excel) escape it."""
    if _SPECIAL.search(value) is None:
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _ESCAPED_ESCAPE.sub(r"_x005F\1", value)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


class ReviewWorksheet(Worksheet):  # type: ignore[misc]
    """An XlsxWriter worksheet (constant-memory mode) that can write a whole row in one call."""

    previous_row: int  # XlsxWriter's: the row it will write next in constant-memory mode

    def __init__(self) -> None:
        super().__init__()
        self.prepared: dict[Any, Prepared] = {}  # by the caller's key
        self.pending: list[str] = []  # rows written here, not yet in XlsxWriter's file

    def _flush(self) -> None:
        if self.pending:
            self.fh.write("".join(self.pending))
            self.pending.clear()

    def _write_single_row(self, current_row_num: int = 0) -> None:
        # XlsxWriter calls this before every row it writes (and, with no row, at the end): our rows
        # go to the file first. When it holds nothing for the row, only its bookkeeping moves on.
        row = self.previous_row
        if self.table or row in self.row_info or row in self.comments or not current_row_num:
            self._flush()
            super()._write_single_row(current_row_num)
        else:
            self.previous_row = current_row_num

    def write_cells(self, row: int, height: float | None, values: Sequence[object],
                    formats: Sequence[Any], first_col: int = 0) -> None:
        """Write ``values`` (str, int/float, or None/"" for a formatted blank) from ``first_col`` on,
        each with its format, in a row ``height`` points tall (None: the default height).

        Rows must come in increasing order, as in XlsxWriter's constant-memory mode; the row
        must not have been given cells or a height through XlsxWriter's own methods. The row's
        height is not marked custom, as the form's growing rows: Excel and LibreOffice fit a row
        again when its text is edited.
        """
        self.write_prepared(row, height, values, self.prepare(formats, first_col))

    def prepare(self, formats: Sequence[Any], first_col: int = 0) -> Prepared:
        """The opening of each cell of a row of ``formats`` (its style; no address, see below)."""
        openings = []
        for fmt in formats:
            style = fmt._get_xf_index() if fmt is not None else 0
            openings.append(f'<c s="{style}"' if style else "<c")
        return Prepared(first_col, openings, [{} for _ in openings], [[_UNSET, ""] for _ in openings])

    def write_prepared(self, row: int, height: float | None, values: Sequence[object], prepared: Prepared) -> None:
        """:meth:`write_cells` with the formats' parts made once by :meth:`prepare` (rows of a table).

        Every cell of the row is written, blank ones too, one after the other from ``first_col``:
        the cells carry no ``r`` address (it is optional, ECMA-376 §18.3.1.4; a reader takes each
        cell as the one after the previous), so a cell's XML depends only on its value and
        format, and the cells that repeat on every row of a project are serialised once.
        A row that does not start in column A gives its first cell's address.
        """
        if not self.constant_memory:
            raise RuntimeError("write_cells needs constant_memory mode")
        if row > self.previous_row or self.table:
            self._write_single_row(row)  # whatever XlsxWriter still holds goes first
        first_col, openings, caches, lasts = prepared
        if len(openings) != len(values):
            raise ValueError("one format per value")
        self._check_dimensions(row, first_col)
        self._check_dimensions(row, first_col + len(values) - 1)
        number = row + 1
        if height is None:
            parts = [f'<row r="{number}">']
        else:
            points = int(height * 4.0 / 3.0 + 0.5) * 0.75  # whole pixels, as XlsxWriter stores heights
            parts = [f'<row r="{number}" ht="{points:.16g}">']
        append = parts.append
        for opening, cache, last, value in zip(openings, caches, lasts, values, strict=True):
            if last[0] is value:  # the same object as on the row before: a project's name, path …
                append(last[1])
                continue
            xml = cache.get(value)
            if xml is None or value.__class__ is bool:  # True == 1 as a key: booleans are not kept
                xml = _cell(opening, value)
                if len(cache) < CACHE_PER_COLUMN and value.__class__ is not bool:
                    cache[value] = xml
            last[0], last[1] = value, xml
            append(xml)
        if first_col:
            parts[1] = parts[1].replace("<c", f'<c r="{_COLUMNS[first_col]}{number}"', 1)
        append("</row>")
        self.pending.append("".join(parts))
        if len(self.pending) >= FLUSH_ROWS:
            self._flush()
        self.previous_row = row


FLUSH_ROWS = 512  # rows joined and written at once
CACHE_PER_COLUMN = 512  # values whose XML is kept per column of a table: labels, units, small numbers recur
_UNSET = object()


class Prepared(NamedTuple):
    """A table's cell openings, and per column the XML of values already written and of the last one."""

    first_col: int
    openings: list[str]
    caches: list[dict[object, str]]
    lasts: list[list[Any]]  # [value, its XML]


def _cell(opening: str, value: object) -> str:
    """One cell's XML (without address)."""
    kind = value.__class__
    if value is None or (kind is str and not value):
        return f"{opening}/>"
    if kind is str:
        return f"{opening}{_inline(value)}"
    if kind is bool:
        return f'{opening} t="b"><v>{int(value)}</v></c>'  # type: ignore[call-overload]
    return f"{opening}><v>{value:.16G}</v></c>"
