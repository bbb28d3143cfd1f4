"""The spec of a 评分表: one project's 项目支出绩效评分表 as data (YAML or JSON, amounts in 万元).

Read as strictly as the 自评表's spec, with the same reader (:class:`perfeval_xl.spec.SpecReader`):
an unknown or repeated key is an error naming the line, with the closest known key suggested;
every problem of a file is reported at once. A row is scored in one of three ways, decided by
what it gives: ``rule`` (from the amounts), ``target``/``actual`` (as on the 自评表; the target may
come from its 评分标准, "达成90%得满分"), or neither (the evaluator's ``score``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from ...datafiles import examples_dir
from ...errors import PerfEvalError, SpecError
from ...spec import SpecReader, node_from_data, raw_value, read_spec_file, read_spec_text
from ...yamlfile import Node
from .. import EVALUATION
from .profile import DEFAULT_PROFILE, FUND_FIELDS, evaluation_profiles, load_evaluation_rules

RULE, TARGET, JUDGEMENT = "rule", "target", "judgement"  # how a row is scored
EXAMPLES = "evaluation"  # the folder of this kind's examples in perfeval_xl/examples/


@dataclass(frozen=True)
class Funds:
    """The project's money, in 万元: 预算资金, 实际到位资金, 执行数."""

    budget: Decimal | None = None
    arrived: Decimal | None = None
    executed: Decimal | None = None


@dataclass(frozen=True)
class Row:
    """One 三级指标 of the 评分表, as written."""

    level1: str
    level2: str
    name: str
    weight: Decimal | None = None
    criteria: str = ""  # 评分标准
    score: Decimal | None = None  # 得分: the evaluator's, or the one written for a computed row
    basis: str = ""  # 得分依据
    rule: str | None = None  # a key of the profile's rates: arrival, execution
    target: object = None
    actual: object = None
    where: str = ""  # 第 8 个指标“预算执行率”
    locations: Mapping[str, str] = field(default_factory=dict)  # field -> "file:line" / cell

    @property
    def method(self) -> str:
        """How the row is scored: ``rule``, ``target`` or ``judgement``."""
        if self.rule is not None:
            return RULE
        if self.target is not None or self.actual is not None:
            return TARGET
        return JUDGEMENT


@dataclass(frozen=True)
class Stated:
    """Results the sheet or report states, checked against the recomputed ones."""

    total: Decimal | None = None
    grade: str | None = None


@dataclass(frozen=True)
class EvaluationSpec:
    """A project's 评分表, ready to be scored."""

    form_kind: ClassVar[str] = EVALUATION  # perfeval_xl.kinds
    year: int
    project: str
    department: str = ""
    unit: str = ""
    evaluation_type: str = ""  # 评价方式: 部门评价 / 财政评价 (the profile lists them)
    profile: str = DEFAULT_PROFILE
    funds: Funds = field(default_factory=Funds)
    indicators: tuple[Row, ...] = ()
    stated: Stated = field(default_factory=Stated)
    source: str = ""
    locations: Mapping[str, str] = field(default_factory=dict)  # "funds.budget" -> where
    kind: str = EVALUATION


# ---------------------------------------------------------------------------
# Reading a spec file

_TOP = {
    "kind": "表的种类",
    "year": "评价年度",
    "profile": "规则",
    "project": "项目名称",
    "department": "主管部门",
    "unit": "实施单位",
    "evaluation_type": "评价方式",
    "funds": "项目资金",
    "indicators": "评分指标",
    "stated": "报告所写结果",
}
_ROW = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "weight": "分值",
    "criteria": "评分标准",
    "score": "得分",
    "basis": "得分依据",
    "rule": "计分规则",
    "target": "年度指标值",
    "actual": "实际完成值",
}
_STATED = {"total": "总分", "grade": "评价等级"}


def example_names() -> list[str]:
    """The built-in 评分表 examples (perfeval_xl/examples/evaluation/, file stems)."""
    folder = examples_dir().joinpath(EXAMPLES)
    return sorted(e.name[:-5] for e in folder.iterdir() if e.name.endswith(".yaml"))


