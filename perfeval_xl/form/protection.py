"""Protection passwords: the legacy verifier Excel stores for sheet and workbook protection.

The workbook's structure protection itself is written by
:class:`perfeval_xl.form.sheet.FormWorkbook`.
"""

from __future__ import annotations

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
