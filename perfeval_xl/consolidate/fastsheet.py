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
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]")
_COLUMNS = [xl_col_to_name(c) for c in range(256)]


def _text(value: str) -> str:
    """Character data of an inline string as XlsxWriter (and Excel) escape it."""
    if _SPECIAL.search(value) is None:
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _ESCAPED_ESCAPE.sub(r"_x005F\1", value)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


class ReviewWorksheet(Worksheet):  # type: ignore[misc]
    """An XlsxWriter worksheet (constant-memory mode) that can write a whole row in one call."""

    def write_cells(self, row: int, height: float | None, values: Sequence[object],
                    formats: Sequence[Any], first_col: int = 0) -> None:
        """Write ``values`` (str, int/float, or None/"" for a formatted blank) from ``first_col`` on,
        each with its format, in a row ``height`` points tall (None: the default height).

        Rows must come in increasing order, as in XlsxWriter's constant-memory mode; the row
        must not have been given cells or a height through XlsxWriter's own methods.
        """
        if not self.constant_memory:
            raise RuntimeError("write_cells needs constant_memory mode")
        if row > self.previous_row or self.table:
            self._write_single_row(row)  # whatever XlsxWriter still holds goes first
        last_col = first_col + len(values) - 1
        self._check_dimensions(row, first_col)
        self._check_dimensions(row, last_col)
        number = row + 1
        if height is None:
            parts = [f'<row r="{number}">']
        else:
            points = int(height * 4.0 / 3.0 + 0.5) * 0.75  # whole pixels, as XlsxWriter stores heights
            parts = [f'<row r="{number}" ht="{points:.16g}">']
        for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=first_col):
            ref = f"{_COLUMNS[col]}{number}"
            style = fmt._get_xf_index() if fmt is not None else 0
            head = f'<c r="{ref}" s="{style}"' if style else f'<c r="{ref}"'
            if value is None or value == "":
                if style:
                    parts.append(head + "/>")
            elif isinstance(value, str):
                space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
                parts.append(f'{head} t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>')
            elif isinstance(value, bool):
                parts.append(f'{head} t="b"><v>{int(value)}</v></c>')
            else:
                parts.append(f"{head}><v>{value:.16G}</v></c>")
        parts.append("</row>")
        self.fh.write("".join(parts))
        self.previous_row = row
