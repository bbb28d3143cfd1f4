"""Form kinds: the sheets a project can be evaluated on.

A *form kind* is one official sheet with everything that belongs to it: its spec (the YAML/JSON
a user writes), its rules (a profile), its scoring engine, and — as the kind grows — its layout
table, workbook writer, formulas and reader. Two kinds exist:

- ``self``: the unit's 项目支出绩效自评表 (财预〔2020〕10号 附件1), the default. Its parts are still the
  top-level modules (:mod:`perfeval_xl.spec`, :mod:`perfeval_xl.engine`, ``form``, ``reader``);
- ``evaluation``: the 项目支出绩效评分表 of 部门评价 / 财政评价 (:mod:`perfeval_xl.kinds.evaluation`).

A spec names its kind with a top-level ``kind:`` key; a spec without one is a 自评表. A form of
ours records its kind in its _meta sheet (``kind``); one made before kinds existed has none and is
a 自评表. This module only tells the kinds apart: it imports nothing of any kind, so every kind's
reader can use it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

SELF = "self"
EVALUATION = "evaluation"
KINDS = {SELF: "项目支出绩效自评表", EVALUATION: "项目支出绩效评分表"}
# what each kind can do so far, said where a command meets a kind it does not handle yet
_COMMANDS = {EVALUATION: "评分表可用 perfeval-xl new、score、check、export，尚不能批量生成（batch）和汇总（consolidate）"}


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
    """The message of a 自评表 reader given a form of another kind."""
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
    close = difflib.get_close_matches(declared, list(KINDS), n=1)
    hint = f"，是不是“{close[0]}”？" if close else "，"
    listed = "、".join(f"{key}（{label}）" for key, label in KINDS.items())
    return f"kind（表的种类）“{declared}”不存在{hint}可用：{listed}；不写 kind 即为自评表"


def _how_to_write(kind: str) -> str:
    return "不写 kind，或写 kind: self" if kind == SELF else f"写 kind: {kind}"
