"""Opening a targets list: an Excel workbook (.xlsx/.xlsm, or .xls as budget systems export
lists, .et, .xlsb, .ods) or a CSV file, as its header row and the rows below it.

What a file is comes from its first bytes, not its name. A CSV is decoded as
UTF-8 (with or without a BOM), then GB18030 (a superset of GBK, what Chinese
Excel writes by default); UTF-16 with a BOM (Excel's "Unicode 文本") works too.
Everything that stops a list from being read at all is one :class:`FileError`
naming the file and saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from .. import display
from ..errors import FileError, os_reason
from ..rounding import to_decimal
from .columns import BY_KEY, COLUMNS, INFERABLE, REQUIRED, column_key

HEADER_SEARCH_ROWS = 10  # the header may sit below a title
INSTRUCTIONS_SHEET = "填写说明"  # the template's own sheet, never read as a list

_ZIP = b"PK\x03\x04"
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")  # old .xls, or an encrypted workbook
_SAVE_AS = "请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再试"


@dataclass
class Table:
    """The header and data rows of a list."""

    path: Path
    sheet: str  # "" for a CSV file
    header_row: int  # 1-based, as Excel shows it
    columns: dict[str, int]  # column key -> 0-based index
    rows: list[tuple[int, list[object]]]  # (row number, cells) below the header
    headers: dict[str, str] = field(default_factory=dict)  # column key -> its header as written

    def where(self, row: int) -> str:
        return place(self.path, self.sheet, row)

    def cell(self, cells: list[object], key: str) -> object:
        index = self.columns.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]


def place(path: Path, sheet: str, row: int) -> str:
    """"清单.xlsx 工作表“绩效目标”第 5 行" / "清单.csv 第 5 行"."""
    return f"{path} 工作表“{sheet}”第 {row} 行" if sheet else f"{path} 第 {row} 行"


def read_table(path: str | Path) -> Table:
    """The list in ``path``; raises FileError when it cannot be read at all."""
    path = Path(path)
    if not path.exists():
        raise FileError(f"找不到文件 {path}，请检查路径是否正确")
    if path.is_dir():
        raise FileError(f"{path} 是文件夹，请指定绩效目标清单文件（.xlsx 或 .csv）")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise FileError(f"无法读取 {path}：{os_reason(exc)}") from None
    if not head:
        raise FileError(f"文件 {path} 是空的，请提供绩效目标清单（.xlsx 或 .csv）")
    if head.startswith(_ZIP) or head.startswith(_OLE2):
        return _read_workbook(path)
    return _read_csv(path)


# ---------------------------------------------------------------------------
# Excel


def _read_workbook(path: Path) -> Table:
    """The list in a workbook: by values alone when that reads it exactly, else with its formats;
    an .xls (as budget systems export lists), .et, .xlsb or .ods by its values."""
    from ..reader.opening import OLE2_MAGIC, check_workbook_file

    with path.open("rb") as handle:
        ole = handle.read(8) == OLE2_MAGIC
    if ole:  # an encrypted workbook and a Word file are said as the readers say them
        try:
            check_workbook_file(path, verify=False)
        except FileError as exc:
            raise FileError(f"{exc.headline}；{_SAVE_AS}") from None
        return _read_other(path, "xls")
    kind = _zip_kind(path)
    if kind != "xlsx":
        return _read_other(path, kind)
    return _read_values(path) or _read_formatted(path)


def _zip_kind(path: Path) -> str:
    """"xlsb" or "ods" for those packages, else "xlsx" (what is no workbook is said by openpyxl's reading)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "content.xml" in names and archive.read("mimetype")[:64].startswith(b"application/vnd.oasis"):
                return "ods"
    except (zipfile.BadZipFile, KeyError, OSError):
        pass
    return "xlsx"


def _read_other(path: Path, kind: str) -> Table:
    """A list saved as .xls/.et, .xlsb or .ods, read by python-calamine, its error values put back
    from the file (reader.errorcells). Number formats are not read: a target typed as 95% into a
    percentage cell is the number 0.95 (the template's 年度指标值 column is text, which keeps 95%)."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    from ..reader.errorcells import error_cells

    try:
        data = path.read_bytes()
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for meta in workbook.sheets_metadata:
            if meta.name == INSTRUCTIONS_SHEET or meta.visible != SheetVisibleEnum.Visible:
                continue
            grid = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            for (r, c), text in error_cells(data, kind, meta.name).items():
                while len(grid) < r:
                    grid.append([])
                grid[r - 1].extend([""] * (c - len(grid[r - 1])))
                grid[r - 1][c - 1] = text
            table = _grid_table(path, meta.name, grid)
            if table is not None:
                return table
    except FileError:
        raise
    except Exception:
        raise FileError(f"{path} 不是有效的 Excel 工作簿，无法读取；{_SAVE_AS}") from None
    raise _no_header(f"{path} 的各工作表")


def _grid_table(path: Path, sheet: str, grid: Sequence[Sequence[object]]) -> Table | None:
    """The list on one sheet's grid of values, or None when the sheet has no header row."""
    rows = [(number, [_plain(v) for v in cells]) for number, cells in enumerate(grid, start=1)]
    while rows and all(blank(v) for v in rows[-1][1]):
        rows.pop()
    found = _find_header(rows[:HEADER_SEARCH_ROWS])
    if found is None:
        return None
    header_row, found_columns = found
    columns = _check_header(place(path, sheet, header_row), found_columns)
    return Table(path, sheet, header_row, columns, rows[header_row:], _headers(rows, header_row, columns))


_ERROR_CELL = b't="e"'  # a cell holding an error value (#DIV/0!, #REF! …) in the sheet XML


def _read_values(path: Path) -> Table | None:
    """The list read by python-calamine (ten times faster than openpyxl on a list of thousands
    of rows), or None when that could differ from what openpyxl reads: calamine reads an error
    cell as empty (and a #REF! in 项目名称 would join its rows to the project above) and gives
    no number formats (a target typed as 95% in a percentage cell reads 0.95). The caller then
    reads the file with openpyxl, which also words every problem of a damaged file."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [i for i in archive.infolist()
                      if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            for info in sheets:
                if info.file_size > 200 * 1024 * 1024 or _ERROR_CELL in archive.read(info):
                    return None
        from python_calamine import CalamineWorkbook, SheetVisibleEnum

        workbook = CalamineWorkbook.from_path(str(path))
        for meta in workbook.sheets_metadata:
            if meta.name == INSTRUCTIONS_SHEET or meta.visible != SheetVisibleEnum.Visible:
                continue
            grid = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            table = _grid_table(path, meta.name, grid)
            if table is not None:
                break
        else:
            return None
    except FileError:
        raise
    except Exception:  # anything calamine cannot do is left to openpyxl and its messages
        return None
    target = table.columns.get("target")
    data = table.rows
    numbers = [(number, cells) for number, cells in data
               if target is not None and target < len(cells) and _is_number(cells[target])]
    if numbers:
        # A number in 年度指标值: its cell's format says whether it was typed as a percentage.
        assert target is not None
        percent_rows = _percent_rows(path, meta.name, target)
        if percent_rows is None:
            return None
        for number, cells in numbers:
            if number in percent_rows:
                cells[target] = display.number(to_decimal(cells[target]) * 100) + "%"
    return table


def is_percent_format(code: str) -> bool:
    """Whether a number format shows its number as a percentage (a % outside quotes and escapes)."""
    return "%" in re.sub(r'"[^"]*"|\\.', "", code)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_PERCENT_BUILTIN = {9, 10}  # 0% and 0.00%
_CELL_TAG = re.compile(rb"<c\s([^>]*?)/?>")
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_CELL_STYLE = re.compile(rb'\bs="(\d+)"')


def _percent_rows(path: Path, sheet: str, column: int) -> set[int] | None:
    """The rows whose cell in ``column`` of ``sheet`` has a percentage number format, read from
    the package's XML (styles and cell style indices); None when the file is written in a way
    this does not follow (prefixed tags, cells without addresses)."""
    import zipfile
    from xml.etree import ElementTree

    from defusedxml.ElementTree import fromstring

    with zipfile.ZipFile(path) as archive:
        book = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        rid = next((el.get(f"{{{_NS['r']}}}id") for el in book.iterfind("m:sheets/m:sheet", _NS)
                    if el.get("name") == sheet), None)
        target = next((el.get("Target") for el in rels.iterfind("rel:Relationship", _NS) if el.get("Id") == rid), None)
        if target is None:
            return None
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        styles: ElementTree.Element = fromstring(archive.read("xl/styles.xml"))
        codes = {int(el.get("numFmtId", "-1")): el.get("formatCode", "")
                 for el in styles.iterfind("m:numFmts/m:numFmt", _NS)}
        percent_styles = set()
        for index, xf in enumerate(styles.iterfind("m:cellXfs/m:xf", _NS)):
            fmt = int(xf.get("numFmtId", "0"))
            if fmt in _PERCENT_BUILTIN or is_percent_format(codes.get(fmt, "")):
                percent_styles.add(index)
        data = archive.read(part)
    if re.search(rb"<\w+:c\b", data):
        return None
    letters = xl_col_to_name(column).encode()
    rows = set()
    for found in _CELL_TAG.finditer(data):
        attributes = found.group(1)
        address = _CELL_REF.search(attributes)
        if address is None:
            return None
        if address.group(1) != letters:
            continue
        style = _CELL_STYLE.search(attributes)
        if style is not None and int(style.group(1)) in percent_styles:
            rows.add(int(address.group(2)))
    return rows


def _plain(value: object) -> object:
    """A calamine value as openpyxl gives it: None for empty, 2020 for 2020.0, datetimes for dates."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _read_formatted(path: Path) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # a zip that is not a workbook fails in many ways; all mean the same
        raise FileError(f"{path} 不是有效的 Excel 工作簿，无法读取；{_SAVE_AS}") from None
    try:
        # The first visible sheet with a header row is the list.
        for sheet in workbook.worksheets:
            if sheet.title == INSTRUCTIONS_SHEET or sheet.sheet_state != "visible":
                continue
            sheet.reset_dimensions()  # some writers state a wrong used range
            rows = _sheet_rows(sheet)
            found = _find_header(rows[:HEADER_SEARCH_ROWS])
            if found is not None:
                break
        else:
            raise _no_header(f"{path} 的各工作表")
        header_row, found_columns = found
        columns = _check_header(place(path, sheet.title, header_row), found_columns)
        target = columns.get("target")
        data = [(number, _cell_values(cells, target)) for number, cells in rows[header_row:]]
        return Table(path, sheet.title, header_row, columns, data, _headers(rows, header_row, columns))
    except FileError:
        raise
    except Exception:
        raise FileError(f"{path} 中的工作表已损坏，无法读取；{_SAVE_AS}") from None
    finally:
        workbook.close()


def _sheet_rows(sheet: object) -> list[tuple[int, list[object]]]:
    rows: list[tuple[int, list[object]]] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):  # type: ignore[attr-defined]
        rows.append((number, list(cells)))
    while rows and all(blank(getattr(c, "value", None)) for c in rows[-1][1]):
        rows.pop()
    return rows


