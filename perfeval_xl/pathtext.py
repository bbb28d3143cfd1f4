"""File names as a person can read them, whatever bytes the file system holds.

Unzipping a Windows zip on Linux often leaves names in GBK bytes, which Python keeps
as lone surrogates: printing them, storing them in SQLite or writing them into a
workbook fails. Such a name is shown decoded as GBK (what Chinese Windows wrote),
or with its undecodable bytes as \\xNN; the file itself is always opened by its
real name.
"""

from __future__ import annotations

import os
import stat


def readable(path: object) -> str:
    """``path`` as text safe to print, store and write into a workbook."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    return os.sep.join(_part(part) for part in os.fsencode(text).split(os.fsencode(os.sep)))


def _part(raw: bytes) -> str:
    """One name: UTF-8 when it is, else GBK (GB18030), else with its bytes as \\xNN."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def is_garbled(path: object) -> bool:
    """Whether the name is not valid UTF-8 on disk (shown decoded, see :func:`readable`)."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


__all__ = ["is_garbled", "readable"]


NOT_REGULAR = {
    stat.S_IFIFO: "命名管道（FIFO）",
    stat.S_IFSOCK: "套接字（socket）",
    stat.S_IFCHR: "字符设备文件",
    stat.S_IFBLK: "块设备文件",
}


def special_kind(path: object) -> str | None:
    """What ``path`` leads to when it is neither a regular file nor a folder (a FIFO, whose reading
    waits for ever; /dev/zero, whose reading never ends), in Chinese; None otherwise or when it
    cannot be looked at (the caller's own reading then says why)."""
    try:
        mode = os.stat(path).st_mode  # type: ignore[arg-type]
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return NOT_REGULAR.get(stat.S_IFMT(mode), "特殊文件")


def refuse_special(path: object, error: type[Exception], what: str = "文件") -> None:
    """Raise ``error`` when ``path`` is a special file (see :func:`special_kind`)."""
    kind = special_kind(path)
    if kind is not None:
        raise error(f"{readable(path)} 是{kind}，不是普通文件，无法读取；请指定{what}")
