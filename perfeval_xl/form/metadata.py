"""The hidden _meta sheet: what template made the form, from which spec and rules,
and a fingerprint of its locked content so a reader can tell whether it was altered.

The fingerprint is a SHA-256 over every locked, non-empty cell of the 自评表 and
参数 sheets — labels, declared names, targets and weights, every formula and
every rule number — as (sheet, cell, kind, canonical text). Input cells are
unlocked and so never part of it; a cell someone unlocks and edits drops out of
it, which changes it too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from ..kinds import SHEETS
from ..seal import SEAL_KEYS
from .addresses import CALC_SHEET, META_SHEET, PARAMS_SHEET, cell, sheet_ref
from .recording import Formula, RecordingSheet

META_KEYS = (
    "template_version", "generator", "mode", "profile", "year", "project", "generated_at",
    "spec_hash", "fingerprint", "layout", "recalc_probe",
    "content_fingerprint", "inputs", "formula_cells",
    "kind",  # the form kind (perfeval_xl.kinds); forms made before it have none and are 自评表
    *SEAL_KEYS,  # only in a sealed form (perfeval-xl new --key)
)
# A cell holds at most 32,767 characters (UTF-16 units): a longer value continues in the cells
# to its right, in pieces that fit whatever characters they hold.
PIECE = 16_383
RECALC_PROBE_ROW = META_KEYS.index("recalc_probe")


def meta_ref(key: str) -> str:
    """The absolute reference of a _meta value, e.g. '_meta'!$B$4 for the profile."""
    return sheet_ref(cell(META_KEYS.index(key), 1, True), META_SHEET)


def canonical(value: object) -> tuple[str, str]:
    """(kind, text) of a cell's content, the same whether written or read back."""
    if isinstance(value, Formula):
        # LibreOffice saves TRUE/FALSE as the functions TRUE()/FALSE(), and a
        # boolean constant as the formula =TRUE(): the same content.
        text = str(value).replace("TRUE()", "TRUE").replace("FALSE()", "FALSE")
        if "'" in text:  # a program may quote a sheet name that needs no quotes
            for name in FINGERPRINT_SHEETS:
                text = text.replace(f"'{name}'!", f"{name}!")
        if text in ("=TRUE", "=FALSE"):
            return "b", text[1:]
        return "f", text
    if isinstance(value, bool):
        return "b", "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return "n", repr(float(value))
    return "s", str(value)


def fingerprint(cells: Iterable[tuple[str, str, str, str]]) -> str:
    """SHA-256 of sorted (sheet, address, kind, text) entries."""
    return fingerprint_joined(sorted("\x1f".join(entry) for entry in cells))


def fingerprint_joined(entries: list[str]) -> str:
    """SHA-256 of entries already joined with \\x1f and sorted (sorting the joined text
    orders them as the tuples: no field but the last holds a control character)."""
    if not entries:
        return hashlib.sha256(b"").hexdigest()
    return hashlib.sha256(("\x1e".join(entries) + "\x1e").encode("utf-8")).hexdigest()


def content_cells(sheets: Iterable[RecordingSheet]) -> list[tuple[str, str, str, str]]:
    """The locked cells of the 自评表 sheet that hold constants (not formulas).

    A fast reader (python-calamine: no styles, no formulas) recomputes this from the
    cell values, skipping the cells listed in the metadata as inputs and formulas.
    The 参数 sheet is left out: its numbers only act through formulas, and a
    tampered rule number shows as results that differ from the engine's.
    """
    out = []
    for sheet in sheets:
        for (row, col), (content, locked) in sheet.records.items():
            if locked and not isinstance(content, Formula):
                kind, text = canonical(content)
                out.append((sheet.name, cell(row, col), kind, text))
    return out


def encode_cells(cells: Iterable[tuple[int, int]]) -> str:
    """0-based (row, col) cells as compact A1 ranges, one column run at a time: "F13:F35,I13"."""
    by_col: dict[int, list[int]] = {}
    for row, col in cells:
        by_col.setdefault(col, []).append(row)
    parts = []
    for col in sorted(by_col):
        rows = sorted(by_col[col])
        runs: list[list[int]] = []
        for row in rows:
            if runs and row == runs[-1][1] + 1:
                runs[-1][1] = row
            else:
                runs.append([row, row])
        for start, end in runs:
            first, last = cell(start, col), cell(end, col)
            parts.append(first if start == end else f"{first}:{last}")
    return ",".join(parts)