def _cell_values(cells: list[object], target: int | None) -> list[object]:
    values = [getattr(c, "value", None) for c in cells]
    # A target typed as 95% into a cell Excel made numeric reads back as 0.95.
    if target is not None and target < len(cells):
        value, fmt = values[target], getattr(cells[target], "number_format", "") or ""
        if _is_number(value) and is_percent_format(fmt):
            values[target] = display.number(to_decimal(value) * 100) + "%"
    return values


# ---------------------------------------------------------------------------
# CSV


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    text = _decode(path, data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[object]]] = [(number, list(cells)) for number, cells in enumerate(reader, start=1)]
    while rows and all(blank(c) for c in rows[-1][1]):
        rows.pop()
    found = _find_header(rows[:HEADER_SEARCH_ROWS])
    if found is None:
        raise _no_header(str(path))
    header_row, found_columns = found
    columns = _check_header(place(path, "", header_row), found_columns)
    return Table(path, "", header_row, columns, rows[header_row:], _headers(rows, header_row, columns))


def _headers(rows: Sequence[tuple[int, Sequence[object]]], header_row: int, columns: dict[str, int]
             ) -> dict[str, str]:
    """Column key -> the header cell's text as written ("全年预算数（元）"); on a header of two rows,
    the first row's label where the second is blank."""
    out = {}
    for key, index in columns.items():
        for at in (header_row - 1, header_row - 2):
            cells = rows[at][1] if 0 <= at < len(rows) else []
            value = getattr(cells[index], "value", cells[index]) if index < len(cells) else None
            if not blank(value) and column_key(value) == key:
                out[key] = str(value).strip()
                break
    return out


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise FileError(
        f"{path} 既不是 Excel 工作簿，也不是可识别编码（UTF-8 或 GBK）的 CSV 文本文件，无法读取；{_SAVE_AS}"
    )


