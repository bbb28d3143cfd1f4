"""The 评分表 form's hidden 参数 sheet: every rule number its formulas use.

The sheet is the 自评表's (:func:`perfeval_xl.form.params.write_params`), written from the rules
the rows scored against a target are scored by (the 自评表 profile the 评分表 profile names),
with the 评分表's own 满分 and grades in place of the 自评表's — so ``pe_p_total`` and
``pe_p_grade_*`` mean what they say on this form, and the 自评表's row formulas find every
``pe_p_*`` name they use. Below it, this kind's own entries (``pe_e_*``): the cap of the scores
computed from the amounts, the 得分依据 rule, the 评价方式 and the units of money.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from xlsxwriter.workbook import Workbook

from ...form.addresses import PARAMS_SHEET, cell, sheet_ref
from ...form.params import FormParams, form_params, write_params
from ...form.recording import RecordingSheet
from ...notation import notation
from ...profiles import Rules
from .profile import FUND_FIELDS, EvaluationRules

# An amount is in 万元; a text amount may carry a unit of money: 元 with any of the notation's
# multipliers (千元, 万元, 亿元 …), as perfeval_xl.spec.parse_amount reads it.
MONEY_BASE = "元"
AMOUNT_UNIT = "万元"


@dataclass(frozen=True)
class EvaluationParams:
    """The values of this kind's entries on the 参数 sheet (and the twin's)."""

    rate_cap: int  # 1: a score from the amounts never exceeds the row's 分值
    basis_below_full: int  # 1: a judgement score below full marks needs a 得分依据
    types: tuple[str, ...]  # 评价方式
    money_unit: tuple[str, ...]
    money_scale: tuple[Decimal, ...]  # 元 per unit
    money_per_amount: Decimal  # 元 per 万元

    @property
    def money_len(self) -> tuple[int, ...]:
        return tuple(len(unit) for unit in self.money_unit)


def money_units() -> dict[str, Decimal]:
    """Every unit of money and how many 元 it is: 元 1, 千元 1000, 万元 10000, 亿元 10^8 …"""
    units = {MONEY_BASE: Decimal(1)}
    units.update({prefix + MONEY_BASE: factor for prefix, factor in notation().multipliers.items()})
    return units


def sheet_rules(rules: EvaluationRules) -> Rules:
    """The rules the 参数 sheet is written from: those of the target rows, with the 评分表's
    满分, grades and title."""
    target = rules.target_rules
    sources = {**target.sources, "grades": rules.sources["grades"], "total_points": rules.sources["total_points"]}
    return dataclasses.replace(
        target, profile=rules.profile, total_points=rules.total_points, grades=rules.grades, sources=sources,
        title=f"{rules.title}；按指标值计分的行用自评表规则 {target.profile}（{target.title}）",
    )


def evaluation_params(rules: EvaluationRules) -> tuple[FormParams, EvaluationParams]:
    """The shared parameters (as the 自评表's) and this kind's own."""
    units = money_units()
    own = EvaluationParams(
        rate_cap=1 if rules.rate_cap else 0,
        basis_below_full=1 if rules.basis_below_full else 0,
        types=rules.evaluation_types,
        money_unit=tuple(units),
        money_scale=tuple(units.values()),
        money_per_amount=units[AMOUNT_UNIT],
    )
    return form_params(sheet_rules(rules)), own


def write_evaluation_params(workbook: Workbook, sheet: RecordingSheet, shared: FormParams, own: EvaluationParams,
                            rules: EvaluationRules, formats: dict[str, object]) -> None:
    """Fill the 参数 sheet: the shared entries, then this kind's below them."""
    write_params(workbook, sheet, shared, sheet_rules(rules), formats)
    row = max(r for r, _ in sheet.records) + 3
    head, key_format = formats["param_head"], formats["param_key"]
    sheet.write(row, 0, f"评分表：{rules.profile}（{rules.title}），{rules.year} 年度", head)
    row += 1
    cite = {name: rules.sources[name].cite() for name in ("rate_cap", "basis_below_full", "evaluation_types")}
    scalars: list[tuple[str, object, str]] = [
        ("rate_cap", own.rate_cap, f"按金额计分（资金到位率、预算执行率）的得分不超过分值（1 是，0 否）——{cite['rate_cap']}"),
        ("basis_rule", own.basis_below_full, f"得分低于分值须写得分依据（1 是，0 否）——{cite['basis_below_full']}"),
        ("money_per_amount", float(own.money_per_amount), "项目资金以万元计：1 万元合多少元"),
    ]
    for key, value, note in scalars:
        sheet.write(row, 0, f"pe_e_{key}")
        sheet.write(row, 1, value)
        sheet.write(row, 2, note)
        workbook.define_name(f"pe_e_{key}", "=" + sheet_ref(cell(row, 1, True), PARAMS_SHEET))
        row += 1
    rates = rules.rates.values()
    tables: list[tuple[str, list[tuple[str, tuple[object, ...]]]]] = [
        (f"按金额计分的指标：得分 = 分值 × 金额 ÷ 基数（表中公式按此引用项目资金）——{rules.sources['rates'].cite()}",
         [("rate_key", tuple(r.key for r in rates)), ("rate_label", tuple(r.label for r in rates)),
          ("rate_amount", tuple(FUND_FIELDS[r.amount] for r in rates)),
          ("rate_base", tuple(FUND_FIELDS[r.base] for r in rates))]),
        (f"评价方式——{cite['evaluation_types']}", [("types", own.types)]),
        ("金额的单位（每单位合多少元）",
         [("money_unit", own.money_unit), ("money_scale", tuple(float(v) for v in own.money_scale)),
          ("money_len", own.money_len)]),
    ]
    for title, columns in tables:
        row += 1
        sheet.write(row, 0, title, head)
        row += 1
        length = len(columns[0][1])
        for offset, (key, values) in enumerate(columns):
            sheet.write(row, offset, f"pe_e_{key}", key_format)
            for i, value in enumerate(values):
                sheet.write(row + 1 + i, offset, value)
            first, last = cell(row + 1, offset, True), cell(row + length, offset, True)
            workbook.define_name(f"pe_e_{key}", "=" + sheet_ref(f"{first}:{last}", PARAMS_SHEET))
        row += length + 1
