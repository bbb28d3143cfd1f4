"""Reading filled forms back: ours (through their layout and metadata) and hand-made
ones in the official layout (found by their labels). One entry point for scoring:
:func:`evaluate`, which reads, scores with the engine and cross-checks."""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import findings as F
from ..engine import ProjectResult, score_project
from ..errors import FileError, FormError, PerfEvalError
from ..findings import Finding
from ..form.metadata import read_meta
from ..kinds import SELF, other_kind
from ..profiles import DEFAULT_PROFILE
from ..seal import SealKey
from ..spec import ProjectSpec
from .cells import OpenpyxlSheet
from .handmade import form_sheets, looks_like_form, read_handmade
from .opening import WORKBOOK_SUFFIXES, check_workbook_file, empty_workbook, no_form, unparsable
from .ours import (
    OurForm,
    compare_shown,
    is_ours,
    read_ours,
    sheets_changed,
    structure_without_meta,
    unprotected,
    unsealed,
)
from .uncached import uncached_cells


@dataclass
class ReadProject:
    """One project read from a workbook, with what the reader noticed."""

    spec: ProjectSpec
    kind: str  # "perfeval-xl" or "hand-made"
    sheet: str
    findings: list[Finding] = field(default_factory=list)
    ours: OurForm | None = None

    def score(self) -> ProjectResult:
        """Score the project with the engine; the reader's findings come first, then every
        result the file shows that differs from the engine's (our forms)."""
        try:
            result = score_project(self.spec)
        except PerfEvalError as exc:
            raise self._forged(exc) or exc from None
        uncached = {f.location for f in self.findings if f.code == "formula-uncached"}
        if uncached:  # a formula without its result is said as such, not as a cell left blank
            result.findings[:] = [f for f in result.findings
                                  if not (f.location in uncached and f.code.endswith("-missing"))]
            for ind in result.indicators:
                ind.findings[:] = [f for f in ind.findings
                                   if not (f.location in uncached and f.code.endswith("-missing"))]
        extra = list(self.findings)
        if self.ours is not None:
            extra += compare_shown(self.ours, result)
        result.findings[:0] = extra
        result.sheet, result.kind = self.sheet, self.kind
        return result


    def _forged(self, exc: PerfEvalError) -> FormError | None:
        """When a form that cannot be scored (its hidden record names rules that do not fit it, say)
        is also one whose seal or fingerprint does not hold, that is the reason to give: it was put
        together from parts of other forms, not issued so."""
        forged = [f for f in self.findings if f.code in FORGED and f.severity is F.Severity.ERROR]
        if not forged:
            return None
        return FormError(f"{Path(self.spec.source).name}：{forged[0].message}（表中隐藏的记录与表的内容不符，"
                         f"无法计分：{str(exc).split('。')[0]}）")


FORGED = ("seal-invalid", "form-altered")


def _load(path: Path, data_only: bool) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=data_only, keep_vba=False, keep_links=False)
    except (PerfEvalError, MemoryError):
        raise
    except Exception as exc:  # openpyxl, zipfile and defusedxml raise many kinds
        raise unparsable(path, exc) from None


