"""Score a 评分表: the reference its form, readers and consolidation are to be measured against.

:func:`score_evaluation` takes an :class:`~.spec.EvaluationSpec` and returns an
:class:`EvaluationResult` shaped like the 自评表's :class:`~perfeval_xl.engine.ProjectResult`
(rows, blocks, total, grade, complete, findings), so that reviews and stores can treat both
kinds alike. It is pure: no files, no workbooks (rules come from the cached profile loader, as
for the 自评表). A row is scored in one of three ways:

- **by rule**, from the amounts (资金到位率, 预算执行率): 分值 × amount ÷ base, never from a rounded
  percentage (:func:`.scoring.rate_score`);
- **against a target**, exactly as a 三级指标 of the 自评表
  (:func:`perfeval_xl.engine.score_target_row`); the target may be the full-mark line of the
  评分标准 ("达成90%得满分");
- **by judgement**: the evaluator's score within [0, 分值], checked against what the 评分标准 allows.

A score written for a computed row is compared with the computed one and a difference is an
error naming both numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ... import display, scoring
from ... import findings as F
from ...engine import COMPLETE_STATUS, IndicatorResult, checked_weight, range_error, score_target_row
from ...findings import Finding, Reported
from ...notation import normalize, parse_target
from ...rounding import as_float, div, round_half_away
from ...spec import Indicator
from .. import EVALUATION
from .criteria import Criteria, read_criteria
from .profile import FUND_FIELDS, EvaluationRules, load_evaluation_rules
from .scoring import rate_score
from .spec import RULE, TARGET, EvaluationSpec, Row

ZERO = Decimal(0)
_n = display.number


@dataclass
class RowResult:
    """One row of the 评分表, scored."""

    spec: Row
    method: str  # rule / target / judgement
    level1: str  # the framework's name, or as written when it is not in the framework
    level2: str
    weight: Decimal | None
    criteria: Criteria
    score: Decimal | None = None
    rate: Decimal | None = None  # a rule row's amount ÷ base, rounded for display
    explanation: str = ""  # how a computed score was reached: "4 × 1172.32 ÷ 2154.81"
    measured: IndicatorResult | None = None  # a target row as the 自评表's engine scored it
    findings: list[Finding] = field(default_factory=list)

    @property
    def deviation(self) -> Decimal | None:
        """偏差率 of a row scored against a target (None for the others)."""
        return self.measured.deviation if self.measured is not None else None

    @property
    def state(self) -> str:
        """Why there is no score (for the status line), or "ok"."""
        codes = {f.code for f in self.findings}
        if codes & {"weight-missing", "weight-invalid", "number-out-of-range", "rule-unknown"}:
            return "undeclared"
        if self.measured is not None and self.measured.state != "ok":
            return self.measured.state
        if "funds-missing" in codes:
            return "funds"
        if "score-missing" in codes:
            return "unscored"
        if "score-out-of-range" in codes:
            return "out-of-range"
        return "ok"


@dataclass
class BlockResult:
    """A 一级指标 of the sheet with its subtotal."""

    name: str  # as the sheet writes it (its first row)
    level1: str  # the framework's name, or the written one
    weight: Decimal
    score: Decimal
    rule_weight: Decimal | None  # the weight a local rule sets for it, if any


@dataclass
class EvaluationResult(Reported):
    """Everything computed for one 评分表."""

    spec: EvaluationSpec
    rules: EvaluationRules
    indicators: list[RowResult]
    blocks: list[BlockResult]
    weight_total: Decimal
    total: Decimal
    grade: str | None
    complete: bool
    findings: list[Finding]  # about the sheet as a whole
    kind: str = "spec"  # where it was read from, as ProjectResult.kind (the form kind is form_kind)
    sheet: str | None = None
    form_kind: str = EVALUATION

    def status(self) -> str:
        return status_text(self)


def score_evaluation(spec: EvaluationSpec, rules: EvaluationRules | None = None) -> EvaluationResult:
    """Score ``spec`` under its profile (or ``rules`` when given)."""
    if rules is None:
        rules = load_evaluation_rules(spec.profile, spec.year)
    findings: list[Finding] = []
    rows = [_row(row, spec, rules) for row in spec.indicators]
    _check_levels(rows, rules, findings)
    blocks = _blocks(rows, rules, findings)
    weight_total = sum((r.weight for r in rows if r.weight is not None), ZERO)
    if weight_total != rules.total_points:
        findings.append(F.error(
            "weights-total", "分值",
            f"各指标分值合计为 {_n(weight_total)}，应为 {_n(rules.total_points)}，请调整分值",
        ))
    _check_outcome_weight(blocks, weight_total, rules, findings)
    total = scoring.total_score([r.score for r in rows if r.score is not None], rules.score_places)
    complete = bool(rows) and all(r.score is not None for r in rows)
    result = EvaluationResult(
        spec=spec, rules=rules, indicators=rows, blocks=blocks, weight_total=weight_total, total=total,
        grade=rules.grade_of(total) if complete else None, complete=complete, findings=findings,
    )
    _check_stated(result)
    return result


# ---------------------------------------------------------------------------
# Rows


def _row(row: Row, spec: EvaluationSpec, rules: EvaluationRules) -> RowResult:
    out: list[Finding] = []
    where = row.where or f"指标“{row.name}”"
    loc = row.locations.get
    if not row.name.strip():
        out.append(F.error("name-missing", where, "三级指标名称为空，请填写指标名称", loc("name")))
    weight = checked_weight(row.weight, where, loc("weight"), out)
    criteria = read_criteria(row.criteria, weight)
    result = RowResult(
        spec=row, method=row.method, level1=rules.level1_of(row.level1)[0] or row.level1.strip(),
        level2=rules.level2_of(row.level2)[0] or row.level2.strip(), weight=weight, criteria=criteria,
        findings=out,
    )
    _check_points(result)
    if result.method == RULE:
        _rate_row(result, spec, rules)
    elif result.method == TARGET:
        _target_row(result, rules)
    else:
        _judgement_row(result, rules)
    return result


def _check_points(result: RowResult) -> None:
    """Sub-criteria worth "（1分）" each should add up to the row's 分值."""
    points, weight = result.criteria.points, result.weight
    if not points or weight is None or sum(points, ZERO) == weight:
        return
    shown = " + ".join(f"{_n(p)}分" for p in points)
    result.findings.append(F.warning(
        "criteria-points", result.spec.where,
        f"评分标准各小项分值合计 {_n(sum(points, ZERO))}（{shown}），与分值 {_n(weight)} 不同，"
        "请核对评分标准或分值",
        result.spec.locations.get("criteria"),
    ))


