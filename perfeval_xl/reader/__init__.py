"""Reading filled forms back: ours of every kind (through their layout, template version and
_meta) and hand-made 自评表 in the official layout (found by their labels). One entry point for
scoring: :func:`evaluate`, which reads, scores with the kind's engine and cross-checks.

What every kind's reader shares lives here: opening a file safely (:mod:`.opening`), its cells
(:mod:`.cells`), error values (:mod:`.errorcells`), integrity and seal (:mod:`.integrity`), the
values-only path (:mod:`.fast`). The kinds' own readers are in their packages
(:mod:`perfeval_xl.kinds.self.reader`, :mod:`perfeval_xl.kinds.self.handmade`,
:mod:`perfeval_xl.kinds.evaluation.reader`); they are imported when needed, since they use these.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import findings as F
from ..errors import FileError, FormError, PerfEvalError
from ..findings import Finding
from ..form.metadata import read_meta
from ..kinds import KINDS, SELF, get_kind, meta_kind, other_kind, unknown_kind
from ..profiles import DEFAULT_PROFILE
from ..seal import SealKey
from .opening import WORKBOOK_SUFFIXES, check_workbook_file, empty_workbook, no_form, unparsable

if TYPE_CHECKING:
    from ..engine import ProjectResult
    from ..kinds import FormKind
    from ..kinds.self.reader import OurForm
    from ..spec import ProjectSpec

MACROS = "该文件含有宏（VBA），读取时不会运行任何宏"


@dataclass
class ReadProject:
    """One 自评表 read from a workbook, with what the reader noticed."""

    spec: ProjectSpec
    kind: str  # "perfeval-xl" or "hand-made"
    sheet: str
    findings: list[Finding] = field(default_factory=list)
    ours: OurForm | None = None

    def score(self) -> ProjectResult:
        """Score the project with the engine; the reader's findings come first, then every
        result the file shows that differs from the engine's (our forms)."""
        from ..engine import score_project
        from ..kinds.self.reader import compare_shown

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


def load_workbook(path: Path, data_only: bool) -> Any:
    """An .xlsx/.xlsm with openpyxl (checked as safe to open first): its errors in Chinese."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=data_only, keep_vba=False, keep_links=False)
    except (PerfEvalError, MemoryError):
        raise
    except Exception as exc:  # openpyxl, zipfile and defusedxml raise many kinds
        raise unparsable(path, exc) from None


def form_kind(meta: dict[str, str], sheets: list[str]) -> FormKind | None:
    """The kind of a form of ours — its _meta records a template version and its kind's sheet is
    there — or None (a hand-made workbook, or one whose _meta was taken out). A kind this
    perfeval-xl does not know is a FormError."""
    if not meta.get("template_version"):
        return None
    name = meta_kind(meta)
    if name not in KINDS:
        raise FormError(f"该表隐藏的下发记录（_meta）写的表的种类不能识别：{unknown_kind(name)}；"
                        "可能由较新版本的 perfeval-xl 生成，请升级 perfeval-xl 后再读取")
    kind = get_kind(name)
    return kind if kind.sheet in sheets else None


def read_projects(path: str | Path, *, sheet: str | None = None, year: int | None = None,
                  profile: str | None = None, key: SealKey | None = None) -> list[ReadProject]:
    """Every 自评表 in the workbook at ``path`` (one per sheet), as specs with cell addresses
    (``key``: check the seal of each); a form of another kind is a FormError saying so.

    An Excel 2007+ workbook is read with openpyxl (formulas, formats, protection: the full
    check); .xlsb, .ods, .xls and .et through python-calamine (values only)."""
    path = Path(path)
    opened = check_workbook_file(path)
    if opened.kind != "xlsx":
        projects: list[ReadProject] = _isolated(path, year, profile, sheet, key, any_kind=False)
        return projects
    values = load_workbook(path, data_only=True)
    kind = form_kind(read_meta(values), values.sheetnames)
    if kind is not None and kind.name != SELF:
        raise FormError(other_kind(path, kind.name))
    return _read_self(path, opened, values, sheet, year, profile, key)


def _read_self(path: Path, opened: Any, values: Any, sheet: str | None, year: int | None, profile: str | None,
               key: SealKey | None) -> list[ReadProject]:
    from ..kinds.self.handmade import form_sheets, looks_like_form, read_handmade
    from ..kinds.self.reader import is_ours, read_ours, sheets_changed, structure_without_meta, unprotected, unsealed
    from .cells import OpenpyxlSheet
    from .uncached import uncached_cells

    notes = [F.note("macros-ignored", "工作簿", MACROS)] if opened.macros else []
    if is_ours(values) and (sheet is None or sheet == "自评表"):
        formulas = load_workbook(path, data_only=False)
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


def _isolated(path: Path, year: int | None, profile: str | None, sheet: str | None, key: SealKey | None,
              any_kind: bool) -> Any:
    """Read a workbook through python-calamine in a worker process under the consolidation's limits:
    its native code allocates a sheet's whole grid and panics or aborts on some crafted files, which
    must not take the command with them (the .xlsx checks before parsing do not cover .xlsb/.ods/.xls).
    The 自评表 read (specs), or with ``any_kind`` the forms of any kind scored."""
    from ..consolidate.pool import Failed, IsolatedPool, Limits
    from ..consolidate.worker import UNREAD, crash_reason, limit_reason

    handle = functools.partial(_read_fast_in_worker, year=year, profile=profile, sheet=sheet, key=key,
                               any_kind=any_kind)
    with IsolatedPool(handle, 1, Limits()) as pool:
        [outcome] = list(pool.run([str(path)]))
    if isinstance(outcome, Failed):
        reason = (limit_reason(outcome.detail, UNREAD) if outcome.kind in ("time", "memory")
                  else crash_reason(outcome.detail, UNREAD))
        raise FileError(f"{path.name}：{reason}")
    result = outcome[1]
    if isinstance(result, PerfEvalError):
        raise result
    return result


def _read_fast_in_worker(path_text: str, *, year: int | None, profile: str | None, sheet: str | None,
                         key: SealKey | None, any_kind: bool) -> Any:
    """A worker's task: the projects (or results), or the error to raise in the command (never raised here)."""
    from .fast import evaluate_fast, read_projects_fast

    try:
        if any_kind:
            return evaluate_fast(Path(path_text), year=year, profile=profile, sheet=sheet, key=key)[0]
        return read_projects_fast(Path(path_text), year=year, profile=profile, sheet=sheet, key=key).projects
    except PerfEvalError as exc:
        return exc


def evaluate(path: str | Path, *, sheet: str | None = None, year: int | None = None,
             profile: str | None = None, key: SealKey | None = None) -> list[Any]:
    """Read every form in a workbook — one of ours of any kind, or hand-made 自评表 — score it with
    its kind's engine and cross-check what it shows (``key``: check its seal)."""
    path = Path(path)
    opened = check_workbook_file(path)
    if opened.kind != "xlsx":
        results: list[Any] = _isolated(path, year, profile, sheet, key, any_kind=True)
        return results
    values = load_workbook(path, data_only=True)
    kind = form_kind(read_meta(values), values.sheetnames)
    if kind is not None and kind.name != SELF and sheet in (None, kind.sheet):
        return [kind.read_form(path, key=key)]
    return [read.score() for read in _read_self(path, opened, values, sheet, year, profile, key)]


__all__ = ["WORKBOOK_SUFFIXES", "ReadProject", "evaluate", "form_kind", "load_workbook", "read_projects"]
