"""Deciding what goes where before anything is written.

:func:`plan_form` places the spec's indicators under their 二级指标, decides which
cells are locked, converts the spec's values into what the cells hold (actual
values in the target's unit, percentages as fractions) and computes every cached
result with :mod:`perfeval_xl.kinds.self.model` (and, in the xlwings and lite modes, the
cells that call the UDFs with :mod:`perfeval_xl.kinds.self.udfvalues`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...engine import rating_band, resolve_level1, resolve_level2
from ...errors import FormError
from ...form.params import FormParams, form_params
from ...notation import (
    PERCENT,
    Direction,
    ParseProblem,
    Target,
    UnitMismatch,
    convert,
    direction_of,
    infer_direction,
    parse_quantity,
    parse_target,
    percent_rescaled,
)
from ...profiles import Rules
from ...spec import FUND_COLUMNS, FUND_LABELS, FUND_ROWS, ProjectSpec
from .formulas import PROVIDERS, ProjectFormulas, RowFormulas
from .layout import FormLayout, IndicatorRow, plan_layout
from .model import Declared, FundsInput, RowInput, Value, formula_normalize, project_values, row_values

_DIRECTION_CODE = {Direction.HIGHER: 1, Direction.LOWER: -1, Direction.EQUAL: 0}


@dataclass
class PlannedRow:
    """One indicator row: its inputs, which of them are locked, and its cached results."""

    place: IndicatorRow
    input: RowInput
    target: Target | None
    locked_name: bool = False
    locked_target: bool = False
    locked_weight: bool = False
    values: dict[int, Value] = field(default_factory=dict)

    @property
    def row(self) -> int:
        return self.place.row


@dataclass
class FormPlan:
    """Everything the writers need."""

    spec: ProjectSpec
    rules: Rules
    params: FormParams
    layout: FormLayout
    rows: list[PlannedRow]
    funds: FundsInput
    project: dict[str, Value]
    blocks: list[tuple[str, tuple[str, ...]]]
    warnings: list[str]
    mode: str = "native"
    # per (mode, editable target): the row formulas as templates (see indicators.row_templates)
    row_templates: dict[tuple[str, bool], Any] = field(default_factory=dict, repr=False, compare=False)

    def row_formulas(self, row: int) -> RowFormulas:
        """The formulas of indicator row ``row`` in this form's mode."""
        return PROVIDERS[self.mode][0](row)

    def project_formulas(self) -> ProjectFormulas:
        """The project-level formulas in this form's mode."""
        return PROVIDERS[self.mode][1](self.layout)


def funds_for_form(spec: ProjectSpec) -> tuple[dict[str, dict[str, Decimal | None]], list[str]]:
    """The three funding rows as the form holds them, and what could not be carried over.

    The form computes 年度资金总额 as the sum of the rows. When a spec gives a
    total for a column whose rows are all blank, the total goes into 当年财政拨款
    (and a warning says so); a total that differs from the rows is dropped with a
    warning, since the rows are what the form adds up.
    """
    rows = {key: {col: getattr(spec.funds.get(key), col, None) if spec.funds.get(key) else None
                  for col in FUND_COLUMNS} for key in FUND_ROWS}
    warnings: list[str] = []
    total = spec.funds.get("total")
    if total is None:
        return rows, warnings
    labels = {"initial": "年初预算数", "budget": "全年预算数", "executed": "全年执行数"}
    for col in FUND_COLUMNS:
        stated = getattr(total, col)
        if stated is None:
            continue
        present: list[Decimal] = [v for key in FUND_ROWS if (v := rows[key][col]) is not None]
        if not present:
            rows["fiscal"][col] = stated
            warnings.append(
                f"年度资金总额的{labels[col]} {stated} 万元未分到各资金来源，已填入“{FUND_LABELS['fiscal']}”行，请核对"
            )
        elif sum(present, Decimal(0)) != stated:
            warnings.append(
                f"年度资金总额的{labels[col]} {stated} 万元不等于各资金来源之和 {sum(present, Decimal(0))} 万元，"
                "自评表按各行之和计算"
            )
    return rows, warnings


