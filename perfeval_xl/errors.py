"""The one exception family of perfeval-xl.

Every message is Chinese, says where the problem is (file, line, sheet, cell,
indicator) and what to do about it. Problems found in one file are collected
and raised together, so a user fixes them in one pass.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable


class PerfEvalError(Exception):
    """Base class of every error perfeval-xl raises on purpose."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        self.headline = message
        super().__init__(self.render())

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:
        # rebuilt with its problems when it crosses to another process (a reading worker)
        return self.__class__, (self.headline, self.problems)

    def render(self) -> str:
        if not self.problems:
            return self.headline
        lines = [self.headline]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class InputError(PerfEvalError):
    """The user's input (a project spec, a list of targets, a form) is wrong."""


class SpecError(InputError):
    """A project spec file does not follow the spec format."""


class RuleDataError(PerfEvalError):
    """A rule profile or another data file shipped with the rules is wrong."""


class FileError(PerfEvalError):
    """A file cannot be opened or read at all (missing, not a workbook, encrypted)."""


class DependencyError(PerfEvalError):
    """An optional part of perfeval-xl that this task needs is not installed."""


class FormError(InputError):
    """A workbook opens but is not a readable 项目支出绩效自评表."""


_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在，请检查路径",
    errno.EACCES: "没有权限，请检查文件权限，或关闭正在使用它的程序（如 Excel、WPS）后重试",
    errno.EPERM: "没有权限，请检查文件权限，或关闭正在使用它的程序（如 Excel、WPS）后重试",
    errno.ENOSPC: "磁盘空间不足，请清理磁盘后重试",
    errno.EISDIR: "这是一个文件夹，请指定文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹，请检查路径",
    errno.EROFS: "所在磁盘只读，请换一个可写的位置",
    errno.EEXIST: "已经存在同名文件",
    errno.ENAMETOOLONG: "文件名或路径太长，请缩短",
    errno.EBUSY: "文件正被其他程序占用，请关闭后重试",
    errno.EFBIG: "文件超出系统允许的大小（或磁盘配额已满），请清理磁盘或换一个位置后重试",
    errno.EDQUOT: "磁盘配额已用完，请清理磁盘或换一个位置后重试",
}


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in Chinese, with what to do (the system's own
    words, which may be English, only for causes not listed)."""
    reason = _OS_REASONS.get(exc.errno or -1)
    if reason:
        return reason
    return f"系统错误：{exc.strerror or exc}"