def load_evaluation_example(name: str) -> EvaluationSpec:
    """One built-in 评分表 example."""
    text = examples_dir().joinpath(EXAMPLES, f"{name}.yaml").read_text(encoding="utf-8")
    return evaluation_spec_from_text(text, f"examples/{EXAMPLES}/{name}.yaml")


def load_evaluation_spec(path: str | Path) -> EvaluationSpec:
    """Read a 评分表 spec file (YAML or JSON); raises :class:`SpecError` listing every problem."""
    return read_spec_file(path, evaluation_spec_from_node)


def evaluation_spec_from_text(text: str, source: str = "<spec>") -> EvaluationSpec:
    """Read a 评分表 spec from YAML/JSON text (``source`` names it in messages)."""
    return read_spec_text(text, source, evaluation_spec_from_node)


def evaluation_spec_from_data(data: Mapping[str, Any], source: str = "<spec>") -> EvaluationSpec:
    """Build a 评分表 spec from plain Python data (as loaded from JSON), strictly."""
    return evaluation_spec_from_node(node_from_data(data, 0), source)


def evaluation_spec_from_node(root: Node, source: str, problems: list[str] | None = None) -> EvaluationSpec:
    """Build a 评分表 spec from a parsed node tree; raises SpecError with every problem (``problems``:
    those already found in the tree, reported with the others)."""
    r = SpecReader(source)
    r.problems.extend(problems or [])
    if root.kind != "map":
        raise SpecError(f"文件 {source} 的顶层应为键值表（kind、year、project、indicators 等）")
    r.kind(root.get("kind"), EVALUATION)
    r.check_keys(root, _TOP, "项目")
    year = r.year(root.get("year"))
    profile_node = root.get("profile")
    profile = r.text(profile_node, "profile（规则）") or DEFAULT_PROFILE
    profile_ok = profile in evaluation_profiles()
    if not profile_ok:
        r.problem(profile_node, f"profile（规则）“{profile}”不是评分表的规则，可用的有："
                  f"{'、'.join(evaluation_profiles())}（perfeval-xl profiles 列出各规则的说明）")
    project = r.text(root.get("project"), "project（项目名称）", required=True)
    department = r.text(root.get("department"), "department（主管部门）")
    unit = r.text(root.get("unit"), "unit（实施单位）")
    type_node = root.get("evaluation_type")
    evaluation_type = r.text(type_node, "evaluation_type（评价方式）")

    locations: dict[str, str] = {}
    funds = Funds()
    funds_node = root.get("funds")
    if funds_node is not None and funds_node.kind != "null":
        if funds_node.kind != "map":
            r.problem(funds_node, "funds（项目资金）应为键值表，含 budget、arrived、executed")
        else:
            r.check_keys(funds_node, FUND_FIELDS, "funds（项目资金）")
            amounts = {}
            for key, label in FUND_FIELDS.items():
                cell = funds_node.get(key)
                amounts[key] = r.amount(cell, f"funds.{key}（{label}）")
                locations[f"funds.{key}"] = r.loc(cell or funds_node)
            funds = Funds(**amounts)

    rows: list[Row] = []
    rule_nodes: list[Node | None] = []
    rows_node = root.get("indicators")
    if rows_node is None or rows_node.kind == "null":
        r.problems.append("缺少 indicators（评分指标）列表")
    elif rows_node.kind != "seq":
        r.problem(rows_node, "indicators（评分指标）应为列表，每项以“- ”开头")
    else:
        for index, item in enumerate(rows_node.value, start=1):
            row = _row(r, item, index)
            if row is not None:
                rows.append(row)
                rule_nodes.append(item.get("rule"))
    if year and profile_ok:
        _check_rules(r, list(zip(rows, rule_nodes, strict=True)), profile, year)
        if evaluation_type:
            _check_type(r, type_node, evaluation_type, profile, year)

    stated = Stated()
    stated_node = root.get("stated")
    if stated_node is not None and stated_node.kind != "null":
        if stated_node.kind != "map":
            r.problem(stated_node, "stated（报告所写结果）应为 {total, grade}")
        else:
            r.check_keys(stated_node, _STATED, "stated（报告所写结果）")
            stated = Stated(
                total=r.number(stated_node.get("total"), "stated.total（总分）"),
                grade=r.text(stated_node.get("grade"), "stated.grade（评价等级）") or None,
            )
            for key in _STATED:
                if stated_node.get(key) is not None:
                    locations[f"stated.{key}"] = r.loc(stated_node.get(key))

    if r.problems:
        raise SpecError(f"评分表文件 {source} 有 {len(r.problems)} 处错误，请修改后再试：", r.problems)
    return EvaluationSpec(year=year, project=project, department=department, unit=unit,
                          evaluation_type=evaluation_type, profile=profile, funds=funds, indicators=tuple(rows), stated=stated, source=source,
                          locations=locations)


