"""The project spec: the input of every command.

A spec is one project's 自评表 content as data (YAML or JSON, amounts in 万元).
It is read strictly: an unknown key is an error naming the key, the line and the
file, with the closest known key suggested. All problems of one file are
reported together. The reader of filled workbooks builds the same
:class:`ProjectSpec`, with cell addresses instead of line numbers.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from . import yamlfile
from .errors import SpecError
from .kinds import KINDS, SELF, kind_problem
from .notation import ParseProblem
from .notation import parse_amount as notation_amount
from .profiles import DEFAULT_PROFILE, available_profiles
from .yamlfile import Node

FUND_ROWS = ("fiscal", "carryover", "other")
FUND_LABELS = {
    "total": "年度资金总额",
    "fiscal": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
FUND_COLUMNS = ("initial", "budget", "executed")
FUND_COLUMN_LABELS = {"initial": "年初预算数", "budget": "全年预算数", "executed": "全年执行数"}
YEARS = range(2000, 2101)  # the evaluation years a spec may name (a sanity bound, not a rule)


@dataclass(frozen=True)
class FundsRow:
    """One row of the 项目资金 block, in 万元."""

    initial: Decimal | None = None
    budget: Decimal | None = None
    executed: Decimal | None = None

    def is_blank(self) -> bool:
        return self.initial is None and self.budget is None and self.executed is None


@dataclass(frozen=True)
class Indicator:
    """One 三级指标 row as written (target and actual not yet interpreted)."""

    level1: str
    level2: str
    name: str
    target: object = None  # str in official notation, or a number
    actual: object = None  # str, number, rating label, or None
    weight: Decimal | None = None
    reason: str = ""
    score: Decimal | None = None  # the 得分 written (the evaluator's pick if qualitative)
    where: str = ""  # e.g. 第 3 个指标“重点单位巡查” or 第 14 行“重点单位巡查”
    locations: Mapping[str, str] = field(default_factory=dict)  # field -> "file:line" / cell
    # fields whose cell a reader could not take as what the field needs: the error value
    # (#REF!) or the text (二十 for a weight), which the engine reports in place of "未填写"
    unread: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Stated:
    """Results a file or report states, checked against the recomputed ones."""

    execution_rate: Decimal | None = None
    execution_score: Decimal | None = None
    total: Decimal | None = None
    grade: str | None = None


@dataclass(frozen=True)
class ProjectSpec:
    """A project and its indicators, ready to be scored."""

    form_kind: ClassVar[str] = "self"  # perfeval_xl.kinds: the 自评表
    year: int
    project: str
    department: str = ""
    unit: str = ""
    profile: str = DEFAULT_PROFILE
    execution_weight: Decimal | None = None
    funds: Mapping[str, FundsRow] = field(default_factory=dict)  # fiscal/carryover/other/total
    goal_expected: str = ""
    goal_actual: str = ""
    indicators: tuple[Indicator, ...] = ()
    stated: Stated = field(default_factory=Stated)
    source: str = ""  # the file it came from
    locations: Mapping[str, str] = field(default_factory=dict)  # "funds.fiscal.budget" -> where
    # amounts a reader could not take as amounts, by the same keys: the error value or the
    # text ("约86"); the engine reports each at its cell and leaves its column's total unknown
    unread: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Reading a spec file

_TOP = {
    "kind": "表的种类",
    "year": "评价年度",
    "profile": "规则",
    "execution_weight": "预算执行率分值",
    "project": "项目名称",
    "department": "主管部门",
    "unit": "实施单位",
    "funds": "项目资金",
    "goals": "年度总体目标",
    "indicators": "绩效指标",
    "stated": "报告所写结果",
}
_FUNDS = {"fiscal", "carryover", "other", "total"}
_GOALS = {"expected", "actual"}
_INDICATOR = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "reason": "偏差原因分析及改进措施",
    "score": "得分",
}
INDICATOR_LABELS = _INDICATOR  # field -> the official column label
_STATED = {"execution_rate", "execution_score", "total", "grade"}


def load_spec(path: str | Path) -> ProjectSpec:
    """Read a spec file (YAML or JSON); raises :class:`SpecError` listing every problem."""
    return read_spec_file(path, spec_from_node)


def spec_from_text(text: str, source: str = "<spec>") -> ProjectSpec:
    """Read a spec from YAML/JSON text (``source`` names it in messages)."""
    return read_spec_text(text, source, spec_from_node)


def spec_from_data(data: Mapping[str, Any], source: str = "<spec>") -> ProjectSpec:
    """Build a spec from plain Python data (as loaded from JSON), strictly."""
    return spec_from_node(node_from_data(data, 0), source)


T = TypeVar("T")
SpecBuilder = Callable[[Node, str, "list[str] | None"], T]  # a form kind's reader of a parsed spec


def read_spec_file(path: str | Path, build: SpecBuilder[T]) -> T:
    """Read a spec file (YAML or JSON) with ``build``, the reader of its form kind; the problems of the
    file's YAML (a repeated key …) are reported with the reader's own."""
    problems: list[str] = []
    root = yamlfile.read(Path(path), problems=problems)
    return build(root, str(path), problems)


def read_spec_text(text: str, source: str, build: SpecBuilder[T]) -> T:
    """Read a spec from YAML/JSON text with ``build`` (``source`` names it in messages)."""
    problems: list[str] = []
    return build(yamlfile.parse(text, source, problems=problems), source, problems)


def node_from_data(value: Any, line: int) -> Node:
    """Plain Python data as a Node tree (every line ``line``), for the spec readers."""
    if isinstance(value, Mapping):
        return Node(
            {str(k): node_from_data(v, line) for k, v in value.items()},
            line,
            "map",
            keys={str(k): line for k in value},
        )
    if isinstance(value, (list, tuple)):
        return Node([node_from_data(v, line) for v in value], line, "seq")
    if value is None:
        return Node(None, line, "null")
    if isinstance(value, bool):
        return Node(value, line, "bool", str(value))
    if isinstance(value, (int, float, Decimal)):
        from .rounding import to_decimal

        return Node(to_decimal(value), line, "number", str(value))
    return Node(str(value), line, "str", str(value))


class SpecReader:
    """Walks a spec's node tree, collecting every problem with its line (the spec of every form
    kind is read with it)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def at(self, node: Node | None) -> str:
        if node is None or node.line == 0:
            return ""
        return f"第 {node.line} 行："

    def loc(self, node: Node | None) -> str:
        if node is None or node.line == 0:
            return self.source
        return f"{self.source}:{node.line}"

    def problem(self, node: Node | None, message: str) -> None:
        self.problems.append(f"{self.at(node)}{message}")

    def check_keys(self, node: Node, allowed: Mapping[str, str] | set[str], context: str) -> None:
        for key, line in node.keys.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f"，是不是“{close[0]}”？" if close else ""
                names = "、".join(allowed)
                prefix = f"第 {line} 行：" if line else ""
                self.problems.append(
                    f"{prefix}{context}中有未知字段“{key}”{hint}（可用字段：{names}）"
                )

    def text(self, node: Node | None, what: str, required: bool = False) -> str:
        if node is None or node.kind == "null":
            if required:
                self.problems.append(f"缺少 {what}")
            return ""
        if node.kind == "number":
            return str(node.raw or node.value)
        if node.kind != "str":
            self.problem(node, f"{what}应为文字")
            return ""
        return str(node.value).strip()

    def number(self, node: Node | None, what: str, minimum: Decimal | None = None) -> Decimal | None:
        if node is None or node.kind == "null":
            return None
        if node.kind != "number":
            self.problem(node, f"{what}“{node.raw}”不是数字，请填写数值（不带单位）")
            return None
        value: Decimal = node.value
        if minimum is not None and value < minimum:
            self.problem(node, f"{what}不能小于 {minimum}（现为 {node.raw}）")
        return value

    def kind(self, node: Node | None, expected: str) -> None:
        """The spec's ``kind`` must be the kind this reader reads (a spec of another kind is refused
        at once)."""
        declared = self.text(node, "kind（表的种类）")
        problem = kind_problem(declared, expected)
        if problem is None:
            return
        self.problem(node, problem)
        if declared in KINDS:  # another kind's spec: its other fields are not this reader's to judge
            raise SpecError(f"项目文件 {self.source} 是{KINDS[declared]}：", self.problems)

    def year(self, node: Node | None) -> int:
        """The evaluation year (required); 0 when missing or wrong (a problem is recorded)."""
        if node is None:
            self.problems.append("缺少 year（评价年度），如 year: 2019")
        elif node.kind != "number" or node.value != node.value.to_integral_value():
            self.problem(node, f"year（评价年度）应为四位年份，现为“{node.raw}”")
        elif node.value not in YEARS:
            self.problem(node, f"year（评价年度）{node.raw} 不在 {YEARS[0]}–{YEARS[-1]} 之间")
        else:
            return int(node.value)
        return 0

    def amount(self, node: Node | None, what: str) -> Decimal | None:
        """An amount in 万元; text with a money unit ("86.54万元", "865400元") converts."""
        if node is None or node.kind == "null":
            return None
        if node.kind == "number":
            return self.number(node, what, Decimal(0))
        if node.kind == "str":
            try:
                value = parse_amount(node.value)
            except ValueError:
                pass
            else:
                if value is not None and value < 0:
                    self.problem(node, f"{what}不能为负数（现为 {node.raw}）")
                return value
        self.problem(node, f"{what}“{node.raw}”不是金额，请填写以万元计的数值（如 87.65）")
        return None


