"""Form kinds: the sheets a project can be evaluated on, and the registry every command goes through.

A *form kind* is one official sheet with everything that belongs to it, in one package: its spec
(the YAML/JSON a user writes), its rules (a profile), its scoring engine, its layout table, its
workbook writer, formulas and their Python twin, its readers (by template version), its exports,
and what the consolidation keeps of it. Two kinds exist:

- ``self``: the unit's 项目支出绩效自评表 (财预〔2020〕10号 附件1), the default
  (:mod:`perfeval_xl.kinds.self`; its spec and engine are the top-level :mod:`perfeval_xl.spec` and
  :mod:`perfeval_xl.engine`, which the 评分表's target rows score through too);
- ``evaluation``: the 项目支出绩效评分表 of 部门评价 / 财政评价 (:mod:`perfeval_xl.kinds.evaluation`).

Each package has a ``kind`` module defining ``KIND``, a :class:`FormKind`: the one object the
commands, :func:`perfeval_xl.form.build_form`, the readers, the batch and the consolidation dispatch
through (:func:`get_kind`, :func:`kind_of`). A spec names its kind with a top-level ``kind:`` key; a
spec without one is a 自评表. A form of ours records its kind and template version in its _meta
sheet (``kind``, ``template_version``); one made before kinds existed has no kind and is a 自评表.

This module imports nothing of any kind at import time (a kind's package is imported when it is
first asked for), so every kind can use it, and the xlwings Lite bundle stays small.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SELF = "self"
EVALUATION = "evaluation"
KINDS = {SELF: "项目支出绩效自评表", EVALUATION: "项目支出绩效评分表"}
SHEETS = {SELF: "自评表", EVALUATION: "评分表"}  # the main sheet of each kind's form
_MODULES = {SELF: "perfeval_xl.kinds.self.kind", EVALUATION: "perfeval_xl.kinds.evaluation.kind"}


@dataclass(frozen=True)
class Block:
    """A block whose score the consolidation keeps for each project (a 一级指标's subtotal)."""

    key: str  # the 一级指标 as the engine names it (产出指标, 决策)
    title: str  # the review's column header (产出指标得分, 决策)


@dataclass(frozen=True)
class FormKind:
    """One form kind, as the rest of perfeval-xl sees it.

    Every callable takes and returns the kind's own types (its spec, its result, its built form);
    the callers never look inside them beyond what every kind's result has: ``spec`` (project,
    department, unit, year, source), ``total``, ``grade``, ``complete``, ``status()``,
    ``all_findings()``, ``has_errors()``, ``kind`` (how it was read) and ``sheet``.
    """

    name: str
    label: str  # 项目支出绩效自评表
    sheet: str  # the main sheet of its form
    template_version: str  # what a form written now records in _meta
    readable_versions: tuple[str, ...]  # what its readers accept (older forms still read)
    spec_type: type
    result_type: type
    modes: dict[str, str]  # mode -> file extension of its forms
    load_spec: Callable[[Path], Any]  # a spec file -> its spec
    score: Callable[[Any], Any]  # a spec -> its result
    build: Callable[..., Any]  # (spec, path, *, password, spare_rows, mode, rules, generated_at, key) -> built form
    default_name: Callable[[Any, str], str]  # (spec, mode) -> the file name ``new`` writes without -o
    read_form: Callable[..., Any]  # (path, key) -> result: a form of ours read with openpyxl (the full check)
    read_values: Callable[..., Any]  # (grids by sheet name, meta, source, key, sheet xml) -> result: values only
    export: Callable[..., Any]  # (form, *, pdf, values, report, sheet, year, profile) -> what was written
    fit_rows: Callable[[Any], None]  # an openpyxl workbook of its form: rows as tall as their text
    prepare_print: Callable[[Any], None]  # an openpyxl workbook of its form made ready to print
    write_report: Callable[[Any, Path], Path]  # (result, .docx) -> the report section
    to_json: Callable[[Any], dict[str, Any]]
    text: Callable[[Any], str]  # the result as ``score`` prints it
    record: Callable[[Any], dict[str, Any]]  # the result as the consolidation stores it
    blocks: tuple[Block, ...]  # the subtotals the review shows, in order
    summary_sheet: str  # the review's sheet of its projects
    fund_titles: tuple[str, str] = ("全年预算数（万元）", "全年执行数（万元）")  # the review's amount columns
    extra_columns: tuple[tuple[str, str], ...] = ()  # (key of the record's extra, title) after 年度 in the review
    execution_score: bool = True  # the review shows 执行率得分 (a 评分表 counts it in its 过程 block)
    spare_rows: bool = True  # its forms take --spare-rows
    locked_content: str = "指标名称、年度指标值、分值"  # what its locked cells hold (form-altered)
    locked_cells: str = "指标、分值、公式"  # what protection keeps from being typed over (protection-removed)

    def suffix(self, mode: str) -> str:
        return self.modes[mode]


def get_kind(name: str) -> FormKind:
    """The kind named ``name`` (``self`` for an empty name); KeyError for an unknown one."""
    module = importlib.import_module(_MODULES[name or SELF])
    kind: FormKind = module.KIND
    return kind


def all_kinds() -> list[FormKind]:
    return [get_kind(name) for name in KINDS]


def kind_of(thing: object) -> FormKind:
    """The kind a spec, a result or a built form belongs to (by its ``form_kind``)."""
    return get_kind(str(getattr(thing, "form_kind", SELF)))


def meta_kind(meta: dict[str, str]) -> str:
    """The kind a form's _meta records (``self`` for a form made before kinds)."""
    return (meta.get("kind") or "").strip() or SELF


def check_version(meta: dict[str, str], kind: FormKind, name: str) -> str:
    """The template version a form of ``kind`` records, when its readers know it; otherwise the
    user's error in Chinese (``name`` is the file): a newer version asks for a newer perfeval-xl."""
    from .. import __version__
    from ..errors import FormError

    version = (meta.get("template_version") or "").strip()
    if version in kind.readable_versions:
        return version
    known = sorted(int(v) for v in kind.readable_versions)
    shown = str(known[0]) if len(known) == 1 else f"{known[0]}–{known[-1]}"
    if version.isdigit() and int(version) > known[-1]:
        generator = (meta.get("generator") or "").strip()
        made_by = f"（由 {generator} 生成）" if generator else ""
        raise FormError(f"{name}的模板版本是 {version}{made_by}，比本机 perfeval-xl {__version__} 能读取的"
                        f"{kind.label}模板版本（{shown}）新，无法按其版式读取：请升级 perfeval-xl"
                        "（pip install -U perfeval-xl）后再读取，或请下发单位用本机的版本重新生成该表")
    raise FormError(f"{name}中隐藏的下发记录（_meta）写的模板版本“{version}”不是任何{kind.label}会有的"
                    f"（本版本能读取 {shown}），记录已损坏或被改动，无法按下发时的版式读取；"
                    "请使用下发的原表重新填写，或联系下发单位核实")


# what each kind can do, said where a command meets a kind it does not handle
_COMMANDS: dict[str, str] = {EVALUATION: "评分表可用 perfeval-xl new、score、check、export 和 consolidate，尚不能批量生成（batch）"}


def spec_kind(path: str | Path) -> str:
    """The ``kind`` a spec file declares, as written (``self`` when it declares none).

    A path that is not a readable spec file is ``self`` too: the 自评表's loader then reports
    what is wrong with it, as before kinds existed.
    """
    from .. import yamlfile
    from ..errors import PerfEvalError
    from ..inputs import SPEC_SUFFIXES

    path = Path(path)
    if path.suffix.lower() not in SPEC_SUFFIXES or not path.is_file():
        return SELF
    try:
        root = yamlfile.read(path, problems=[])
    except PerfEvalError:
        return SELF
    node = root.get("kind")
    if node is None or node.kind != "str":
        return SELF
    return str(node.value).strip() or SELF


def file_kind(path: str | Path) -> str:
    """The kind of what ``path`` holds: a spec's ``kind``, or the kind a form of ours records in
    its _meta sheet (``self`` for anything else: its reader then says what is wrong with it)."""
    from ..inputs import SPEC_SUFFIXES

    path = Path(path)
    if path.suffix.lower() in SPEC_SUFFIXES:
        return spec_kind(path)
    return workbook_kind(path)


def workbook_kind(path: Path) -> str:
    """The kind a workbook of ours records in _meta (checked as safe to open first)."""
    from ..errors import PerfEvalError
    from ..reader.opening import check_workbook_file

    if not path.is_file():
        return SELF
    try:
        check_workbook_file(path, verify=False)
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        if "_meta" not in workbook.sheet_names:
            return SELF
        rows = workbook.get_sheet_by_name("_meta").to_python(skip_empty_area=False)
    except (PerfEvalError, Exception):
        return SELF
    kind = next((row[1] for row in rows if len(row) > 1 and row[0] == "kind"), "")
    return str(kind).strip() or SELF


def other_kind(path: str | Path, kind: str) -> str:
    """The message of a reader of one kind given a form of another."""
    label = KINDS.get(kind, kind)
    commands = f"；{_COMMANDS[kind]}" if kind in _COMMANDS else ""
    return f"{Path(path).name} 是{label}（kind: {kind}），不是自评表{commands}"


def kind_problem(declared: str, expected: str) -> str | None:
    """Why a spec declaring ``declared`` cannot be read as a spec of kind ``expected`` (None if it can)."""
    if declared == expected or (not declared and expected == SELF):
        return None
    if not declared:
        return f"缺少 kind: {expected}（{KINDS[expected]}的项目文件须写明）"
    if declared in KINDS:
        commands = f"；{_COMMANDS[declared]}" if declared in _COMMANDS else ""
        return (f"kind: {declared} 表示{KINDS[declared]}，这里需要{KINDS[expected]}的项目文件"
                f"（{_how_to_write(expected)}）{commands}")
    return unknown_kind(declared)


def unknown_kind(declared: str) -> str:
    """The message for a kind that does not exist, with the closest one."""
    close = difflib.get_close_matches(declared, list(KINDS), n=1)
    hint = f"，是不是“{close[0]}”？" if close else "，"
    listed = "、".join(f"{key}（{label}）" for key, label in KINDS.items())
    return f"kind（表的种类）“{declared}”不存在{hint}可用：{listed}；不写 kind 即为自评表"


def _how_to_write(kind: str) -> str:
    return "不写 kind，或写 kind: self" if kind == SELF else f"写 kind: {kind}"


def known_versions(kinds: Sequence[FormKind] | None = None) -> list[str]:
    """Every kind and the template versions its readers know (part of the consolidation's cache key:
    results read before a kind or a version was known are read again)."""
    return [f"{k.name}:{','.join(k.readable_versions)}" for k in (kinds or all_kinds())]