def _rate_row(result: RowResult, spec: EvaluationSpec, rules: EvaluationRules) -> None:
    row, out, where = result.spec, result.findings, result.spec.where
    rate = rules.rates.get(row.rule or "")
    if rate is None:
        listed = "、".join(f"{key}（{r.label}）" for key, r in rules.rates.items())
        out.append(F.error("rule-unknown", where, f"计分规则“{row.rule}”不存在，可用：{listed}",
                           row.locations.get("rule")))
        return
    amount, base = getattr(spec.funds, rate.amount), getattr(spec.funds, rate.base)
    what = {part: FUND_FIELDS[getattr(rate, part)] for part in ("amount", "base")}
    where_funds = {part: spec.locations.get(f"funds.{getattr(rate, part)}") or row.locations.get("rule")
                   for part in ("amount", "base")}
    beyond = [range_error(amount, what["amount"], where, where_funds["amount"]),
              range_error(base, what["base"], where, where_funds["base"], divisor=True)]
    if any(beyond):
        out.extend(f for f in beyond if f is not None)
        return
    if amount is None or base is None:
        missing = "、".join(what[part] for part, value in (("base", base), ("amount", amount)) if value is None)
        out.append(F.error("funds-missing", where, f"{missing}未填写，无法计算{rate.label}得分，请填写项目资金",
                           where_funds["base" if base is None else "amount"]))
        return
    if base <= 0:
        out.append(F.error("funds-missing", where, f"{what['base']}为 0，无法计算{rate.label}，请填写{what['base']}",
                           where_funds["base"]))
        return
    result.rate = round_half_away(div(amount, base), rules.target_rules.rate_places)
    if amount > base:
        capped = f"{rate.label}得分按分值封顶，" if rules.rate_cap else ""
        out.append(F.warning(
            "funds-over-budget", where,
            f"{what['amount']} {_n(amount)} 万元大于{what['base']} {_n(base)} 万元，{capped}请核对金额",
            where_funds["amount"],
        ))
    if result.weight is None:
        return
    result.score = rate_score(amount, base, result.weight, rules.rate_cap, rules.score_places)
    result.explanation = f"{_n(result.weight)} × {_n(amount)} ÷ {_n(base)}"
    if row.score is not None and row.score != result.score:
        out.append(F.error(
            "score-differs", where,
            f"写的得分为 {_n(row.score)}，按金额应为 {_n(result.score)}（{result.explanation}）",
            row.locations.get("score"),
        ))