# ---------------------------------------------------------------------------
# The header row


# The columns a header's second row may split a first-row label into, as budget systems export
# lists: 年度指标值 over 指标性质 | 指标值 | 度量单位.
_SUB_COLUMNS = {"sign", "target", "measure", "direction"}


def _row_columns(cells: list[object]) -> dict[str, list[int]]:
    columns: dict[str, list[int]] = {}
    for index, cell in enumerate(cells):
        key = column_key(getattr(cell, "value", cell))
        if key is not None:
            columns.setdefault(key, []).append(index)
    return columns


def _find_header(rows: list[tuple[int, list[object]]]) -> tuple[int, dict[str, list[int]]] | None:
    """(row number, column key -> indices) of the row naming the most known columns; a header on
    two rows (the second splitting 年度指标值 into 指标性质 | 指标值 | 度量单位) is read as one, its
    second row the header row."""
    best: tuple[int, dict[str, list[int]]] | None = None
    for at, (number, cells) in enumerate(rows):
        columns = _row_columns(cells)
        if columns and (best is None or len(columns) > len(best[1])):
            best = (number, columns)
            below = _row_columns(rows[at + 1][1]) if at + 1 < len(rows) else {}
            if below and set(below) <= _SUB_COLUMNS and "project" in columns:
                split = {i for indices in below.values() for i in indices}
                kept = {k: v for k, v in columns.items() if k not in below and not set(v) & split}
                best = (rows[at + 1][0], {**kept, **below})
    return best


