"""Cell values as a reader needs them: typed, normalised, and with their address.

A :class:`Sheet` wraps an openpyxl worksheet read with cached values
(``data_only=True``), or a grid of values from python-calamine: numbers in % format
become percentages, error values (``#DIV/0!``) are told apart from text, a date is
the serial number a spreadsheet's formulas see (and says it is a date), and labels
are normalised so that ``年度\\n指标值``, ``全年预算数（A）`` and ``其中：当年财政拨款``
match their plain forms.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from .. import yamlfile
from ..datafiles import templates_dir
from ..errors import RuleDataError
from ..notation import ERROR_VALUES, is_empty, normalize, notation
from ..rounding import to_decimal

COLUMN_NAMES = [xl_rowcol_to_cell(0, c)[:-1] for c in range(16384 // 64)]  # A … ZZ: fast addresses

ERRORS = ERROR_VALUES
_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (as LibreOffice counts it too)


def date_serial(value: dt.date | dt.time | dt.timedelta) -> Decimal:
    """The serial number a spreadsheet holds for a date or time (1900 date system)."""
    if isinstance(value, dt.timedelta):
        return to_decimal(value.total_seconds() / 86400)
    if isinstance(value, dt.time):
        return to_decimal((value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400)
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    return to_decimal((moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400)


def date_text(value: dt.date | dt.time | dt.timedelta) -> str:
    """A date as people read it: 2023-12-31, 2023-12-31 08:30, 08:30."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)
_NOTE = re.compile(r"\([^()]*\)")


def label_key(text: object) -> str:
    """A label as compared: NFKC, no spaces, no notes in parentheses, no leading 其中:."""
    if not isinstance(text, str):
        return ""
    key = normalize(text)
    key = _NOTE.sub("", key)
    for prefix in ("其中:", "其中"):
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
            break
    return key.rstrip(":")  # 年度资金总额：


@dataclass(frozen=True)
class Labels:
    """The tables of form_labels.yaml, normalised."""

    indicator_columns: dict[str, tuple[str, ...]]
    required_indicator_columns: tuple[str, ...]
    funds_columns: dict[str, tuple[str, ...]]
    funds_rows: dict[str, tuple[str, ...]]
    fields: dict[str, tuple[str, ...]]
    subtotal_rows: tuple[str, ...] = ()
    level2_hints: dict[str, tuple[str, ...]] = field(default_factory=dict)  # raw words, not label keys
    duration_level2: tuple[str, ...] = ()
    duration_units: tuple[str, ...] = ()
    chinese_numerals: str = ""
    numeral_measures: tuple[str, ...] = ()
    unit_synonyms: tuple[frozenset[str], ...] = ()

    def lookup(self, table: dict[str, tuple[str, ...]], text: object) -> str | None:
        key = label_key(text)
        if not key:
            return None
        for name, labels in table.items():
            if key in labels:
                return name
        return None


@lru_cache(maxsize=1)
def labels() -> Labels:
    """Load form_labels.yaml (once)."""
    text = templates_dir().joinpath("form_labels.yaml").read_text(encoding="utf-8")
    data = yamlfile.plain(yamlfile.parse(text, "form_labels.yaml", RuleDataError))
    expected = {"indicator_columns", "required_indicator_columns", "funds_columns", "funds_rows", "fields",
                "subtotal_rows", "level2_hints", "chinese_numerals", "numeral_measures", "unit_synonyms"}
    if set(data) != expected:
        raise RuleDataError(f"form_labels.yaml 的字段应为 {sorted(expected)}")

    def table(name: str) -> dict[str, tuple[str, ...]]:
        return {k: tuple(label_key(v) for v in values) for k, values in data[name].items()}

    return Labels(
        indicator_columns=table("indicator_columns"),
        required_indicator_columns=tuple(data["required_indicator_columns"]),
        funds_columns=table("funds_columns"),
        funds_rows=table("funds_rows"),
        fields=table("fields"),
        subtotal_rows=tuple(label_key(v) for v in data["subtotal_rows"]),
        level2_hints={k: tuple(str(v) for v in values) for k, values in data["level2_hints"].items()},
        duration_level2=notation().duration_level2,  # the engine's reading (notation.yaml)
        duration_units=notation().duration_units,
        chinese_numerals=str(data["chinese_numerals"]),
        numeral_measures=tuple(str(v) for v in data["numeral_measures"]),
        unit_synonyms=tuple(frozenset(str(u) for u in group) for group in data["unit_synonyms"]),
    )


@dataclass(frozen=True)
class Cell:
    """A cell's value as the reader sees it."""

    value: Any  # None, str, Decimal, or bool
    address: str  # e.g. 自评表!E14
    percent: bool = False  # a number shown in % format
    error: str | None = None  # an error value such as #DIV/0!
    date: str | None = None  # a date or time (value is its serial number): as people read it
    uncached: bool = False  # a formula saved without its result (reads as blank)

    @property
    def empty(self) -> bool:
        return self.error is None and is_empty(self.value)

    def text(self) -> str:
        if self.date is not None:
            return self.date
        if isinstance(self.value, bool):
            return "TRUE" if self.value else "FALSE"
        return "" if self.value is None else str(self.value).strip()

    def as_written(self) -> object:
        """The value as the official wrote it: "95%" for 0.95 in % format, numbers as Decimal."""
        if self.empty:
            return None
        if self.date is not None or isinstance(self.value, bool):
            return self.text()
        if isinstance(self.value, Decimal) and self.percent:
            return f"{format((self.value * 100).normalize(), 'f')}%"
        return self.value


