"""Where an internal error's details go: a log file the user can send to the maintainers.

The user sees a short Chinese message and the log's path (exit code 3), never a
traceback. The log holds the version, the command line and the traceback — the
command line names files (a key file by its path), never their content.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

from . import __version__
from .pathtext import readable


def log_dir() -> Path:
    """``$PERFEVAL_XL_LOG_DIR``, else the user's cache folder, else the system's temporary folder."""
    configured = os.environ.get("PERFEVAL_XL_LOG_DIR")
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(cache) / "perfeval-xl" / "logs"


def write_log(kind: str, text: str) -> Path | None:
    """A new log file ``perfeval-xl-<kind>-<time>-<pid>.log`` holding ``text``, where logs go (else in the
    system's temporary folder); its path, or None when nowhere is writable."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"perfeval-xl-{kind}-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8", errors="replace")
            return path
        except OSError:
            continue
    return None


def write_crash_log(exc: BaseException, argv: list[str] | None = None) -> Path | None:
    """Write the details of ``exc`` to a new log file; its path, or None when nowhere is writable."""
    text = "\n".join([
        f"perfeval-xl {__version__}, Python {platform.python_version()}, {platform.platform()}",
        f"时间：{dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"命令：{' '.join(readable(a) for a in (argv if argv is not None else sys.argv))}",
        "",
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    ])
    return write_log("错误", text)


def log_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """Where an error Python cannot raise goes (a file object closed by the garbage collector on a full
    disk, after the command has reported the disk full): to a log, never the user's terminal."""
    exc = unraisable.exc_value
    text = "".join(traceback.format_exception(unraisable.exc_type, exc, unraisable.exc_traceback))
    write_log("清理", f"{unraisable.err_msg or '清理时出错'}：{unraisable.object!r}\n{text}")


def internal_error_message(log: Path | None) -> str:
    where = f"详细信息已写入 {log}，" if log is not None else ""
    return (f"错误：perfeval-xl 内部出错，未能完成。{where}请把该文件和所用的输入文件交给 perfeval-xl 的维护者；"
            "已写出的文件和汇总库不受影响")


__all__ = ["internal_error_message", "log_dir", "log_unraisable", "write_crash_log", "write_log"]