def _row(r: SpecReader, node: Node, index: int) -> Row | None:
    context = f"第 {index} 个指标"
    if node.kind != "map":
        r.problem(node, f"{context}应为键值表（level1、level2、name、weight、criteria、score…）")
        return None
    r.check_keys(node, _ROW, context)
    name = r.text(node.get("name"), f"{context}的 name（三级指标）")
    where = f"{context}“{name}”" if name else context
    rule = r.text(node.get("rule"), f"{where}的 rule（计分规则）") or None
    target = raw_value(r, node.get("target"), f"{where}的 target（年度指标值）")
    actual = raw_value(r, node.get("actual"), f"{where}的 actual（实际完成值）")
    if rule is not None and (target is not None or actual is not None):
        r.problem(node.get("rule"), f"{where}按 rule（{rule}）由金额计分，不能再写 target、actual；"
                  "请删去其中一种")
    return Row(
        level1=r.text(node.get("level1"), f"{where}的 level1（一级指标）", required=True),
        level2=r.text(node.get("level2"), f"{where}的 level2（二级指标）", required=True),
        name=name,
        weight=r.number(node.get("weight"), f"{where}的 weight（分值）"),
        criteria=r.text(node.get("criteria"), f"{where}的 criteria（评分标准）"),
        score=r.number(node.get("score"), f"{where}的 score（得分）"),
        basis=r.text(node.get("basis"), f"{where}的 basis（得分依据）"),
        rule=rule,
        target=target,
        actual=actual,
        where=where,
        locations={key: r.loc(node.get(key) or node) for key in _ROW},
    )


def _check_rules(r: SpecReader, rows: list[tuple[Row, Node | None]], profile: str, year: int) -> None:
    """Every ``rule`` is one the profile defines (a profile without rules for the year is reported
    when the spec is scored)."""
    try:
        rates = load_evaluation_rules(profile, year).rates
    except PerfEvalError:
        return
    for row, node in rows:
        if row.rule is None or row.rule in rates:
            continue
        close = difflib.get_close_matches(row.rule, list(rates), n=1)
        hint = f"，是不是“{close[0]}”？" if close else "；"
        listed = "、".join(f"{key}（{rate.label}）" for key, rate in rates.items())
        r.problem(node, f"{row.where}的 rule“{row.rule}”不存在{hint}可用：{listed}")


def _check_type(r: SpecReader, node: Node | None, written: str, profile: str, year: int) -> None:
    """The 评价方式 is one the profile names (部门评价, 财政评价)."""
    try:
        types = load_evaluation_rules(profile, year).evaluation_types
    except PerfEvalError:
        return
    if written in types:
        return
    close = difflib.get_close_matches(written, list(types), n=1)
    hint = f"，是不是“{close[0]}”？" if close else "；"
    r.problem(node, f"evaluation_type（评价方式）“{written}”不是评分表的评价方式{hint}可写：{'、'.join(types)}")
