"""A worksheet wrapper that remembers what was written where.

The fingerprint of a form's locked content is computed from these records when
the form is written, and from the file (openpyxl) when it is read back: both see
the same cells with the same values.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet


class RecordingSheet:
    """Delegates to an xlsxwriter Worksheet; records (row, col) -> (content, locked)."""

    def __init__(self, sheet: Worksheet) -> None:
        self._sheet = sheet
        self.records: dict[tuple[int, int], tuple[object, bool]] = {}
        self.unlocked: set[tuple[int, int]] = set()  # input cells, blank or not
        self.heights: dict[int, float] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sheet, name)

    @property
    def name(self) -> str:
        return str(self._sheet.name)

    def _record(self, row: int, col: int, content: object, fmt: Format | None) -> None:
        locked = True if fmt is None else bool(getattr(fmt, "locked", 1))
        if locked:
            self.unlocked.discard((row, col))
        else:
            self.unlocked.add((row, col))
        if content is None or content == "":
            self.records.pop((row, col), None)
        else:
            self.records[(row, col)] = (content, locked)

    def write(self, row: int, col: int, data: object, fmt: Format | None = None) -> Any:
        self._record(row, col, data, fmt)
        return self._sheet.write(row, col, data, fmt)

    def set_row(self, row: int, height: float | None = None, *args: Any, **kwargs: Any) -> Any:
        if height is not None:
            self.heights[row] = height
        return self._sheet.set_row(row, height, *args, **kwargs)

    def set_row_growing(self, row: int, height: float) -> None:
        """A row whose height grows with typed text (see sheet.FormWorksheet)."""
        self.heights[row] = height
        self._sheet.set_row_growing(row, height)

    def write_row(self, row: int, col: int, data: list[object], fmt: Format | None = None) -> None:
        for offset, item in enumerate(data):
            self.write(row, col + offset, item, fmt)

    def write_string(self, row: int, col: int, data: str, fmt: Format | None = None) -> Any:
        self._record(row, col, data, fmt)
        return self._sheet.write_string(row, col, data, fmt)

    def write_number(self, row: int, col: int, data: float, fmt: Format | None = None) -> Any:
        self._record(row, col, float(data), fmt)
        return self._sheet.write_number(row, col, data, fmt)

    def write_boolean(self, row: int, col: int, data: bool, fmt: Format | None = None) -> Any:
        self._record(row, col, bool(data), fmt)
        return self._sheet.write_boolean(row, col, data, fmt)

    def write_blank(self, row: int, col: int, data: object, fmt: Format | None = None) -> Any:
        self._record(row, col, None, fmt)
        return self._sheet.write_blank(row, col, data, fmt)

    def write_formula(self, row: int, col: int, formula: str, fmt: Format | None = None,
                      value: object = 0) -> Any:
        text = formula if formula.startswith("=") else "=" + formula
        self._record(row, col, Formula(text), fmt)
        # row/col only: XlsxWriter's A1-notation wrapper is skipped (hundreds of calls per form)
        return self._sheet._write_formula(row, col, formula, fmt, value)

    def merge_range(self, first_row: int, first_col: int, last_row: int, last_col: int,
                    data: object, fmt: Format | None = None) -> Any:
        for r in range(first_row, last_row + 1):
            for c in range(first_col, last_col + 1):
                self.records.pop((r, c), None)
        self._record(first_row, first_col, data, fmt)
        return self._sheet.merge_range(first_row, first_col, last_row, last_col, data, fmt)


class Formula(str):
    """Formula text (with its leading '='), told apart from a string that looks like one."""
