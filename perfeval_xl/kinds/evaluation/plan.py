"""Deciding what goes where in a 评分表 form before anything is written.

:func:`plan_evaluation_form` scores the spec once to learn what the engine makes of each row
(its method, its framework 一级/二级, the target a row is scored against — a written one, or the
full-mark line of its 评分标准), lays the rows out, decides which cells are inputs, converts the
spec's values into what the cells hold, and computes every cached result (:mod:`.model`) from
the engine's result for the spec *as the form holds it* — the spec a reader gets back from the
form.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal

from ... import display
from ...errors import FormError
from ...form.params import FormParams
from ...notation import Direction, Target, direction_of, infer_direction
from ...rounding import round_half_away, to_decimal
from ..self.layout import Col
from ..self.model import Declared, RowInput, Value, formula_normalize
from ..self.plan import _actual_cell
from .engine import EvaluationResult, RowResult, score_evaluation
from .layout import ECol, EvaluationLayout, TableRow, plan_layout
from .model import row_cells, sheet_values
from .params import EvaluationParams, evaluation_params
from .profile import EvaluationRules, load_evaluation_rules
from .spec import JUDGEMENT, RULE, TARGET, EvaluationSpec, Funds, Row, Stated

_DIRECTION_CODE = {Direction.HIGHER: 1, Direction.LOWER: -1, Direction.EQUAL: 0}


@dataclass
class PlannedRow:
    """One row of the table: what its cells hold, which are inputs, and its cached results."""

    place: TableRow
    spec: Row  # the row as the form holds it
    result: RowResult  # the engine's result for it
    target: Target | None = None  # the target a target row is scored against
    cells: dict[int, object] = field(default_factory=dict)  # 评分表 column -> content written
    inputs: set[int] = field(default_factory=set)  # 评分表 columns typed in
    sheet: dict[int, Value] = field(default_factory=dict)  # computed cells of the 评分表
    calc: dict[int, Value] = field(default_factory=dict)  # cells of the 计算 sheet
    allowed: tuple[tuple[str, Decimal], ...] = ()  # the scores the 评分标准 allows (a judgement row)

    @property
    def row(self) -> int:
        return self.place.row

    @property
    def method(self) -> str:
        return self.place.method


@dataclass
class EvaluationPlan:
    """Everything the writers need."""

    spec: EvaluationSpec  # as given
    held: EvaluationSpec  # as the form holds it
    rules: EvaluationRules
    params: FormParams
    own: EvaluationParams
    layout: EvaluationLayout
    rows: list[PlannedRow]
    result: EvaluationResult  # the engine's, for ``held``
    values: dict[str, Value]  # the sheet's computed cells (model.sheet_values)
    warnings: list[str] = field(default_factory=list)


def plan_evaluation_form(spec: EvaluationSpec, rules: EvaluationRules | None = None) -> EvaluationPlan:
    """Place, convert and pre-compute a 评分表 form for ``spec``; raises FormError listing every problem."""
    rules = rules or load_evaluation_rules(spec.profile, spec.year)
    first = score_evaluation(spec, rules)
    problems = [f"{row.spec.where}：按年度指标值计分，但没有写 target（年度指标值），评分标准中也没有满分线"
                "（如“达成90%得满分”）；请在项目文件中写明 target"
                for row in first.indicators
                if row.method == TARGET and (row.measured is None or row.measured.target is None)]
    if problems:
        raise FormError(f"评分表“{spec.project}”无法生成表格：", problems)
    warnings = [f"{row.spec.where}：所写得分 {display.number(row.spec.score)} 与按"
                f"{'金额' if row.method == RULE else '年度指标值和实际完成值'}算出的 {display.number(row.score)} 不同，"
                "表中得分由公式计算" for row in first.indicators if _score_dropped(row)]
    held_rows = [_held(row, rules) for row in first.indicators]
    held = dataclasses.replace(spec, indicators=tuple(held_rows), stated=Stated())
    result = score_evaluation(held, rules)
    layout = plan_layout(
        [(row.level1.strip(), row.level2.strip(), res.method, res.level1, row.rule)
         for row, res in zip(held.indicators, result.indicators, strict=True)],
        [(block.name, block.level1) for block in result.blocks],
    )
    params, own = evaluation_params(rules)
    planned = [_plan_row(place, row, res, rules, params)
               for place, row, res in zip(layout.rows, held.indicators, result.indicators, strict=True)]
    return EvaluationPlan(spec, held, rules, params, own, layout, planned, result, sheet_values(result), warnings)


def _score_dropped(row: RowResult) -> bool:
    """A score the spec writes for a computed row that differs from the computed one (the form
    computes it; the evaluator's pick of a qualitative target row is kept)."""
    if row.spec.score is None or row.method == JUDGEMENT or row.spec.score == row.score:
        return False
    target = row.measured.target if row.measured is not None else None
    return row.method == RULE or target is None or not target.qualitative


def _held(row: RowResult, rules: EvaluationRules) -> Row:
    """The spec's row as the form holds it: a computed row without a written score; a target row
    with the target it is scored against and the actual as its cell holds it."""
    spec = row.spec
    if row.method == RULE:
        return dataclasses.replace(spec, score=None)
    if row.method == JUDGEMENT:
        return spec
    assert row.measured is not None and row.measured.target is not None
    target = row.measured.target
    actual = _actual_cell(spec.actual, target, rules.target_rules)
    return dataclasses.replace(
        spec,
        target=spec.target if spec.target is not None else target.text,
        actual=to_decimal(actual) if isinstance(actual, float) else actual,
        score=spec.score if target.qualitative else None,
    )


def _number(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def _plan_row(place: TableRow, row: Row, res: RowResult, rules: EvaluationRules,
              params: FormParams) -> PlannedRow:
    planned = PlannedRow(place, row, res)
    cells, inputs = planned.cells, planned.inputs
    cells.update({ECol.LEVEL1: row.level1, ECol.LEVEL2: row.level2})
    for col, value in ((ECol.NAME, row.name), (ECol.CRITERIA, row.criteria)):
        cells[col] = value
        if not value:
            inputs.add(col)
    cells[ECol.WEIGHT] = _number(row.weight)
    if row.weight is None:
        inputs.add(ECol.WEIGHT)
    cells[ECol.BASIS] = row.basis
    inputs.add(ECol.BASIS)
    row_input = None
    if place.method == JUDGEMENT:
        cells[ECol.SCORE] = _number(row.score)
        inputs.add(ECol.SCORE)
        if res.weight is not None:
            planned.allowed = tuple((label, round_half_away(value, rules.score_places))
                                    for label, value in res.criteria.allowed(res.weight))
    elif place.method == TARGET:
        assert res.measured is not None and res.measured.target is not None
        target = planned.target = res.measured.target
        cells[ECol.TARGET] = _number(row.target)
        cells[ECol.ACTUAL] = _number(row.actual)
        inputs.add(ECol.ACTUAL)
        if target.qualitative:
            cells[ECol.QSCORE] = _number(row.score)
            inputs.add(ECol.QSCORE)
        row_input = RowInput(
            level1=res.level1, level2=res.level2, name=row.name or None, target=cells[ECol.TARGET],
            actual=cells[ECol.ACTUAL], weight=cells[ECol.WEIGHT], reason=row.basis or None,
            qscore=cells.get(ECol.QSCORE), declared=declared_target(target, res.level2, rules),
        )
    computed = row_cells(res, row_input, params)
    planned.sheet, planned.calc = computed["sheet"], computed["calc"]
    # every row carries its framework 一级 (the subtotals add by it) and 二级 on 计算
    planned.calc.update({Col.L1: res.level1, Col.L2: res.level2})
    return planned


def declared_target(target: Target, level2: str, rules: EvaluationRules) -> Declared:
    """The structured target a target row's helpers hold as literals (as the 自评表's locked rows)."""
    if target.qualitative:
        return Declared("Q", None, None, 1, "", formula_normalize(target.text))
    assert target.value is not None
    direction = (direction_of(target.sign) if target.sign
                 else infer_direction(target, level2, rules.target_rules.lower_level2))
    return Declared("N", _DIRECTION_CODE[direction], target.value, 100 if target.is_percent else 1,
                    target.unit, formula_normalize(target.text))



def blank_evaluation(spec: EvaluationSpec) -> EvaluationSpec:
    """The 评分表 as it is sent to the evaluator: the rows, 分值, 评分标准 and targets (a row scored
    against a target keeps the one it is scored against, so that it stays such a row), and
    nothing the evaluation fills in: amounts, scores, actual values, 得分依据."""
    result = score_evaluation(spec)
    rows = []
    for row in result.indicators:
        target = row.measured.target if row.measured is not None else None
        written = row.spec.target if row.spec.target is not None else (target.text if target else None)
        rows.append(dataclasses.replace(row.spec, score=None, actual=None, basis="",
                                        target=written if row.method == TARGET else None))
    return dataclasses.replace(spec, funds=Funds(), indicators=tuple(rows), stated=Stated())
