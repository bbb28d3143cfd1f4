"""Formulas without a computed result in an .xlsx workbook.

A workbook written by a program that does not calculate (openpyxl, xlsxwriter, many export
tools) stores its formulas with no value; every reader then sees those cells as blank, and a
form would be reported as "未填写" where the official wrote a formula. Excel, WPS and
LibreOffice store the result when they save, so the cure is to open and save the file.
"""

from __future__ import annotations

import io
import re
import zipfile

from .opening import sheet_parts

Cells = frozenset[tuple[int, int]]
MESSAGE = "公式没有计算结果，请在 Excel/WPS 中打开并保存后再提交"

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb"\br=\"\$?([A-Z]{1,3})\$?(\d+)\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_STRING = re.compile(rb"\bt=\"str\"")


def uncached_cells(data: bytes, kind: str, sheet: str, xml: bytes | None = None) -> Cells:
    """The (row, column), 1-based, of the formulas of ``sheet`` that hold no result (.xlsx only:
    the other formats' writers always store one). ``xml``: the sheet's part, when read already."""
    if kind != "xlsx":
        return frozenset()
    try:
        if xml is None:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                part = sheet_parts(archive).get(sheet)
                if part is None:
                    return frozenset()
                xml = archive.read(part)
    except Exception:  # a package this cannot follow: read on without the notice
        return frozenset()
    return _cells(xml)


def _cells(xml: bytes) -> Cells:
    if b"<f" not in xml and b":f" not in xml:
        return frozenset()
    out = set()
    for found in _CELL.finditer(xml):
        body = found.group(2) or b""
        if not _FORMULA.search(body):
            continue
        value = _VALUE.search(body)
        # a formula whose result is the empty text is stored as t="str" with an empty value
        if value is not None and (value.group(1).strip() or _STRING.search(found.group(1))):
            continue
        ref = _REF.search(found.group(1))
        if ref is None:
            continue
        column = 0
        for letter in ref.group(1):
            column = column * 26 + letter - 64
        out.add((int(ref.group(2)), column))
    return frozenset(out)


__all__ = ["MESSAGE", "uncached_cells"]