def parse_amount(text: str) -> Decimal | None:
    """An amount written as text, in 万元: "87.65" and "87.65万元" -> 87.65, "865400元" -> 86.54.

    None when the text means empty; ``ValueError`` when it is not an amount.
    """
    try:
        return notation_amount(text)
    except ParseProblem:
        raise ValueError(text) from None


def spec_from_node(root: Node, source: str, problems: list[str] | None = None) -> ProjectSpec:
    """Build a spec from a parsed node tree; raises SpecError with every problem (``problems``:
    those already found in the tree, reported with the others)."""
    r = SpecReader(source)
    r.problems.extend(problems or [])
    if root.kind != "map":
        raise SpecError(f"文件 {source} 的顶层应为键值表（year、project、indicators 等）")
    r.kind(root.get("kind"), SELF)
    r.check_keys(root, _TOP, "项目")
    year = r.year(root.get("year"))
    profile = r.text(root.get("profile"), "profile（规则）") or DEFAULT_PROFILE
    if profile not in available_profiles():
        r.problem(root.get("profile"), f"profile（规则）“{profile}”不存在，可用的有："
                  f"{'、'.join(available_profiles())}（perfeval-xl profiles 列出各规则的说明）")
    execution_weight = r.number(root.get("execution_weight"), "execution_weight（预算执行率分值）",
                                Decimal(0))
    project = r.text(root.get("project"), "project（项目名称）", required=True)
    department = r.text(root.get("department"), "department（主管部门）")
    unit = r.text(root.get("unit"), "unit（实施单位）")

    funds: dict[str, FundsRow] = {}
    locations: dict[str, str] = {}
    funds_node = root.get("funds")
    if funds_node is not None and funds_node.kind != "null":
        if funds_node.kind != "map":
            r.problem(funds_node, "funds（项目资金）应为键值表，含 fiscal、carryover、other")
        else:
            r.check_keys(funds_node, _FUNDS, "funds（项目资金）")
            for row_key, row_node in funds_node.value.items():
                if row_key not in _FUNDS:
                    continue
                label = FUND_LABELS[row_key]
                if row_node.kind == "null":
                    continue
                if row_node.kind != "map":
                    r.problem(row_node, f"funds.{row_key}（{label}）应为 {{initial, budget, executed}}")
                    continue
                r.check_keys(row_node, set(FUND_COLUMNS), f"funds.{row_key}（{label}）")
                values = {}
                for col in FUND_COLUMNS:
                    cell = row_node.get(col)
                    values[col] = r.amount(cell, f"{label}的{FUND_COLUMN_LABELS[col]}")
                    locations[f"funds.{row_key}.{col}"] = r.loc(cell or row_node)
                funds[row_key] = FundsRow(**values)

    goals_node = root.get("goals")
    expected = actual = ""
    if goals_node is not None and goals_node.kind != "null":
        if goals_node.kind != "map":
            r.problem(goals_node, "goals（年度总体目标）应为 {expected, actual}")
        else:
            r.check_keys(goals_node, _GOALS, "goals（年度总体目标）")
            expected = r.text(goals_node.get("expected"), "goals.expected（预期目标）")
            actual = r.text(goals_node.get("actual"), "goals.actual（实际完成情况）")

    indicators: list[Indicator] = []
    ind_node = root.get("indicators")
    if ind_node is None or ind_node.kind == "null":
        r.problems.append("缺少 indicators（绩效指标）列表")
    elif ind_node.kind != "seq":
        r.problem(ind_node, "indicators（绩效指标）应为列表，每项以“- ”开头")
    else:
        for index, item in enumerate(ind_node.value, start=1):
            indicator = _indicator(r, item, index)
            if indicator is not None:
                indicators.append(indicator)

    stated = Stated()
    stated_node = root.get("stated")
    if stated_node is not None and stated_node.kind != "null":
        if stated_node.kind != "map":
            r.problem(stated_node, "stated 应为键值表")
        else:
            r.check_keys(stated_node, _STATED, "stated（报告所写结果）")
            stated = Stated(
                execution_rate=r.number(stated_node.get("execution_rate"), "stated.execution_rate"),
                execution_score=r.number(stated_node.get("execution_score"), "stated.execution_score"),
                total=r.number(stated_node.get("total"), "stated.total"),
                grade=r.text(stated_node.get("grade"), "stated.grade") or None,
            )
            for key in _STATED:
                if stated_node.get(key) is not None:
                    locations[f"stated.{key}"] = r.loc(stated_node.get(key))

    if r.problems:
        raise SpecError(f"项目文件 {source} 有 {len(r.problems)} 处错误，请修改后再试：", r.problems)
    return ProjectSpec(
        year=year,
        project=project,
        department=department,
        unit=unit,
        profile=profile,
        execution_weight=execution_weight,
        funds=funds,
        goal_expected=expected,
        goal_actual=actual,
        indicators=tuple(indicators),
        stated=stated,
        source=source,
        locations=locations,
    )