def read_projects(path: str | Path, *, sheet: str | None = None, year: int | None = None,
                  profile: str | None = None, key: SealKey | None = None) -> list[ReadProject]:
    """Every 自评表 in the workbook at ``path`` (one per sheet), as specs with cell addresses
    (``key``: check the seal of each).

    An Excel 2007+ workbook is read with openpyxl (formulas, formats, protection: the full
    check); .xlsb, .ods, .xls and .et through python-calamine (values only)."""
    path = Path(path)
    opened = check_workbook_file(path)
    if opened.kind != "xlsx":
        return _read_isolated(path, year, profile, sheet, key)
    values = _load(path, data_only=True)
    if (kind := read_meta(values).get("kind", SELF) or SELF) != SELF:  # a form of another kind: its own reader
        raise FormError(other_kind(path, kind))
    notes = []
    if opened.macros:
        notes.append(F.note("macros-ignored", "工作簿", "该文件含有宏（VBA），读取时不会运行任何宏"))
    if is_ours(values) and (sheet is None or sheet == "自评表"):
        formulas = _load(path, data_only=False)
        form = read_ours(formulas, values, str(path), key)
        if not formulas["自评表"].protection.sheet:
            form.findings.append(unprotected())
        form.findings += sheets_changed({name: values[name].sheet_state for name in values.sheetnames})
        return [ReadProject(form.spec, "perfeval-xl", "自评表", notes + form.findings, form)]
    notes += structure_without_meta(path)
    if key is not None:
        notes.append(unsealed(key))
    names = [ws.title for ws in values.worksheets]
    if sheet is not None:
        if sheet not in names:
            raise FormError(f"{path.name} 中没有名为“{sheet}”的工作表，现有：{'、'.join(names)}")
        candidates = [OpenpyxlSheet(values[sheet])]
    else:
        candidates = form_sheets([OpenpyxlSheet(ws) for ws in values.worksheets
                                  if ws.sheet_state == "visible" and looks_like_form(OpenpyxlSheet(ws))])
        if not candidates:
            empty = all((ws.max_row or 0) <= 1 and (ws.max_column or 0) <= 1 and ws.cell(1, 1).value is None
                        for ws in values.worksheets)
            raise empty_workbook(path) if empty else no_form(path, names)
    out = []
    data = path.read_bytes()
    for candidate in candidates:
        candidate.uncached = uncached_cells(data, "xlsx", candidate.title)
        found = read_handmade(candidate, year, profile or DEFAULT_PROFILE, str(path))
        out.append(ReadProject(found.spec, "hand-made", candidate.title, notes + found.findings))
    return out


def _read_isolated(path: Path, year: int | None, profile: str | None, sheet: str | None,
                   key: SealKey | None) -> list[ReadProject]:
    """Read a workbook through python-calamine in a worker process under the consolidation's limits:
    its native code allocates a sheet's whole grid and panics or aborts on some crafted files, which
    must not take the command with them (the .xlsx checks before parsing do not cover .xlsb/.ods/.xls)."""
    from ..consolidate.pool import Failed, IsolatedPool, Limits
    from ..consolidate.worker import UNREAD, crash_reason, limit_reason

    handle = functools.partial(_read_fast_in_worker, year=year, profile=profile, sheet=sheet, key=key)
    with IsolatedPool(handle, 1, Limits()) as pool:
        [outcome] = list(pool.run([str(path)]))
    if isinstance(outcome, Failed):
        reason = (limit_reason(outcome.detail, UNREAD) if outcome.kind in ("time", "memory")
                  else crash_reason(outcome.detail, UNREAD))
        raise FileError(f"{path.name}：{reason}")
    result = outcome[1]
    if isinstance(result, PerfEvalError):
        raise result
    projects: list[ReadProject] = result
    return projects


def _read_fast_in_worker(path_text: str, *, year: int | None, profile: str | None, sheet: str | None,
                         key: SealKey | None) -> list[ReadProject] | PerfEvalError:
    """A worker's task: the projects, or the error to raise in the command (never raised here)."""
    from .fast import read_projects_fast

    try:
        return read_projects_fast(Path(path_text), year=year, profile=profile, sheet=sheet, key=key).projects
    except PerfEvalError as exc:
        return exc


def evaluate(path: str | Path, *, sheet: str | None = None, year: int | None = None,
             profile: str | None = None, key: SealKey | None = None) -> list[ProjectResult]:
    """Read every 自评表 in a workbook, score it with the engine and cross-check what it shows."""
    return [read.score() for read in read_projects(path, sheet=sheet, year=year, profile=profile, key=key)]


__all__ = ["WORKBOOK_SUFFIXES", "ReadProject", "evaluate", "read_projects"]
