"""Reading forms from their values alone with python-calamine: the path for thousands of files,
and the only one for .xlsb, .ods, .xls and WPS .et workbooks.

About twenty times faster than openpyxl, at a price stated plainly: no number
formats (a number in % format reads as the fraction it is, which the engine
takes as a percentage of a % target anyway), and for our forms the integrity check
covers the locked constants (targets, weights, names, rule numbers) — the content
fingerprint — rather than the formulas too; a formula overwritten by a wrong number
still shows up as a result that differs from the engine's. python-calamine reads an
error value (#DIV/0!) as an empty cell: :mod:`.errorcells` finds them in the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import findings as F
from ..errors import FileError, FormError, os_reason
from ..form.addresses import META_SHEET
from ..kinds import SELF, SHEETS, other_kind
from ..profiles import DEFAULT_PROFILE
from ..seal import SealKey
from . import MACROS, ReadProject, form_kind, integrity
from .cells import GridSheet
from .errorcells import error_cells
from .opening import Opened, check_sheets, check_workbook_file, empty_workbook, encrypted, no_form, unparsable
from .uncached import uncached_cells

FORM_SHEETS = tuple(SHEETS.values())  # checked before reading one of our forms (_meta is tiny: the workers' limits cover it)
YEAR_ROW = 1  # the 自评表's year row (0-based), as every template version has it


def _grid(workbook: Any, name: str, data: bytes, opened: Opened, errors: bool = True) -> GridSheet:
    sheet = workbook.get_sheet_by_name(name)
    return GridSheet(name, sheet.to_python(skip_empty_area=False), list(sheet.merged_cell_ranges or []),
                     error_cells(data, opened.kind, name, opened.sheet_xml.get(name)) if errors else None)


def meta_from_rows(rows: list[list[Any]]) -> dict[str, str]:
    """The _meta sheet's key/value pairs from its rows of values; a long value continues in the
    cells to the right of its key (see form.metadata.write_metadata)."""
    out = {}
    for r in rows:
        if r and isinstance(r[0], str) and r[0]:
            out[r[0]] = "".join("" if v is None else (v if isinstance(v, str) else _number_text(v)) for v in r[1:])
    return out


def _number_text(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _our_year(grid: GridSheet) -> int | None:
    """The year of one of our forms read without its _meta: a number in the year row, shown as
    "（2019年度）" by its number format, which values alone do not carry."""
    value, _ = grid.raw(YEAR_ROW + 1, 1)
    return int(value) if isinstance(value, (int, float)) and 1990 <= value <= 2100 else None


@dataclass
class FastRead:
    """The forms of one file (each with ``score()``: a 自评表's :class:`~perfeval_xl.reader.ReadProject`,
    or another kind's read), and when the file says it was saved."""

    projects: list[Any]
    saved_at: str | None


def read_projects_fast(path: Path, *, year: int | None = None, profile: str | None = None,
                       data: bytes | None = None, sheet: str | None = None,
                       key: SealKey | None = None, any_kind: bool = False) -> FastRead:
    """Every 自评表 in ``path`` (or in ``data``, its bytes already read), from values only;
    only the sheet named ``sheet`` when given (``key``: check the seal of each). A form of another
    kind is read by its kind's reader with ``any_kind``, and is a FormError saying so without."""
    from python_calamine import CalamineWorkbook, PasswordError

    # the sheets of one of our forms are checked before anything is built; those of any
    # other workbook only once it turns out to be one
    opened = check_workbook_file(path, verify=False, data=data, sheets=FORM_SHEETS)
    if data is None:
        data = _read_bytes(path)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:  # an .xls with a password to open (its encryption is inside the workbook stream)
        raise encrypted(path) from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # calamine's own error types, and a panic of its native code
        raise unparsable(path, exc, data) from None
    notes = [F.note("macros-ignored", "工作簿", MACROS)] if opened.macros else []
    names = list(workbook.sheet_names)
    try:
        meta = meta_from_rows(workbook.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)) \
            if META_SHEET in names else {}
        kind = form_kind(meta, names) if meta.get("layout") else None
        if kind is not None and kind.name != SELF and not any_kind:
            raise FormError(other_kind(path, kind.name))
        if kind is not None and sheet in (None, kind.sheet):
            read = kind.read_values({kind.sheet: _grid(workbook, kind.sheet, data, opened)}, meta, str(path), key,
                                    opened.sheet_xml.get(kind.sheet))
            if getattr(read, "ours", None) is not None:  # a 自评表 of ours, compared with what it shows:
                read.ours.blank_is_zero = opened.kind == "xls"  # .xls readers give an empty result as 0
            shape = opened.shapes.get(kind.sheet)
            if shape is not None and not shape.protected:
                read.findings.append(integrity.unprotected(kind))
            if kind.name == SELF:
                from ..kinds.self.reader import sheets_changed

                read.findings += sheets_changed(_states(workbook))
            read.findings[:0] = notes
            return FastRead([read], opened.saved_at)
        if opened.kind == "xlsx":
            check_sheets(path, data, [n for n in names if n not in opened.shapes])
        from ..kinds.self.reader import structure_without_meta, unsealed

        ours_without_meta = structure_without_meta(path, data) if opened.kind == "xlsx" else []
        notes += ours_without_meta
        if key is not None:
            notes.append(unsealed(key))
        if sheet is not None:
            if sheet not in names:
                raise FormError(f"{path.name} 中没有名为“{sheet}”的工作表，现有：{'、'.join(names)}")
            candidates = [_grid(workbook, sheet, data, opened)]
            empty = False
        else:
            candidates, empty = _candidates(workbook, names, data, opened)
    except (FileError, FormError, KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # a panic of calamine's native code is a BaseException
        raise unparsable(path, exc, data) from None
    if not candidates:
        raise empty_workbook(path) if empty else no_form(path, names)
    from ..kinds.self.handmade import read_handmade

    out: list[Any] = []
    for grid in candidates:
        if year is None and ours_without_meta:
            year = _our_year(grid)
        grid.uncached = uncached_cells(data, opened.kind, grid.title, opened.sheet_xml.get(grid.title))
        found = read_handmade(grid, year, profile or DEFAULT_PROFILE, str(path))
        out.append(ReadProject(found.spec, "hand-made", grid.title, notes + found.findings))
    return FastRead(out, opened.saved_at)


def _states(workbook: Any) -> dict[str, str]:
    """Sheet name -> "visible", "hidden" or "veryHidden" (as openpyxl says it)."""
    names = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}
    return {m.name: names.get(str(m.visible).rpartition(".")[2], "hidden") for m in workbook.sheets_metadata}


def _candidates(workbook: Any, names: list[str], data: bytes, opened: Opened) -> tuple[list[GridSheet], bool]:
    """The visible sheets that look like a 自评表, and whether the workbook is empty."""
    visible = {m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible")}
    candidates = []
    empty = True
    from ..kinds.self.handmade import form_sheets, looks_like_form

    for name in names:
        grid = _grid(workbook, name, data, opened, errors=name in visible)
        empty = empty and not grid.filled()
        if name in visible and looks_like_form(grid):
            candidates.append(grid)
    return form_sheets(candidates), empty


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileError(f"无法读取 {path}：{os_reason(exc)}") from None


def evaluate_fast(path: Path, *, year: int | None = None, profile: str | None = None,
                  data: bytes | None = None, key: SealKey | None = None,
                  sheet: str | None = None) -> tuple[list[Any], str | None]:
    """Read (values only), score and cross-check every form in ``path``, of any kind; and when it
    was saved."""
    read_file = read_projects_fast(path, year=year, profile=profile, data=data, key=key, sheet=sheet, any_kind=True)
    return [read.score() for read in read_file.projects], read_file.saved_at
