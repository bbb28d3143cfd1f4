"""Which files a consolidation reads: files, folders (recursively) and glob patterns.

Whatever a folder holds, finding its files never stops or hangs: only regular files
are read; a FIFO, a socket or a device file named like a workbook (reading a FIFO
waits for ever), a symbolic link that points to itself or to nothing, and a folder
that cannot be opened are each passed over with the reason. Linked folders are
followed once (a link back to a folder already walked is a loop, not read twice).
"""

from __future__ import annotations

import errno
import glob
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import os_reason
from ..pathtext import NOT_REGULAR
from ..reader.opening import WORKBOOK_SUFFIXES

LOOP = "符号链接形成循环（最终指向自己），不是文件，已跳过"
DANGLING = "符号链接指向的文件不存在，已跳过"
FOLDER_SEEN = "链接到已读取过的文件夹（循环或重复），未重复读取"


@dataclass
class Discovery:
    """The files found, and what was passed over."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # not read, with the reason
    missing: list[str] = field(default_factory=list)  # inputs that match nothing


def _candidate(path: Path) -> bool:
    name = path.name
    return not name.startswith("~$") and not name.startswith(".")


def _status(path: Path) -> tuple[str, os.stat_result | str]:
    """("file" | "dir", stat) of what ``path`` leads to, or ("skip", reason)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "skip", LOOP
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return "skip", DANGLING
        return "skip", f"无法读取：{os_reason(exc)}，已跳过"
    except ValueError:  # a name with a NUL byte (only from a glob of a strange file system)
        return "skip", "文件名无效，已跳过"
    if stat.S_ISDIR(st.st_mode):
        return "dir", st
    if stat.S_ISREG(st.st_mode):
        return "file", st
    kind = NOT_REGULAR.get(stat.S_IFMT(st.st_mode), "特殊文件")
    return "skip", f"是{kind}，不是普通文件，已跳过"


def discover(inputs: list[str]) -> Discovery:
    """Expand ``inputs``. A file named explicitly is always read; in folders and globs
    only workbook extensions are, and Office's "~$" lock files and hidden files never."""
    found = Discovery()
    seen: dict[tuple[int, int], str] = {}  # (device, inode) of files added -> the name taken
    walked: set[tuple[int, int]] = set()  # … and of folders walked

    def add(path: Path, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key in seen:  # a second name (a link) for a file already taken
            found.skipped.append((path, f"与 {seen[key]} 是同一个文件（链接），未重复读取"))
        else:
            seen[key] = path.name
            found.files.append(path)

    def walk(top: Path, top_stat: os.stat_result) -> None:
        stack = [(top, top_stat)]
        while stack:
            folder, st = stack.pop()
            key = (st.st_dev, st.st_ino)
            if key in walked:
                found.skipped.append((folder, FOLDER_SEEN))
                continue
            walked.add(key)
            try:
                with os.scandir(folder) as listing:
                    names = sorted(entry.name for entry in listing)
            except OSError as exc:
                found.skipped.append((folder, f"无法打开文件夹：{os_reason(exc)}，已跳过"))
                continue
            folders: list[tuple[Path, os.stat_result]] = []
            for name in names:
                child = folder / name
                if name.startswith("."):
                    continue
                kind, info = _status(child)
                if kind == "dir":
                    folders.append((child, info))  # type: ignore[arg-type]
                else:
                    take_found(child, kind, info)
            stack.extend(reversed(folders))  # depth first, in name order

    def take_found(child: Path, kind: str, info: os.stat_result | str) -> None:
        if not _candidate(child):
            return
        if child.suffix.lower() not in WORKBOOK_SUFFIXES:
            found.skipped.append((child, f"不是 Excel 文件（{child.suffix or '无扩展名'}），已跳过"))
        elif kind == "skip":
            found.skipped.append((child, str(info)))
        else:
            add(child, info)  # type: ignore[arg-type]

    for item in inputs:
        path = Path(item)
        if any(ch in item for ch in "*?[") and not os.path.lexists(path):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                found.missing.append(item)
            for match in matches:
                child = Path(match)
                kind, info = _status(child)
                if kind != "dir":
                    take_found(child, kind, info)
            continue
        if not os.path.lexists(path):
            found.missing.append(item)
            continue
        kind, info = _status(path)
        if kind == "dir":
            walk(path, info)  # type: ignore[arg-type]
        elif kind == "file":
            add(path, info)  # type: ignore[arg-type]
        else:
            found.skipped.append((path, str(info)))
    return found