def _target_row(result: RowResult, rules: EvaluationRules) -> None:
    row, out, criteria = result.spec, result.findings, result.criteria
    locations = {**row.locations, "reason": row.locations.get("basis", "")}
    target = row.target
    line = criteria.full_line
    if target is None and line is not None:
        target = line.text
        locations["target"] = row.locations.get("criteria", "")
        out.append(F.note(
            "target-from-criteria", row.where,
            f"未写年度指标值，按评分标准“{criteria.full_line_phrase}”以 {line.text} 为满分线计分",
            row.locations.get("criteria"),
        ))
    elif line is not None:
        written = parse_target(target)
        if written is not None and (written.value, written.unit) != (line.value, line.unit):
            out.append(F.warning(
                "criteria-threshold", row.where,
                f"评分标准写“{criteria.full_line_phrase}”，年度指标值却为“{written.text}”，"
                "请核对哪一个是满分线",
                row.locations.get("criteria"),
            ))
    indicator = Indicator(level1=row.level1, level2=row.level2, name=row.name, target=target,
                          actual=row.actual, weight=row.weight, reason=row.basis, score=row.score,
                          where=row.where, locations=locations)
    measured = score_target_row(indicator, rules.target_rules, result.level1, result.level2,
                                result.weight, out)
    result.measured, result.score = measured, measured.score
    if measured.target is not None and measured.actual is not None:
        result.explanation = f"指标值 {measured.target.text}，实际 {display.actual(measured)}"


def _judgement_row(result: RowResult, rules: EvaluationRules) -> None:
    row, out, weight = result.spec, result.findings, result.weight
    loc = row.locations.get
    span = f"在 0 至 {_n(weight)} 分之间" if weight is not None else ""
    if row.score is None:
        out.append(F.error("score-missing", row.where, f"得分未填写，请按评分标准{span}评分", loc("score")))
        _suggest_rule(result, rules)
        return
    if weight is None:
        return
    if (too := range_error(row.score, "得分", row.where, loc("score"))) is not None:
        out.append(too)
        return
    if not ZERO <= row.score <= weight:
        out.append(F.error("score-out-of-range", row.where,
                           f"得分 {_n(row.score)} 不{span}，请按评分标准重新评分", loc("score")))
        return
    result.score = round_half_away(row.score, rules.score_places)
    allowed = [(label, round_half_away(value, rules.score_places))
               for label, value in result.criteria.allowed(weight)]
    if allowed and all(result.score != value for _, value in allowed):
        listed = "、".join(f"{label} {_n(value)}" for label, value in allowed)
        how = "（评分标准中超过分值的“得80分”等按分值的百分比理解）" if result.criteria.as_percent else ""
        out.append(F.warning(
            "score-off-criteria", row.where,
            f"得分 {_n(result.score)} 不是评分标准所列的分值之一：{listed}{how}；"
            "请按评分标准取值，或在得分依据中说明",
            loc("score"),
        ))
    if rules.basis_below_full and result.score < weight and not row.basis.strip():
        out.append(F.warning(
            "basis-missing", row.where,
            f"得分 {_n(result.score)} 低于分值 {_n(weight)}，未写得分依据，请写明扣分理由",
            loc("basis"),
        ))
    _suggest_rule(result, rules)


