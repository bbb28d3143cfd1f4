"""Score a project: the reference every other part of perfeval-xl is measured against.

:func:`score_project` takes a :class:`~perfeval_xl.spec.ProjectSpec` (from a spec
file or read from a workbook), interprets every target and actual value,
applies the profile's rules and returns a :class:`ProjectResult` with every
score, the total, the grade and every finding.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from . import display, scoring
from . import findings as F
from .findings import Finding, Reported
from .notation import (
    COMPOUND,
    DEADLINE,
    ERROR_VALUES,
    PERCENT,
    Direction,
    ParseProblem,
    Quantity,
    Target,
    UnitMismatch,
    approximate_word,
    convert,
    direction_of,
    format_number,
    has_digit,
    infer_direction,
    is_duration_limit,
    is_empty,
    normalize,
    parse_quantity,
    parse_target,
    percent_rescaled,
)
from .profiles import Band, Rules, load_rules
from .rounding import as_float, div, out_of_range, round_half_away
from .spec import FUND_COLUMN_LABELS, FUND_COLUMNS, FUND_LABELS, FUND_ROWS, FundsRow, Indicator, ProjectSpec

ZERO = Decimal(0)
_n = display.number
_amount = display.amount
_pct = display.percent
_dev = display.deviation
_LABEL_WEIGHT = re.compile(r"^(.*?)\((\d+(?:\.\d+)?)分?\)$")


@dataclass
class ExecutionResult:
    """预算执行率: the 年度资金总额 row and its score."""

    weight: Decimal
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    score: Decimal | None


@dataclass
class IndicatorResult:
    """One indicator, interpreted and scored."""

    spec: Indicator
    level1: str  # canonical names
    level2: str
    target: Target | None
    direction: Direction | None
    sign_inferred: bool
    actual: Decimal | None  # in the target's unit (fractions for %)
    band: Band | None  # qualitative rating
    weight: Decimal | None
    score: Decimal | None
    deviation: Decimal | None
    reason_required: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def state(self) -> str:
        """Why there is no score (for the status line), or "ok"."""
        codes = {f.code for f in self.findings}
        unread = self.spec.unread
        if codes & {"target-missing", "weight-missing", "weight-invalid"} or {"target", "weight"} & set(unread):
            return "undeclared"
        if "actual-missing" in codes:
            return "missing"
        beyond = any(f.code == "number-out-of-range" and f.location == self.spec.locations.get("actual")
                     and f.location for f in self.findings)
        if codes & {"actual-not-number", "unit-mismatch", "rating-unknown", "actual-number-for-qualitative"} \
                or "actual" in unread or beyond:
            return "invalid"
        if codes & {"score-required", "score-out-of-band"}:
            return "needs-score"
        return "ok"


@dataclass
class BlockResult:
    """A weighted block of 一级指标 with its subtotal."""

    name: str
    levels: tuple[str, ...]
    rule_weight: Decimal
    weight: Decimal
    score: Decimal


@dataclass
class ProjectResult(Reported):
    """Everything computed for one project."""

    form_kind: ClassVar[str] = "self"  # perfeval_xl.kinds: the 自评表
    spec: ProjectSpec
    rules: Rules
    execution: ExecutionResult
    indicators: list[IndicatorResult]
    blocks: list[BlockResult]
    weight_total: Decimal
    total: Decimal
    grade: str | None
    complete: bool
    findings: list[Finding]  # project-level
    kind: str = "spec"  # where the project was read from: spec, perfeval-xl (our form), hand-made
    sheet: str | None = None

    def status(self) -> str:
        return status_text(self)


def score_project(spec: ProjectSpec, rules: Rules | None = None) -> ProjectResult:
    """Score ``spec`` under its profile (or ``rules`` when given)."""
    if rules is None:
        rules = load_rules(spec.profile, spec.year)
    project_findings: list[Finding] = []
    execution = _execution(spec, rules, project_findings)
    indicators = [_indicator(ind, rules) for ind in spec.indicators]
    _check_duplicates(indicators)
    blocks = _blocks(spec, indicators, rules, project_findings)
    weights = [i.weight for i in indicators if i.weight is not None]
    weight_total = execution.weight + sum(weights, ZERO)
    if weight_total != rules.total_points:
        project_findings.append(F.error(
            "weights-total", "分值",
            f"预算执行率与各指标分值合计为 {_n(weight_total)}，应为 {_n(rules.total_points)}，请调整分值",
        ))
    scores = [i.score for i in indicators if i.score is not None]
    if execution.score is not None:
        scores.append(execution.score)
    total = scoring.total_score(scores, rules.score_places)
    complete = execution.score is not None and all(i.score is not None for i in indicators)
    grade = rules.grade_of(total) if complete else None
    result = ProjectResult(
        spec=spec,
        rules=rules,
        execution=execution,
        indicators=indicators,
        blocks=blocks,
        weight_total=weight_total,
        total=total,
        grade=grade,
        complete=complete,
        findings=project_findings,
    )
    _check_stated(result)
    return result


# ---------------------------------------------------------------------------
# 项目资金


def _execution(spec: ProjectSpec, rules: Rules, out: list[Finding]) -> ExecutionResult:
    weight = spec.execution_weight if spec.execution_weight is not None else rules.execution_weight
    rows = [spec.funds.get(key, FundsRow()) for key in FUND_ROWS]
    stated_total = spec.funds.get("total")
    # a column with an amount that could not be read has no total (the form's formulas agree)
    unknown = {col for col in FUND_COLUMNS if any(f"funds.{key}.{col}" in spec.unread for key in FUND_ROWS)}
    sums: dict[str, Decimal | None] = {}
    for col in FUND_COLUMNS:
        values = [getattr(row, col) for row in rows if getattr(row, col) is not None]
        sums[col] = sum(values, ZERO) if values and col not in unknown else None
    if stated_total is not None and not stated_total.is_blank():
        for col in FUND_COLUMNS:
            stated, summed = getattr(stated_total, col), sums[col]
            if stated is not None and summed is not None and stated != summed:
                shown_stated, shown_summed = display.amounts(stated, summed)
                out.append(F.error(
                    "funds-total-mismatch", f"项目资金·{FUND_COLUMN_LABELS[col]}",
                    f"年度资金总额 {shown_stated} 万元不等于各资金来源之和 {shown_summed} 万元，"
                    "请核对当年财政拨款、上年结转资金和其他资金",
                    spec.locations.get(f"funds.total.{col}"),
                ))
        budget = stated_total.budget if stated_total.budget is not None else sums["budget"]
        executed = stated_total.executed if stated_total.executed is not None else sums["executed"]
    else:
        budget, executed = sums["budget"], sums["executed"]
    total_of = {"initial": None, "budget": budget, "executed": executed}
    for key in (*FUND_ROWS, "total"):
        for col in FUND_COLUMNS:
            text = spec.unread.get(f"funds.{key}.{col}")
            if text is not None:
                blocks = col != "initial" and total_of[col] is None
                out.append(_unread_amount(key, col, text, spec.locations.get(f"funds.{key}.{col}"), blocks))
    for key in (*FUND_ROWS, "total"):
        row = spec.funds.get(key)
        for col in FUND_COLUMNS:
            value = getattr(row, col) if row else None
            if value is not None and value < 0:
                out.append(F.error(
                    "funds-invalid", f"项目资金·{FUND_LABELS[key]}",
                    f"{FUND_COLUMN_LABELS[col]} {_n(value)} 为负数，请填写实际金额",
                    spec.locations.get(f"funds.{key}.{col}"),
                ))
    rate = score = None
    where = "项目资金·年度资金总额"
    location = _funds_location(spec, "budget")
    beyond = [_range_error(getattr(row, col), f"{FUND_COLUMN_LABELS[col]}", f"项目资金·{FUND_LABELS[key]}",
                           spec.locations.get(f"funds.{key}.{col}"))
              for key in (*FUND_ROWS, "total") if (row := spec.funds.get(key)) for col in FUND_COLUMNS]
    beyond += [_range_error(spec.execution_weight, "预算执行率分值", where,
                            spec.locations.get("execution_weight") or location),
               # a sum of amounts within range is itself computable; only a tiny one is not
               _range_error(budget, "全年预算数", where, location, divisor=True)
               if out_of_range(budget, divisor=True) == "过小" else None]
    if any(beyond):
        out.extend(f for f in beyond if f is not None)
        return ExecutionResult(weight, None if out_of_range(budget) else budget,
                               None if out_of_range(executed) else executed, None, None)
    if budget is None or executed is None:
        missing = [col for col, value in (("budget", budget), ("executed", executed))
                   if value is None and col not in unknown]
        if missing:  # an unreadable amount is reported at its cell, above
            out.append(F.error(
                "funds-missing", where,
                f"{'、'.join(FUND_COLUMN_LABELS[col] for col in missing)}未填写，无法计算预算执行率得分",
                _funds_location(spec, missing[0]),
            ))
    elif budget <= 0:
        out.append(F.error(
            "funds-missing", where, "全年预算数为 0，无法计算执行率，请填写全年预算数", location,
        ))
    else:
        rate = scoring.execution_rate(budget, executed, rules.rate_places)
        score = scoring.execution_score(budget, executed, weight, rules.score_places)
        if executed > budget:
            out.append(F.warning(
                "funds-over-executed", where,
                f"全年执行数 {_amount(executed)} 万元大于全年预算数 {_amount(budget)} 万元，"
                "执行率得分按满分封顶，请核对金额",
                _funds_location(spec, "executed"),
            ))
        line = rules.execution_reason_below
        if line is not None and rate < line:
            out.append(F.warning(
                "execution-low", where,
                f"预算执行率 {_pct(rate, 2)} 低于 {_pct(line, 0)}，须在报告中说明原因",
                location,
            ))
    if not (budget is not None and executed is not None and executed > budget):
        # the total is within budget, but one source may be over it (and another under)
        for key in FUND_ROWS:
            row = spec.funds.get(key)
            if row is not None and row.budget is not None and row.executed is not None \
                    and row.executed > row.budget:
                out.append(F.warning(
                    "funds-over-executed", f"项目资金·{FUND_LABELS[key]}",
                    f"{FUND_LABELS[key]}的全年执行数 {_amount(row.executed)} 万元大于全年预算数 "
                    f"{_amount(row.budget)} 万元，请核对金额",
                    spec.locations.get(f"funds.{key}.executed"),
                ))
    return ExecutionResult(weight, budget, executed, rate, score)


def _unread_amount(key: str, col: str, text: str, location: str | None, blocks: bool) -> Finding:
    """An amount cell that holds an error value or a text that is not an amount (``blocks``:
    and so the execution rate cannot be computed)."""
    where, what = f"项目资金·{FUND_LABELS[key]}", FUND_COLUMN_LABELS[col]
    effect = "，无法计算预算执行率" if blocks else ""
    if text in ERROR_VALUES:
        return F.error("cell-error", where, f"{what}是错误值 {text}（公式出错）{effect}；请改为以万元计的金额",
                       location)
    return F.error("cell-not-number", where,
                   f"{what}“{text}”不是金额{effect}；请填写以万元计的数值（如 87.65），"
                   "或写明单位（如 876500元、87.65万元）", location)


def unread_cell(what: str, text: str, where: str, location: str | None, fill: str) -> Finding:
    """An input cell a reader could not take as what ``what`` needs: an error value, or a text
    that is not a number. ``fill`` says what to write instead."""
    if text in ERROR_VALUES:
        return F.error("cell-error", where, f"{what}是错误值 {text}（公式出错），无法计分；请改为{fill}", location)
    return F.error("cell-not-number", where, f"{what}“{text}”不是数字，无法计分；请填写{fill}", location)


def _range_error(value: Decimal | None, what: str, where: str, location: str | None,
                 divisor: bool = False) -> Finding | None:
    """An error when ``value`` is beyond what a spreadsheet computes exactly (see rounding.out_of_range)."""
    problem = out_of_range(value, divisor)
    if problem is None or value is None:
        return None
    shown = f"{value.normalize():E}"
    if problem == "过大":
        text = (f"数值过大：{what}为 {shown}，超出电子表格能准确计算的范围（15 位有效数字）；"
                "请检查是否多输了数字或写错了单位")
    else:
        text = f"数值过小：{what}为 {shown}，无法据以计算；请检查是否写错了单位或小数点"
    return F.error("number-out-of-range", where, text, location)


range_error = _range_error  # for the other form kinds' amounts and scores


def _funds_location(spec: ProjectSpec, col: str) -> str | None:
    """Where the total's ``col`` is written: the 年度资金总额 row if the spec has one, else the
    first source row that has the amount."""
    for key in ("total", *FUND_ROWS):
        location = spec.locations.get(f"funds.{key}.{col}")
        if location:
            return location
    return None


# ---------------------------------------------------------------------------
# 绩效指标


def _level_name(text: str) -> tuple[str, Decimal | None]:
    name = normalize(text)
    match = _LABEL_WEIGHT.match(name)
    if match:
        return match.group(1), Decimal(match.group(2))
    return name, None


def resolve_level1(text: str, rules: Rules) -> tuple[str | None, bool]:
    """The canonical 一级指标 name and whether an alias was used; None if unknown."""
    name, _ = _level_name(text)
    if name in rules.hierarchy:
        return name, False
    for candidate in (rules.level_aliases.get(name), name + "指标"):
        if candidate in rules.hierarchy:
            return candidate, candidate != name + "指标"
    return None, False


def resolve_level2(text: str, rules: Rules) -> tuple[str | None, str | None, bool]:
    """(canonical 二级 name, the 一级 it belongs to, alias used) or Nones if unknown."""
    name, _ = _level_name(text)
    owners = rules.level2_owner
    if name in owners:
        return name, owners[name], False
    for candidate in (rules.level_aliases.get(name), name + "指标"):
        if candidate in owners:
            return candidate, owners[candidate], candidate != name + "指标"
    return None, None, False


def _indicator(ind: Indicator, rules: Rules) -> IndicatorResult:
    out: list[Finding] = []
    where = ind.where or f"指标“{ind.name}”"
    loc = ind.locations.get

    level1, alias1 = resolve_level1(ind.level1, rules)
    level2, owner, alias2 = resolve_level2(ind.level2, rules)
    known1 = "、".join(rules.hierarchy)
    if level1 is None:
        out.append(F.error(
            "level1-unknown", where,
            f"一级指标“{ind.level1}”不在规则 {rules.profile} 的指标体系中，应为：{known1}",
            loc("level1"),
        ))
    elif alias1:
        out.append(F.note("level-alias", where, f"一级指标“{ind.level1}”按“{level1}”识别", loc("level1")))
    if level2 is None:
        options = "、".join(rules.hierarchy.get(level1 or "", ())) or "、".join(
            l2 for l2s in rules.hierarchy.values() for l2 in l2s
        )
        out.append(F.error(
            "level2-unknown", where,
            f"二级指标“{ind.level2}”不在规则 {rules.profile} 的指标体系中，应为：{options}",
            loc("level2"),
        ))
    else:
        if alias2:
            out.append(F.note("level-alias", where, f"二级指标“{ind.level2}”按“{level2}”识别", loc("level2")))
        if level1 is not None and owner != level1:
            out.append(F.error(
                "level2-misplaced", where,
                f"二级指标“{level2}”属于“{owner}”，不属于“{level1}”，请核对一级指标",
                loc("level2"),
            ))
    if not ind.name.strip():
        out.append(F.error("name-missing", where, "三级指标名称为空，请填写指标名称", loc("name")))

    weight = checked_weight(ind.weight, where, loc("weight"), out, ind.unread.get("weight"))
    return score_target_row(ind, rules, level1 or _level_name(ind.level1)[0],
                            level2 or _level_name(ind.level2)[0], weight, out)


def checked_weight(weight: Decimal | None, where: str, location: str | None,
                   out: list[Finding], unread: str | None = None) -> Decimal | None:
    """An indicator's 分值 if it can be scored with; a missing, unreadable (``unread``: what its
    cell holds), negative or out-of-range one is a finding in ``out`` (and None)."""
    if weight is None and unread is not None:
        out.append(unread_cell("分值", unread, where, location, "该指标的分值（数字）"))
    elif weight is None:
        out.append(F.error("weight-missing", where, "分值未填写，请填写该指标的分值", location))
    elif weight < 0:
        out.append(F.error("weight-invalid", where, f"分值 {_n(weight)} 为负数", location))
        weight = None
    elif (too := _range_error(weight, "分值", where, location)) is not None:
        out.append(too)
        weight = None
    return weight


def score_target_row(ind: Indicator, rules: Rules, level1: str, level2: str, weight: Decimal | None,
                     out: list[Finding]) -> IndicatorResult:
    """Interpret and score one row of target against actual — a 三级指标 of the 自评表, or a row of
    another form kind scored the same way — whose levels (canonical names) and checked ``weight``
    are given; its findings are added to ``out``."""
    where = ind.where or f"指标“{ind.name}”"
    loc = ind.locations.get
    target = parse_target(ind.target)
    result = IndicatorResult(
        spec=ind, level1=level1, level2=level2,
        target=target, direction=None, sign_inferred=False, actual=None, band=None,
        weight=weight, score=None, deviation=None, reason_required=False, findings=out,
    )
    if target is None and "target" in ind.unread:
        out.append(unread_cell("年度指标值", ind.unread["target"], where, loc("target"), "申报的指标值"))
        return result
    if target is None:
        out.append(F.error("target-missing", where, "年度指标值未填写，请填写申报的指标值", loc("target")))
        return result
    if (too := _range_error(target.value, "年度指标值", where, loc("target"), divisor=True)) is not None:
        out.append(too)
        return result
    # 约20场, 200余人, 30天左右: a number made approximate (qualitative text like 多部门协同 is not)
    word = approximate_word(target.text)
    if word is not None and (not target.qualitative or has_digit(normalize(target.text))):
        as_what = ("已按定性指标处理" if target.qualitative
                   else f"按 {format_number((target.value or ZERO) * target.display_scale)} 计分")
        out.append(F.warning(
            "target-approximate", where,
            f"年度指标值“{target.text}”含“{word}”，不是确切数值，{as_what}；"
            "定量指标请写确切数值和比较符号（如 ≥200人）",
            loc("target"),
        ))
    if target.qualitative and word is None:
        if target.reading == DEADLINE:
            out.append(F.note("target-deadline", where, deadline_message(target), loc("target")))
        elif target.digits_as_qualitative:
            out.append(F.warning("target-qualitative-digits", where, qualitative_digits_message(target),
                                 loc("target")))
    if target.qualitative:
        _qualitative(result, rules, where)
    else:
        _quantitative(result, rules, where)
    if result.score is not None:
        result.score = round_half_away(result.score, rules.score_places)
        written = ind.score
        if written is not None and not target.qualitative and written != result.score:
            out.append(F.error(
                "score-differs", where,
                f"写的得分为 {_n(written)}，按规则应为 {_n(result.score)}"
                f"（{_explain(result, rules)}）",
                loc("score"),
            ))
    if result.reason_required and is_empty(ind.reason):
        out.append(F.error(
            "reason-missing", where, _reason_message(result, rules), loc("reason"),
        ))
    return result


def qualitative_digits_message(target: Target) -> str:
    """What a target with digits read as qualitative was understood as (engine and batch say it alike)."""
    why = "含有不止一个数值或多余的符号" if target.reading == COMPOUND else "数值前有其他文字"
    return (f"年度指标值“{target.text}”含有数字，但读不出“比较符号+数值+单位”（{why}），已按定性指标处理："
            "实际完成值须选择评价档次；如为定量指标，请写成 ≥3500批次、95%以上、≤87.65万元 这样的写法")


def deadline_message(target: Target) -> str:
    return f"年度指标值“{target.text}”按时限（日期）理解，为定性指标：实际完成值须选择评价档次"


def _actual_unread(result: IndicatorResult) -> bool:
    """Report an actual value whose cell holds an error value; True when there was one."""
    ind = result.spec
    text = ind.unread.get("actual")
    if text is None:
        return False
    result.findings.append(unread_cell("实际完成值", text, ind.where or f"指标“{ind.name}”",
                                       ind.locations.get("actual"), "实际完成的数值或评价档次"))
    return True


def _qualitative(result: IndicatorResult, rules: Rules, where: str) -> None:
    ind, out, loc = result.spec, result.findings, result.spec.locations.get
    assert result.target is not None
    if _actual_unread(result):
        return
    if is_empty(ind.actual):
        out.append(F.error(
            "actual-missing", where,
            "实际完成值未填写，请选择评价档次：" + " / ".join(b.label for b in rules.bands),
            loc("actual"),
        ))
        if ind.score is not None:
            out.append(F.warning("score-ignored", where, "尚未选择评价档次，所填评分未计入", loc("score")))
        return
    band = rating_band(ind.actual, rules)
    if band is None and normalize(str(ind.actual)) == normalize(result.target.text):
        band = rules.band("achieved")
        out.append(F.note(
            "rating-from-target", where,
            f"实际完成值“{ind.actual}”与年度指标值相同，按“{band.label}”计", loc("actual"),
        ))
    if band is None and (not isinstance(ind.actual, str) or has_digit(normalize(ind.actual))):
        out.append(F.error(
            "actual-number-for-qualitative", where,
            f"年度指标值“{result.target.text}”是定性指标，实际完成值“{_shown_value(ind.actual)}”却是数值；"
            "请选择评价档次（" + " / ".join(b.label for b in rules.bands) + "），"
            "如该指标应为定量指标，请把年度指标值改成定量写法（如 ≥3500批次）",
            loc("actual"),
        ))
        return
    if band is None:
        out.append(F.error(
            "rating-unknown", where,
            f"定性指标的实际完成值“{ind.actual}”不是评价档次，请选择："
            + " / ".join(b.label for b in rules.bands),
            loc("actual"),
        ))
        return
    result.band = band
    result.reason_required = rules.reason_shortfall and band.key != "achieved"
    if result.weight is None:
        return
    if (too := _range_error(ind.score, "评分", where, loc("score"))) is not None:
        out.append(too)
        return
    score = scoring.qualitative_score(band, result.weight, ind.score)
    if score is None and ind.score is None:
        out.append(F.error(
            "score-required", where,
            f"“{band.label}”须给分（{band.describe(result.weight)}），请填写得分",
            loc("score"),
        ))
    elif score is None:
        out.append(F.error(
            "score-out-of-band", where,
            f"评分 {_n(ind.score)} 不在“{band.label}”的分值范围内（{band.describe(result.weight)}），"
            "请改评分或改评价档次",
            loc("score"),
        ))
    result.score = score


def rating_band(value: object, rules: Rules) -> Band | None:
    """The qualitative band a written rating names (full label or short form)."""
    if not isinstance(value, str):
        return None
    text = normalize(value)
    for band in rules.bands:
        if text == normalize(band.label) or text in {normalize(a) for a in band.aliases}:
            return band
    return None


def _quantitative(result: IndicatorResult, rules: Rules, where: str) -> None:
    ind, out, loc = result.spec, result.findings, result.spec.locations.get
    target = result.target
    assert target is not None and target.value is not None
    if target.sign is None:
        result.direction = infer_direction(target, result.level2, rules.lower_level2)
        result.sign_inferred = True
        why = (
            f"二级指标为{result.level2}，" if result.level2 in rules.lower_level2
            else f"{result.level2}的时长是时限，" if is_duration_limit(target, result.level2)
            else "指标值为 0，" if target.value == 0 else ""
        )
        shown = "≤" if result.direction is Direction.LOWER else "≥"
        out.append(F.note(
            "sign-inferred", where,
            f"年度指标值“{target.text}”未写比较符号，{why}按 {shown}（{result.direction.label}指标）计分",
            loc("target"),
        ))
    else:
        result.direction = direction_of(target.sign)
    if _actual_unread(result):
        return
    if is_empty(ind.actual):
        out.append(F.error("actual-missing", where, "实际完成值未填写，请填写实际完成的数值", loc("actual")))
        return
    try:
        quantity = parse_quantity(ind.actual)
    except ParseProblem:
        example = format_number(target.value, target.unit)
        out.append(F.error(
            "actual-not-number", where,
            f"实际完成值“{ind.actual}”不是确切数字，请填写数值（如 {example}）",
            loc("actual"),
        ))
        return
    assert quantity is not None
    if quantity.sign is not None:
        out.append(F.warning(
            "actual-has-sign", where,
            f"实际完成值“{quantity.text}”带有比较符号，按 {format_number(quantity.value, quantity.unit or '')} 计",
            loc("actual"),
        ))
    try:
        actual, converted = convert(quantity, target)
    except UnitMismatch:
        out.append(F.error(
            "unit-mismatch", where,
            f"实际完成值“{quantity.text}”与年度指标值“{target.text}”的单位不能换算，"
            f"请按 {target.unit or '指标值的单位'} 填写",
            loc("actual"),
        ))
        return
    if (too := _range_error(actual, "实际完成值", where, loc("actual"))) is not None:
        out.append(too)
        return
    if converted:
        out.append(F.note(
            "unit-converted", where,
            f"实际完成值“{quantity.text}”换算为 {format_number(actual, target.unit)}", loc("actual"),
        ))
    rescaled = percent_rescaled(target.value, target.unit, actual, quantity.unit == PERCENT)
    if rescaled is not None:
        out.append(F.warning(
            "percent-scale", where, _rescaled_message(target, quantity, actual, rescaled), loc("actual"),
        ))
        actual = rescaled
    elif target.is_percent and quantity.unit is None and actual > 1:
        out.append(F.warning(
            "percent-as-fraction", where,
            f"实际完成值 {quantity.text} 没有百分号，按比例理解为 {format_number(actual, '%')}；"
            f"若指 {quantity.text}% 请写成“{quantity.text}%”",
            loc("actual"),
        ))
    result.actual = actual
    direction = result.direction
    assert direction is not None
    result.deviation = scoring.deviation(target.value, actual, rules.deviation_places)
    shortfall = rules.reason_shortfall and scoring.is_shortfall(target.value, actual, direction)
    excess = scoring.is_large_excess(
        target.value, actual, direction, rules.reason_excess_ratio,
        rules.reason_excess_zero_target, target.display_scale,
    )
    result.reason_required = shortfall or excess
    if result.weight is not None:
        result.score = scoring.quantitative_score(
            target.value, actual, result.weight, direction, rules.lower_formula, rules.equal_formula,
        )


def _rescaled_message(target: Target, quantity: Quantity, actual: Decimal, rescaled: Decimal) -> str:
    """What a percentage written without its % was read as (notation.percent_rescaled)."""
    typed = format_number(actual) if quantity.unit is None else format_number(actual, PERCENT)
    if target.is_percent:
        return (f"实际完成值 {typed} 没有百分号，年度指标值“{target.text}”是百分数，按 {typed}% 计；"
                f"请写成“{typed}%”")
    assert target.value is not None
    if rescaled > actual:  # a target in whole percents without its %: 95 against 97.9%
        return (f"年度指标值“{target.text}”没有写 %，按 {format_number(target.value)}% 理解，"
                f"实际完成值 {format_number(actual, PERCENT)} 按 {format_number(rescaled)} 计；请在年度指标值中写明 %")
    return (f"年度指标值“{target.text}”没有写 %，按 {format_number(target.value, PERCENT)} 理解，"
            f"实际完成值 {typed} 按 {typed}% 计；请在年度指标值和实际完成值中写明 %")


def _reason_message(result: IndicatorResult, rules: Rules) -> str:
    if result.band is not None:
        return f"评价为“{result.band.label}”，请填写偏差原因分析及改进措施"
    target, actual = result.target, result.actual
    assert target is not None and target.value is not None and actual is not None
    shown = format_number(actual, target.unit)
    direction = result.direction or Direction.HIGHER
    if scoring.is_shortfall(target.value, actual, direction):
        # as a person says it: 8次 未达到 ≥10次; 420.5万元 超过 ≤416.74万元; 95% 不等于 ＝100%
        verb = {Direction.HIGHER: "未达到", Direction.LOWER: "超过", Direction.EQUAL: "不等于"}[direction]
        return f"实际完成值 {shown} {verb}年度指标值“{target.text}”，请填写偏差原因分析及改进措施"
    # beaten by far: 超出 ≥10次 较多, but 低于 ≤5个工作日 较多
    verb = "低于" if direction is Direction.LOWER else "超出"
    return (
        f"实际完成值 {shown} {verb}年度指标值“{target.text}”较多（偏差率 {_dev(result.deviation)}），"
        "请分析原因；若年度指标值设定明显偏低，应按偏离度适度调减分值"
    )


def _explain(result: IndicatorResult, rules: Rules) -> str:
    target, actual, weight = result.target, result.actual, result.weight
    if target is None or actual is None or weight is None or target.value is None:
        return "按评价档次"
    a, t = format_number(actual, target.unit), format_number(target.value, target.unit)
    if result.score == weight:
        return f"实际 {a} 达到指标值 {t}，得满分"
    if result.direction is Direction.HIGHER:
        return f"{_n(weight)} × {a} ÷ {t}"
    if result.direction is Direction.LOWER and rules.lower_formula == "ratio":
        return f"{_n(weight)} × {t} ÷ {a}"
    return f"按{rules.sources['lower_formula'].note or '规则'}计算"


def _check_duplicates(indicators: list[IndicatorResult]) -> None:
    """Two indicators of a project with the same name (under any 二级指标) are probably one
    indicator written twice."""
    groups: dict[str, list[IndicatorResult]] = {}
    for ind in indicators:
        if ind.spec.name.strip():
            groups.setdefault(normalize(ind.spec.name), []).append(ind)
    for same in groups.values():
        if len(same) < 2:
            continue
        places = "、".join(dict.fromkeys(i.level2 for i in same))
        for ind in same:
            ind.findings.append(F.warning(
                "duplicate-indicator", ind.spec.where,
                f"项目中有 {len(same)} 个同名指标“{ind.spec.name}”（{places}），请确认是否重复填写",
                ind.spec.locations.get("name"),
            ))


def _blocks(
    spec: ProjectSpec, indicators: list[IndicatorResult], rules: Rules, out: list[Finding]
) -> list[BlockResult]:
    blocks = []
    for block in rules.blocks:
        members = [i for i in indicators if i.level1 in block.levels]
        weight = sum((i.weight for i in members if i.weight is not None), ZERO)
        score = sum((i.score for i in members if i.score is not None), ZERO)
        blocks.append(BlockResult(block.name, block.levels, block.weight, weight, score))
        if weight != block.weight:
            out.append(F.warning(
                "block-weight", block.name,
                f"{block.name}分值合计 {_n(weight)}，规则原则上为 {_n(block.weight)}"
                f"（{rules.sources['blocks'].document}：如有特殊情况可适当调整，请确认）",
            ))
    # 一级指标 labels that carry their own weight: 产出指标(50分)
    labelled: dict[str, tuple[Decimal, str | None]] = {}
    for ind in indicators:
        _, label_weight = _level_name(ind.spec.level1)
        if label_weight is not None:
            labelled.setdefault(ind.level1, (label_weight, ind.spec.locations.get("level1")))
    for level1, (label_weight, location) in labelled.items():
        weight = sum((i.weight for i in indicators if i.level1 == level1 and i.weight is not None), ZERO)
        if weight != label_weight:
            out.append(F.warning(
                "label-weight", level1,
                f"名称写明 {_n(label_weight)} 分，但其下各指标分值合计为 {_n(weight)}", location,
            ))
    return blocks


def _check_stated(result: ProjectResult) -> None:
    stated, spec = result.spec.stated, result.spec
    out = result.findings
    execution = result.execution
    checks: list[tuple[str, Any, Any, str]] = [
        ("execution_score", stated.execution_score, execution.score, "预算执行率得分"),
        ("total", stated.total, result.total if result.complete else None, "总分"),
    ]
    for key, claimed, computed, label in checks:
        if claimed is not None and computed is not None and claimed != computed:
            extra = ""
            if key == "execution_score" and execution.budget and execution.executed is not None:
                extra = (f"（{_n(execution.weight)} × {_amount(execution.executed)} ÷ "
                         f"{_amount(execution.budget)}，按金额计算）")
            out.append(F.error(
                "stated-differs", label, f"写的{label}为 {_n(claimed)}，按规则应为 {_n(computed)}{extra}",
                spec.locations.get(f"stated.{key}"),
            ))
    if stated.execution_rate is not None and execution.rate is not None:
        # A rate is written to whatever precision the report uses (81.2%): compare at it.
        exponent = stated.execution_rate.normalize().as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
        assert execution.budget and execution.executed is not None
        raw_rate = div(execution.executed, execution.budget)
        if round_half_away(raw_rate, places) != stated.execution_rate:
            out.append(F.error(
                "stated-differs", "预算执行率",
                f"写的执行率为 {_pct(stated.execution_rate, 2)}，按金额应为 {_pct(execution.rate, 2)}",
                spec.locations.get("stated.execution_rate"),
            ))
    if stated.grade and result.grade and normalize(stated.grade)[:1] != result.grade[:1]:
        out.append(F.error(
            "stated-differs", "评价等级",
            f"写的等级为“{stated.grade}”，按总分 {_n(result.total)} 应为“{result.grade}”",
            spec.locations.get("stated.grade"),
        ))


# ---------------------------------------------------------------------------
# The status line (the form computes the same text in formulas)


def status_parts(result: ProjectResult) -> list[str]:
    """The problems the form's status line names, in its order."""
    states = Counter(i.state for i in result.indicators)
    reasons = sum(1 for i in result.indicators if any(f.code == "reason-missing" for f in i.findings))
    parts = []
    if result.execution.score is None:
        parts.append("项目资金未填写完整")
    line, rate = result.rules.execution_reason_below, result.execution.rate
    if line is not None and rate is not None and rate < line:  # execution-low
        parts.append(f"预算执行率低于 {_n(line * 100)}%，须在报告中说明原因")
    if states["undeclared"]:
        parts.append(f"{states['undeclared']} 项指标值或分值未填写")
    if states["missing"]:
        parts.append(f"{states['missing']} 项实际完成值未填写")
    if states["invalid"]:
        parts.append(f"{states['invalid']} 项实际完成值无法识别")
    if states["needs-score"]:
        parts.append(f"{states['needs-score']} 项定性指标需在档次内评分")
    if reasons:
        parts.append(f"{reasons} 项偏差未说明原因")
    if result.weight_total != result.rules.total_points:
        parts.append(f"分值合计 {_n(result.weight_total)}，应为 {_n(result.rules.total_points)}")
    return parts