class Sheet:
    """A worksheet's values, 1-based, with merged ranges resolved (the reader's view)."""

    title: str
    max_row: int
    max_col: int
    _merged: dict[tuple[int, int], tuple[int, int]]
    uncached: frozenset[tuple[int, int]] = frozenset()  # formulas saved without a result (reader.uncached)

    def address(self, row: int, col: int) -> str:
        """Sheet!A1 of a 1-based (row, col)."""
        if col <= len(COLUMN_NAMES):
            return f"{self.title}!{COLUMN_NAMES[col - 1]}{row}"
        return f"{self.title}!{xl_rowcol_to_cell(row - 1, col - 1)}"

    def raw(self, row: int, col: int) -> tuple[Any, str]:
        """(value, number format) as stored; errors as their text."""
        raise NotImplementedError

    def is_error(self, row: int, col: int) -> bool:
        return False

    def cell(self, row: int, col: int, follow_merge: bool = False) -> Cell:
        """The cell at 1-based (row, col); inside a merged range, the range's top-left if asked."""
        if follow_merge and (row, col) in self._merged:
            row, col = self._merged[(row, col)]
        raw, number_format = self.raw(row, col)
        address = self.address(row, col)
        if self.is_error(row, col) or (isinstance(raw, str) and raw.strip() in ERRORS):
            return Cell(None, address, error=str(raw).strip())
        if isinstance(raw, bool):
            return Cell(raw, address)
        if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
            return Cell(date_serial(raw), address, date=date_text(raw))
        if isinstance(raw, (int, float)):
            return Cell(to_decimal(raw), address, percent="%" in number_format)
        if isinstance(raw, str):
            return Cell(raw if raw else None, address)
        if raw is None:
            return Cell(None, address, uncached=(row, col) in self.uncached)
        return Cell(str(raw), address)

    def is_merged_child(self, row: int, col: int) -> bool:
        return (row, col) in self._merged

    def merged_columns(self, row: int, col: int) -> set[int]:
        """The columns of ``row`` that a merged range whose top-left is (row, col) covers: {col} if none."""
        out = {col}
        for c in range(col + 1, self.max_col + 1):
            if self._merged.get((row, c)) != (row, col):
                break
            out.add(c)
        return out

    def filled(self) -> list[tuple[tuple[int, int], Any]]:
        """((row, col), value) of every non-empty cell, 1-based."""
        out = []
        for row in range(1, self.max_row + 1):
            for col in range(1, self.max_col + 1):
                value, _ = self.raw(row, col)
                if value is not None and value != "":
                    out.append(((row, col), value))
        return out

    def row_texts(self, row: int) -> list[tuple[int, str]]:
        """(column, label key) of the text cells of a row."""
        out = []
        for col in range(1, self.max_col + 1):
            value, _ = self.raw(row, col)
            if isinstance(value, str) and value.strip():
                out.append((col, label_key(value)))
        return out


class OpenpyxlSheet(Sheet):
    """An openpyxl worksheet read with stored values (number formats and error types known)."""

    def __init__(self, worksheet: Any) -> None:
        self.ws = worksheet
        self.title = str(worksheet.title)
        self.max_row = int(worksheet.max_row or 0)
        self.max_col = int(worksheet.max_column or 0)
        self._merged = {}
        for rng in worksheet.merged_cells.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    if (row, col) != (rng.min_row, rng.min_col):
                        self._merged[(row, col)] = (rng.min_row, rng.min_col)

    def raw(self, row: int, col: int) -> tuple[Any, str]:
        c = self.ws.cell(row=row, column=col)
        return c.value, str(c.number_format or "")

    def is_error(self, row: int, col: int) -> bool:
        return bool(self.ws.cell(row=row, column=col).data_type == "e")


class GridSheet(Sheet):
    """Values from python-calamine: fast, but no number formats. python-calamine reads an error
    cell as empty; ``errors`` (1-based (row, column) -> #REF! …, read from the file by
    :mod:`.errorcells`) puts them back."""

    def __init__(self, title: str, grid: list[list[Any]],
                 merged: list[tuple[tuple[int, int], tuple[int, int]]],
                 errors: dict[tuple[int, int], str] | None = None) -> None:
        self.title = title
        self.errors = errors or {}
        self.grid = grid
        # an error cell in the last row or column is outside what calamine saw as filled
        self.max_row = max(len(grid), max((r for r, _ in self.errors), default=0))
        self.max_col = max(max((len(r) for r in grid), default=0), max((c for _, c in self.errors), default=0))
        self._merged = {}
        for (r1, c1), (r2, c2) in merged:
            for row in range(r1, r2 + 1):
                for col in range(c1, c2 + 1):
                    if (row, col) != (r1, c1):
                        self._merged[(row + 1, col + 1)] = (r1 + 1, c1 + 1)

    def raw(self, row: int, col: int) -> tuple[Any, str]:
        if self.errors and (row, col) in self.errors:
            return self.errors[(row, col)], ""
        try:
            value = self.grid[row - 1][col - 1]
        except IndexError:
            return None, ""
        return (None if value == "" else value), ""

    def is_error(self, row: int, col: int) -> bool:
        return (row, col) in self.errors

    def filled(self) -> list[tuple[tuple[int, int], Any]]:
        found = [((r, c), value) for r, line in enumerate(self.grid, start=1)
                 for c, value in enumerate(line, start=1) if value != "" and value is not None]
        return sorted([*found, *self.errors.items()]) if self.errors else found