def _suggest_rule(result: RowResult, rules: EvaluationRules) -> None:
    """A row named like a rate (资金到位率) can be computed from the amounts instead of judged."""
    name = normalize(result.spec.name)
    for key, rate in rules.rates.items():
        if normalize(rate.label) in name:
            amounts = "、".join(FUND_FIELDS[part] for part in (rate.base, rate.amount))
            result.findings.append(F.note(
                "rule-suggested", result.spec.where,
                f"“{rate.label}”可由金额计算：写 rule: {key} 并填写{amounts}，得分即按金额算出，"
                "与所写得分核对",
                result.spec.locations.get("name"),
            ))
            return


# ---------------------------------------------------------------------------
# The sheet as a whole


def _check_levels(rows: list[RowResult], rules: EvaluationRules, out: list[Finding]) -> None:
    """一级/二级 names against the 共性指标 framework, once per name written (the framework is a
    reference: an unknown 一级 is a warning, an unknown 二级 a note)."""
    framework = rules.sources["hierarchy"].document
    seen: set[tuple[str, ...]] = set()
    for row in rows:
        written1, written2 = row.spec.level1.strip(), row.spec.level2.strip()
        level1, alias1 = rules.level1_of(written1)
        if (written1,) not in seen:
            seen.add((written1,))
            where, location = f"一级指标“{written1}”", row.spec.locations.get("level1")
            if level1 is None:
                out.append(F.warning(
                    "level1-unknown", where,
                    f"不在共性指标框架（{framework}）中，应为：{'、'.join(rules.hierarchy)}；"
                    "已按所写名称单独小计，如为笔误请改正",
                    location,
                ))
            elif alias1:
                out.append(F.note("level-alias", where, f"按“{level1}”识别", location))
        if (written1, written2) in seen:
            continue
        seen.add((written1, written2))
        level2, alias2 = rules.level2_of(written2)
        where, location = f"二级指标“{written2}”", row.spec.locations.get("level2")
        if level2 is None:
            options = "、".join(rules.hierarchy.get(level1 or "", ())) or "、".join(
                l2 for l2s in rules.hierarchy.values() for l2 in l2s)
            out.append(F.note("level2-unknown", where,
                              f"不在共性指标框架（{framework}）中（可写：{options}）", location))
            continue
        if alias2:
            out.append(F.note("level-alias", where, f"按“{level2}”识别", location))
        owner = rules.owner_of(level2)
        if level1 is not None and owner != level1:
            out.append(F.warning("level2-misplaced", where,
                                 f"在共性指标框架中属于“{owner}”，不属于“{written1}”，请核对一级指标", location))


def _blocks(rows: list[RowResult], rules: EvaluationRules, out: list[Finding]) -> list[BlockResult]:
    blocks: dict[str, BlockResult] = {}
    for row in rows:
        block = blocks.get(row.level1)
        if block is None:
            rule_weight = (rules.block_weights or {}).get(row.level1)
            block = blocks[row.level1] = BlockResult(row.spec.level1.strip(), row.level1, ZERO, ZERO, rule_weight)
        block.weight += row.weight or ZERO
        block.score += row.score or ZERO
    for block in blocks.values():
        if block.rule_weight is not None and block.weight != block.rule_weight:
            out.append(F.warning(
                "block-weight", block.name,
                f"{block.name}分值合计 {_n(block.weight)}，规则（{rules.sources['block_weights'].document}）"
                f"规定为 {_n(block.rule_weight)}，请核对",
            ))
    return list(blocks.values())


def _check_outcome_weight(blocks: list[BlockResult], weight_total: Decimal, rules: EvaluationRules,
                          out: list[Finding]) -> None:
    """The result blocks (产出, 效益 …) should carry at least the profile's share of the points."""
    line = rules.outcome_weight
    if line is None or weight_total <= 0:
        return
    weight = sum((b.weight for b in blocks if b.level1 in line.levels), ZERO)
    if div(weight, weight_total) >= div(line.minimum, rules.total_points):
        return
    out.append(F.warning(
        "outcome-weight-low", "分值",
        f"{'、'.join(line.levels)}指标分值合计 {_n(weight)}，占全部分值 {_n(weight_total)} 的 "
        f"{display.percent(div(weight, weight_total), 1)}，低于 {_n(line.minimum)}%"
        f"（{rules.sources['outcome_weight'].document}：原则上产出、效益指标权重不低于60%），请核对评价方案",
    ))