def _indicator(r: SpecReader, node: Node, index: int) -> Indicator | None:
    context = f"第 {index} 个指标"
    if node.kind != "map":
        r.problem(node, f"{context}应为键值表（level1、level2、name、target、weight…）")
        return None
    r.check_keys(node, _INDICATOR, context)
    name = r.text(node.get("name"), f"{context}的 name（三级指标）")
    where = f"{context}“{name}”" if name else context
    level1 = r.text(node.get("level1"), f"{where}的 level1（一级指标）", required=True)
    level2 = r.text(node.get("level2"), f"{where}的 level2（二级指标）", required=True)
    target = raw_value(r, node.get("target"), f"{where}的 target（年度指标值）")
    actual = raw_value(r, node.get("actual"), f"{where}的 actual（实际完成值）")
    weight = r.number(node.get("weight"), f"{where}的 weight（分值）")
    reason = r.text(node.get("reason"), f"{where}的 reason（偏差原因）")
    score = r.number(node.get("score"), f"{where}的 score（得分）")
    locations = {key: r.loc(node.get(key) or node) for key in _INDICATOR}
    return Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=target,
        actual=actual,
        weight=weight,
        reason=reason,
        score=score,
        where=where,
        locations=locations,
    )


def raw_value(r: SpecReader, node: Node | None, what: str) -> object:
    """A target or actual value as written: text or a number (None when empty)."""
    if node is None or node.kind == "null":
        return None
    if node.kind == "number":
        return node.value
    if node.kind == "str":
        return node.value
    r.problem(node, f"{what}应为文字或数字")
    return None