_RANGE = re.compile(r"([A-Z]+)(\d+)(?::[A-Z]+(\d+))?")


MAX_LISTED_CELLS = 2_000_000  # cells _meta may list as inputs or formulas (a form of 5,000 indicators: 60,000)
MAX_LAYOUT_ROWS = 100_000  # indicator rows _meta may list


@lru_cache(maxsize=256)
def decode_cells(text: str) -> frozenset[tuple[int, int]]:
    """The cells of :func:`encode_cells`' text; ValueError for a text no form has (a column beyond
    ZZ, more cells than any form lists: a _meta written by hand must not exhaust the reader)."""
    found = _RANGE.findall(text)
    index = _COLUMN_INDEX
    if sum(int(last) - int(first) + 1 if last else 1 for _, first, last in found) > MAX_LISTED_CELLS:
        raise ValueError("too many cells")
    out: set[tuple[int, int]] = set()
    for letters, first, last in found:
        col, r1 = index[letters], int(first) - 1  # KeyError (a ValueError's kin) beyond ZZ
        if last:
            out.update(zip(range(r1, int(last)), repeat(col)))
        else:
            out.add((r1, col))
    return frozenset(out)


_COLUMN_INDEX = {xl_rowcol_to_cell(0, c)[:-1]: c for c in range(702)}  # A … ZZ


def recorded_fingerprint(sheets: Iterable[RecordingSheet]) -> str:
    """The fingerprint of the locked cells written (as :func:`fingerprint` of the same cells)."""
    entries = []
    for sheet in sheets:
        name = sheet.name
        for (row, col), (content, locked) in sheet.records.items():
            if locked:
                kind, text = canonical(content)
                entries.append(f"{name}\x1f{cell(row, col)}\x1f{kind}\x1f{text}")
    entries.sort()
    return fingerprint_joined(entries)


def spec_hash(spec: Any) -> str:
    """A stable hash of the spec's content (not of its file)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value.normalize())
        if dataclasses.is_dataclass(value):  # its fields (a ClassVar such as form_kind is none)
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                    if f.name not in ("source", "locations", "where")}
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in sorted(value.items())}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    text = json.dumps(plain(spec), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_metadata(sheet: Any, values: dict[str, str], fmt: Any) -> None:
    """Key/value rows; the probe is a formula whose stored result is deliberately stale. A value
    longer than a cell holds continues in the cells to its right (readers join them)."""
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 80)
    for row, key in enumerate(META_KEYS):
        if key in SEAL_KEYS and key not in values:
            continue  # the last rows: an unsealed form is as before
        sheet.write_string(row, 0, key, fmt)
        if key == "recalc_probe":
            # Stored as 0; any engine that recalculates shows 2. Tests use it to
            # prove LibreOffice really recalculated a file.
            sheet.write_formula(row, 1, "=1+1", fmt, 0)
            continue
        text = values.get(key, "")
        for offset, start in enumerate(range(0, max(len(text), 1), PIECE)):
            sheet.write_string(row, 1 + offset, text[start:start + PIECE], fmt)


__all__ = ["META_SHEET", "canonical", "fingerprint", "read_meta", "recorded_fingerprint", "write_metadata"]


FINGERPRINT_SHEETS = (*SHEETS.values(), PARAMS_SHEET, CALC_SHEET)  # every kind's main sheet, and the shared ones


def workbook_cells(workbook: Any) -> list[tuple[str, str, str, str]]:
    """The locked, non-empty cells of an openpyxl workbook, as the fingerprint sees them."""
    out = []
    for name in FINGERPRINT_SHEETS:
        if name not in workbook.sheetnames:
            continue
        for row in workbook[name].iter_rows():
            for c in row:
                value = c.value
                if value is None or value == "" or not c.protection.locked:
                    continue
                if c.data_type == "f":
                    value = Formula(str(value))
                kind, text = canonical(value)
                out.append((name, c.coordinate, kind, text))
    return out


def read_meta(workbook: Any) -> dict[str, str]:
    """The _meta sheet's key/value pairs ({} when the workbook has none)."""
    if META_SHEET not in workbook.sheetnames:
        return {}
    sheet = workbook[META_SHEET]
    out = {}
    for key, *values in sheet.iter_rows(min_col=1, values_only=True):
        if isinstance(key, str):  # a long value continues in the cells to its right
            out[key] = "".join("" if value is None else str(value) for value in values)
    return out