def plan_form(spec: ProjectSpec, rules: Rules, spare_rows: int = 2, mode: str = "native") -> FormPlan:
    """Place, convert and pre-compute a form for ``spec``; raises FormError listing every problem."""
    problems: list[str] = []
    placed: list[tuple[int, str, str, bool]] = []
    for index, ind in enumerate(spec.indicators):
        level1, _ = resolve_level1(ind.level1, rules)
        level2, owner, _ = resolve_level2(ind.level2, rules)
        where = ind.where or f"第 {index + 1} 个指标"
        if level2 is None:
            options = "、".join(l2 for l2s in rules.hierarchy.values() for l2 in l2s)
            problems.append(f"{where}：二级指标“{ind.level2}”不在规则 {rules.profile} 的指标体系中，"
                            f"无法放入自评表，应为：{options}")
            continue
        if level1 is not None and owner != level1:
            problems.append(f"{where}：二级指标“{level2}”属于“{owner}”，不属于“{ind.level1}”，请核对一级指标")
            continue
        assert owner is not None
        placed.append((index, owner, level2, ind.target is not None))
    if problems:
        raise FormError(f"项目“{spec.project}”无法生成自评表：", problems)

    params = form_params(rules)
    layout = plan_layout(rules.hierarchy, placed, spare_rows)
    rows = [_plan_row(place, spec, rules) for place in layout.indicators]
    for planned in rows:
        planned.values = row_values(planned.input, params)
    fund_rows, warnings = funds_for_form(spec)
    weight = spec.execution_weight if spec.execution_weight is not None else rules.execution_weight
    funds = FundsInput({key: dict(cols) for key, cols in fund_rows.items()}, weight)
    blocks = [(b.name, b.levels) for b in rules.blocks]
    project = project_values(funds, [r.input for r in rows], [r.values for r in rows], params, blocks)
    plan = FormPlan(spec, rules, params, layout, rows, funds, project, blocks, warnings, mode)
    if mode in ("xlwings", "lite"):  # the modes whose results call the perfeval-xl functions
        from .udfvalues import apply_udf_values

        apply_udf_values(plan)
    return plan


def _plan_row(place: IndicatorRow, spec: ProjectSpec, rules: Rules) -> PlannedRow:
    if place.spec_index is None:
        return PlannedRow(place, RowInput(place.level1, place.level2), None)
    ind = spec.indicators[place.spec_index]
    target = parse_target(ind.target)
    declared = None
    target_cell: object = None
    if target is not None:
        target_cell = target.text if not isinstance(ind.target, (int, float, Decimal)) else float(target.value or 0)
        if target.qualitative:
            declared = Declared("Q", None, None, 1, "", formula_normalize(target.text))
        else:
            assert target.value is not None
            direction = (direction_of(target.sign) if target.sign
                         else infer_direction(target, place.level2, rules.lower_level2))
            declared = Declared("N", _DIRECTION_CODE[direction], target.value,
                                100 if target.is_percent else 1, target.unit, formula_normalize(target.text))
    actual = _actual_cell(ind.actual, target, rules)
    qscore = float(ind.score) if ind.score is not None and target is not None and target.qualitative else None
    weight = float(ind.weight) if ind.weight is not None else None
    row_input = RowInput(
        level1=place.level1, level2=place.level2, name=ind.name or None, target=target_cell,
        actual=actual, weight=weight, reason=ind.reason or None, qscore=qscore, declared=declared,
    )
    return PlannedRow(place, row_input, target, locked_name=bool(ind.name),
                      locked_target=target is not None, locked_weight=ind.weight is not None)


def _actual_cell(actual: object, target: Target | None, rules: Rules) -> object:
    """What the 实际完成值 cell holds for a spec's actual value."""
    if actual is None:
        return None
    if isinstance(actual, Decimal):
        actual = float(actual)
    if target is None or target.qualitative:
        band = rating_band(actual, rules)
        return band.label if band else actual
    try:
        quantity = parse_quantity(actual)
        if quantity is None:
            return None
        value, _ = convert(quantity, target)
    except (ParseProblem, UnitMismatch):
        return actual
    if (quantity.unit == PERCENT and target.value is not None
            and percent_rescaled(target.value, target.unit, value, typed_percent=False) is not None):
        # as a bare number the form would read it as a percentage typed without its % (100% against
        # a target of 2% as 1%): the text as written keeps its %, and the engine's reading
        return actual
    return float(value)