def _check_header(where: str, found: dict[str, list[int]]) -> dict[str, int]:
    """Column key -> index; missing required columns and doubled columns make a list unreadable."""
    missing = [c.label for c in REQUIRED if c.key not in found and c.key not in INFERABLE]
    if missing:
        raise FileError(
            f"{where}的表头缺少列：{'、'.join(missing)}。"
            f"表头应有：{'、'.join(c.label for c in REQUIRED)}"
            f"（可选：{'、'.join(c.label for c in COLUMNS if not c.required)}）；"
            "可用 perfeval-xl targets-template 生成模板"
        )
    for key, indices in found.items():
        if len(indices) > 1:
            letters = "、".join(f"{xl_col_to_name(i)} 列" for i in indices)
            raise FileError(
                f"{where}的表头有 {len(indices)} 列“{BY_KEY[key].label}”（{letters}），请删除或改名多余的列"
            )
    return {key: indices[0] for key, indices in found.items()}


def _no_header(place: str) -> FileError:
    return FileError(
        f"{place}中没有找到表头行（前 {HEADER_SEARCH_ROWS} 行中没有“项目名称”“三级指标”等列名），"
        f"无法读取。表头应有：{'、'.join(c.label for c in REQUIRED)}；"
        "可用 perfeval-xl targets-template 生成模板"
    )


def blank(value: object) -> bool:
    """An empty cell, or one holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def iter_data_rows(table: Table) -> Iterator[tuple[int, list[object]]]:
    """The rows below the header that hold anything."""
    for number, cells in table.rows:
        if not all(blank(c) for c in cells):
            yield number, cells
