"""The one exception family of perfeval-xl.

Every message is Chinese, says where the problem is (file, line, sheet, cell,
indicator) and what to do about it. Problems found in one file are collected
and raised together, so a user fixes them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable


class PerfEvalError(Exception):
    """Base class of every error perfeval-xl raises on purpose."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        self.headline = message
        super().__init__(self.render())

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