def _check_stated(result: EvaluationResult) -> None:
    stated, locations, out = result.spec.stated, result.spec.locations, result.findings
    if stated.total is not None and result.complete and stated.total != result.total:
        out.append(F.error(
            "stated-differs", "总分", f"写的总分为 {_n(stated.total)}，按规则应为 {_n(result.total)}",
            locations.get("stated.total"),
        ))
    if stated.grade and result.grade and normalize(stated.grade)[:1] != result.grade[:1]:
        out.append(F.error(
            "stated-differs", "评价等级",
            f"写的等级为“{stated.grade}”，按总分 {_n(result.total)} 应为“{result.grade}”",
            locations.get("stated.grade"),
        ))


# ---------------------------------------------------------------------------
# The status line


FUNDS_TEXT = "项目资金未填写完整"  # the status line's part when a row scored from the amounts lacks one
STATE_TEXTS = (  # row state -> what the status line says about such rows
    ("undeclared", "项分值未填写或有误"),
    ("missing", "项实际完成值未填写"),
    ("invalid", "项实际完成值无法识别"),
    ("needs-score", "项定性指标需在档次内评分"),
    ("unscored", "项得分未填写"),
    ("out-of-range", "项得分超出分值"),
)


def status_parts(result: EvaluationResult) -> list[str]:
    """The problems the sheet's status line names, in its order."""
    states = Counter(row.state for row in result.indicators)
    parts = [FUNDS_TEXT] if states["funds"] else []
    parts += [f"{states[state]} {text}" for state, text in STATE_TEXTS if states[state]]
    if result.weight_total != result.rules.total_points:
        parts.append(f"分值合计 {_n(result.weight_total)}，应为 {_n(result.rules.total_points)}")
    return parts


def status_text(result: EvaluationResult) -> str:
    """`2 项得分未填写` / `已填写完整` (as the 自评表's status line)."""
    return "；".join(status_parts(result)) or COMPLETE_STATUS


# ---------------------------------------------------------------------------
# JSON


def to_dict(result: EvaluationResult) -> dict[str, Any]:
    """The result as JSON-ready data (numbers as floats of the rounded decimals)."""
    spec, funds = result.spec, result.spec.funds
    return {
        "form_kind": result.form_kind,
        "project": spec.project,
        "department": spec.department,
        "unit": spec.unit,
        "evaluation_type": spec.evaluation_type,
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
        "funds": {key: as_float(getattr(funds, key)) for key in FUND_FIELDS},
        "blocks": [
            {"name": b.name, "level1": b.level1, "weight": as_float(b.weight),
             "rule_weight": as_float(b.rule_weight), "score": as_float(b.score)}
            for b in result.blocks
        ],
        "indicators": [_row_dict(row) for row in result.indicators],
        "findings": [f.to_dict() for f in result.findings],
        "counts": dict(Counter(f.severity.value for f in result.all_findings())),
        "locations": dict(spec.locations),
    }


def _row_dict(row: RowResult) -> dict[str, Any]:
    measured = row.measured
    target = measured.target if measured else None
    actual = row.spec.actual
    return {
        "name": row.spec.name,
        "level1": row.level1,
        "level2": row.level2,
        "written_level1": row.spec.level1,
        "written_level2": row.spec.level2,
        "method": row.method,
        "rule": row.spec.rule,
        "weight": as_float(row.weight),
        "criteria": row.spec.criteria,
        "basis": row.spec.basis,
        "rate": as_float(row.rate),
        "target": target.text if target else None,
        "actual": float(actual) if isinstance(actual, Decimal) else actual,
        "actual_value": as_float(measured.actual) if measured else None,
        "deviation": as_float(row.deviation),
        "score": as_float(row.score),
        "written_score": as_float(row.spec.score),
        "explanation": row.explanation,
        "allowed_scores": [as_float(value) for _, value in row.criteria.allowed(row.weight)]
        if row.weight is not None else [],
        "location": row.spec.locations.get("name"),
        "locations": dict(row.spec.locations),
        "findings": [f.to_dict() for f in row.findings],
    }

