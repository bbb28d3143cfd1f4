"""The error values (#REF!, #N/A …) of a sheet, read from the file itself.

python-calamine (0.9) reads an error cell as an empty one and has no option to say
otherwise, so the fast reader would take ``#REF!`` in an amount for a blank. This
finds the error cells where each format keeps them, cheaply (a file without any
error value costs a substring search):

- .xlsx/.xlsm: cells with ``t="e"`` in the sheet's XML;
- .xlsb: BrtCellError / BrtFmlaError records of the sheet's binary part;
- .ods: cells LibreOffice marks ``calcext:value-type="error"`` (other programs write
  the error's text, which the readers already see);
- .xls/.et: BOOLERR and FORMULA records, through xlrd.

Each returns 1-based ``(row, column) -> "#REF!"``; a part that cannot be followed
gives none (the reader then works as before).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterator

from defusedxml.ElementTree import fromstring, iterparse

from .opening import sheet_parts

Errors = dict[tuple[int, int], str]

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def error_cells(data: bytes, kind: str, sheet: str, xml: bytes | None = None) -> Errors:
    """The error cells of ``sheet`` in a workbook of ``kind`` (opening.KINDS) held in ``data``
    (``xml``: the sheet's part of an .xlsx, when it was read already)."""
    try:
        if kind == "xls":
            return _xls(data, sheet)
        if kind == "xlsx" and xml is not None:
            return _xlsx_cells(xml)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if kind == "xlsx":
                return _xlsx(archive, sheet)
            if kind == "xlsb":
                return _xlsb(archive, sheet)
            if kind == "ods":
                return _ods(archive, sheet)
    except Exception:  # a part this cannot follow: the reader goes on without the error cells
        return {}
    return {}


def _cell_address(text: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of an A1 reference."""
    match = re.fullmatch(rb"\$?([A-Z]{1,3})\$?(\d+)", text)
    if match is None:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + letter - 64
    return int(match.group(2)), column


# ---------------------------------------------------------------------------
# Office Open XML


def _part_name(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*\bt=\"e\"[^>]*)>(.*?)</(?:\w+:)?c>", re.DOTALL)
_REF = re.compile(rb"\br=\"([^\"]+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _xlsx(archive: zipfile.ZipFile, sheet: str) -> Errors:
    part = sheet_parts(archive).get(sheet)
    if part is None:
        return {}
    return _xlsx_cells(archive.read(part))


def _xlsx_cells(data: bytes) -> Errors:
    if b't="e"' not in data:
        return {}
    out: Errors = {}
    for found in _ERROR_CELL.finditer(data):
        ref, value = _REF.search(found.group(1)), _VALUE.search(found.group(2))
        address = _cell_address(ref.group(1)) if ref else None
        if address is not None and value is not None:
            out[address] = value.group(1).decode("utf-8", "replace").strip()
    return out


# ---------------------------------------------------------------------------
# Excel binary workbook (.xlsb): records of a type and a size, both variable-length integers

_BRT_ROW, _BRT_CELL_ERROR, _BRT_FMLA_ERROR, _BRT_BUNDLE_SHEET = 0, 3, 11, 156
_XLSB_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def _varint(data: bytes, at: int, most: int) -> tuple[int, int]:
    """A record's type (at most 2 bytes) or size (4): 7 bits a byte, the high bit says more follow."""
    value = shift = 0
    for _ in range(most):
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, at


def _records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, body) of every record of an .xlsb part."""
    at = 0
    while at < len(data):
        kind, at = _varint(data, at, 2)
        size, at = _varint(data, at, 4)
        yield kind, data[at:at + size]
        at += size


def _wide_string(body: bytes, at: int) -> tuple[str, int]:
    count = struct.unpack_from("<I", body, at)[0]
    if count == 0xFFFFFFFF:  # a null string
        return "", at + 4
    start = at + 4
    return body[start:start + 2 * count].decode("utf-16-le"), start + 2 * count


def _xlsb(archive: zipfile.ZipFile, sheet: str) -> Errors:
    rels = fromstring(archive.read("xl/_rels/workbook.bin.rels"))
    targets = {el.get("Id"): el.get("Target", "") for el in rels.iterfind("rel:Relationship", _NS)}
    part = None
    for kind, body in _records(archive.read("xl/workbook.bin")):
        if kind == _BRT_BUNDLE_SHEET:
            rel_id, at = _wide_string(body, 8)
            name, _ = _wide_string(body, at)
            if name == sheet and rel_id in targets:
                part = _part_name(targets[rel_id])
    if part is None:
        return {}
    out: Errors = {}
    row = 0
    for kind, body in _records(archive.read(part)):
        if kind == _BRT_ROW:
            row = struct.unpack_from("<I", body, 0)[0]
        elif kind in (_BRT_CELL_ERROR, _BRT_FMLA_ERROR) and len(body) >= 9:
            column = struct.unpack_from("<I", body, 0)[0]
            out[(row + 1, column + 1)] = _XLSB_ERRORS.get(body[8], "#VALUE!")
    return out


# ---------------------------------------------------------------------------
# OpenDocument (.ods)

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def _ods(archive: zipfile.ZipFile, sheet: str) -> Errors:
    data = archive.read("content.xml")
    if b'value-type="error"' not in data:
        return {}
    out: Errors = {}
    inside = False
    row = column = 0
    error_at: tuple[int, int] | None = None
    for event, element in iterparse(io.BytesIO(data), events=("start", "end")):
        tag = element.tag
        if tag == f"{{{_TABLE}}}table":
            inside = event == "start" and element.get(f"{{{_TABLE}}}name") == sheet
            row = 0
        elif not inside:
            continue
        elif tag == f"{{{_TABLE}}}table-row":
            if event == "start":
                column = 0
            else:
                row += int(element.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
                element.clear()
        elif tag in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
            if event == "start":
                is_error = element.get(f"{{{_CALCEXT}}}value-type") == "error"
                error_at = (row + 1, column + 1) if is_error else None
            else:
                if error_at is not None:
                    text = "".join(p.text or "" for p in element.iter(f"{{{_TEXT}}}p")).strip()
                    out[error_at] = text or "#VALUE!"
                column += int(element.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
                error_at = None
    return out


# ---------------------------------------------------------------------------
# Excel 97–2003 (.xls) and WPS (.et)


def _xls(data: bytes, sheet: str) -> Errors:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    try:
        found = book.sheet_by_name(sheet)
        out: Errors = {}
        for r in range(found.nrows):
            for c, kind in enumerate(found.row_types(r)):
                if kind == xlrd.XL_CELL_ERROR:
                    code = found.cell_value(r, c)
                    out[(r + 1, c + 1)] = xlrd.error_text_from_code.get(code, "#VALUE!")
        return out
    finally:
        book.release_resources()
