"""Writing an output file so that an interruption never leaves a broken one in its place.

Every file perfeval-xl writes for a user (a form, the review, an export, a list) is
written under a temporary name in the target's own folder and renamed over the
target only once complete: a run killed part way (kill -9, a full disk, a crash)
leaves the previous file, or none, never half of one. The rename is atomic because
the temporary file sits on the same file system as the target.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from .errors import FileError, os_reason

TEMP_PREFIX = ".~perfeval-"


def temporary_beside(target: Path) -> Path:
    """A fresh hidden name in ``target``'s folder with its extension (programs choose the
    format by it); the ``.~`` prefix keeps it out of a consolidation's reading."""
    return target.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}{target.suffix}")


@contextlib.contextmanager
def atomic_output(target: str | Path, *, durable: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block ends without error it
    replaces ``target``, otherwise it is removed and ``target`` is left as it was.

    ``durable`` also flushes the file to disk before the rename (a power cut then keeps
    the new file or the old one; an interrupted process keeps one of them either way).
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"无法创建文件夹 {target.parent}：{os_reason(exc)}") from None
    temporary = temporary_beside(target)
    try:
        yield temporary
        if durable:
            _flush(temporary)
        os.replace(temporary, target)
    except OSError as exc:
        raise FileError(f"无法写入 {target}：{os_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def write_failure(target: str | Path, exc: BaseException, what: str = "") -> FileError:
    """The Chinese error for an output that could not be written (a full disk, no permission), from
    an OSError or from xlsxwriter's FileCreateError that wraps one."""
    cause = exc if isinstance(exc, OSError) else next((a for a in exc.args if isinstance(a, OSError)), None)
    reason = os_reason(cause) if cause is not None else str(exc)
    return FileError(f"无法写入{what} {target}：{reason}")


def _flush(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_writable(target: str | Path, what: str = "输出文件") -> None:
    """Raise FileError unless a file can be created beside ``target`` (which is what replacing
    it takes): checked before a long run, not after it."""
    target = Path(target)
    if target.is_dir():
        raise FileError(f"{what} {target} 是一个文件夹，请指定文件名（如 {target / '汇总.xlsx'}）")
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FileError(f"无法写入{what} {target}：{folder} 是一个文件，不是文件夹，请检查路径") from None
    except OSError as exc:
        raise FileError(f"无法创建{what}所在的文件夹 {folder}：{os_reason(exc)}") from None
    probe = temporary_beside(target)
    try:
        with probe.open("xb"):
            pass
    except OSError as exc:
        raise FileError(f"{what} {target} 无法写入：{os_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


__all__ = ["TEMP_PREFIX", "atomic_output", "check_writable", "temporary_beside", "write_failure"]