COMPLETE_STATUS = "已填写完整"


def status_text(result: ProjectResult) -> str:
    """`3 项偏差未说明原因` / `已填写完整`."""
    return "；".join(status_parts(result)) or COMPLETE_STATUS


# ---------------------------------------------------------------------------
# JSON


def to_dict(result: ProjectResult) -> dict[str, Any]:
    """The result as JSON-ready data (numbers as floats of the rounded decimals)."""
    spec, ex = result.spec, result.execution
    return {
        "project": spec.project,
        "department": spec.department,
        "unit": spec.unit,
        "year": spec.year,
        "profile": result.rules.profile,
        "source": spec.source,
        "kind": result.kind,
        "sheet": result.sheet,
        "total": as_float(result.total),
        "grade": result.grade,
        "complete": result.complete,
        "status": status_text(result),
        "weight_total": as_float(result.weight_total),
        "execution": {
            "weight": as_float(ex.weight),
            "budget": as_float(ex.budget),
            "executed": as_float(ex.executed),
            "rate": as_float(ex.rate),
            "score": as_float(ex.score),
        },
        "blocks": [
            {"name": b.name, "rule_weight": as_float(b.rule_weight), "weight": as_float(b.weight),
             "score": as_float(b.score)}
            for b in result.blocks
        ],
        "indicators": [_indicator_dict(i) for i in result.indicators],
        "findings": [f.to_dict() for f in result.findings],
        "counts": dict(Counter(f.severity.value for f in result.all_findings())),
        "locations": dict(spec.locations),
    }


def _indicator_dict(ind: IndicatorResult) -> dict[str, Any]:
    target = ind.target
    return {
        "name": ind.spec.name,
        "level1": ind.level1,
        "level2": ind.level2,
        "target": target.text if target else None,
        "target_value": as_float(target.value) if target else None,
        "unit": target.unit if target else None,
        "qualitative": target.qualitative if target else None,
        "sign": target.sign if target else None,
        "direction": ind.direction.value if ind.direction else None,
        "sign_inferred": ind.sign_inferred,
        "actual": _jsonable(ind.spec.actual),
        "actual_value": as_float(ind.actual),
        "rating": ind.band.label if ind.band else None,
        "weight": as_float(ind.weight),
        "score": as_float(ind.score),
        "deviation": as_float(ind.deviation),
        "reason": ind.spec.reason,
        "reason_required": ind.reason_required,
        "location": ind.spec.locations.get("name"),
        "locations": dict(ind.spec.locations),
        "findings": [f.to_dict() for f in ind.findings],
    }


def _shown_value(value: object) -> str:
    return display.number(value) if isinstance(value, Decimal) else str(value).strip()


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return value

