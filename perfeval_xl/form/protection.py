"""Workbook structure protection, which XlsxWriter does not write.

After XlsxWriter has written the file, ``<workbookProtection lockStructure="1"/>``
is added to xl/workbook.xml (with the legacy password verifier when a password is
given), so sheets cannot be added, deleted, renamed or unhidden.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from ..errors import InputError


def check_password(password: str | None) -> None:
    """Excel's legacy protection hash is defined for 1–15 printable ASCII characters."""
    if password is None:
        return
    if not 1 <= len(password) <= 15 or not all(32 < ord(ch) < 127 for ch in password):
        raise InputError("保护密码须为 1–15 位英文字母、数字或符号（不含空格和中文）")


def legacy_hash(password: str) -> str:
    """The 16-bit password verifier of ECMA-376 Part 4 (sheet and workbook protection)."""
    value = 0
    for index, char in enumerate(password, start=1):
        shifted = ord(char) << index
        value ^= (shifted & 0x7FFF) | (shifted >> 15)
    value ^= len(password)
    value ^= 0xCE4B
    return f"{value:04X}"


def protect_structure(path: Path, password: str | None) -> None:
    """Add workbook structure protection to an .xlsx/.xlsm written by XlsxWriter."""
    attrs = 'lockStructure="1"'
    if password:
        attrs = f'workbookPassword="{legacy_hash(password)}" ' + attrs
    element = f"<workbookProtection {attrs}/>".encode()
    fd, tmp = tempfile.mkstemp(suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "xl/workbook.xml":
                    data = _insert(data, element)
                dst.writestr(item, data)
        shutil.copymode(path, tmp)  # mkstemp made it private; keep the mode XlsxWriter's file had
        shutil.move(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _insert(workbook_xml: bytes, element: bytes) -> bytes:
    # CT_Workbook order: fileVersion, fileSharing, workbookPr, workbookProtection, bookViews, …
    marker = b"<bookViews"
    at = workbook_xml.find(marker)
    if at < 0:
        raise RuntimeError("xl/workbook.xml has no bookViews element")
    return workbook_xml[:at] + element + workbook_xml[at:]
