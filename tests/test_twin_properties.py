"""The Python twin of the 自评表's native formulas (kinds/self/model.py, what a new form carries as
cached results) equals the engine, for any indicators, under every profile in
workbook_templates/profiles and the years its rules change, and under the ``linear`` variants of the
lower-is-better and equal formulas that no profile uses yet (issue 14: each rule written once in
Python; the twin calls perfeval_xl.scoring, the formula text is the only translation, and the
LibreOffice tests hold the formulas to the twin)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval_xl.engine import score_project, status_text
from perfeval_xl.errors import PerfEvalError
from perfeval_xl.kinds.self.layout import Col
from perfeval_xl.kinds.self.plan import funds_for_form, plan_form
from perfeval_xl.profiles import Rules, available_profiles, load_rules
from perfeval_xl.spec import FundsRow, Indicator, ProjectSpec

D = Decimal
YEARS = (2018, 2019, 2020, 2021, 2023, 2025)


def _rules() -> list[Rules]:
    """Every profile in every year whose rules differ, then each with the linear formulas."""
    found: list[Rules] = []
    for name in available_profiles():
        seen: list[Rules] = []
        for year in YEARS:
            try:
                rules = load_rules(name, year)
            except PerfEvalError:  # before the profile took effect
                continue
            if not any(dataclasses.replace(r, year=year) == rules for r in seen):
                seen.append(rules)
        found += seen
    variants = [dataclasses.replace(r, lower_formula=lower, equal_formula=equal)
                for r in found for lower, equal in (("linear", "ratio"), ("ratio", "linear"), ("linear", "linear"))]
    return found + variants


RULES = _rules()
NAMES = [f"{r.profile}-{r.year}-{r.lower_formula}-{r.equal_formula}" for r in RULES]

SIGNS = ["", "≥", "＞", "≤", "＜", "＝", "不低于", "不超过", "低于"]
UNITS = ["", "次", "万元", "批次", "人次", "%"]
QUALITATIVE = ["达成预期指标", "明显减少", "年底前完成", "合格"]
RATINGS = ["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差", "达成", "部分达成", "未达成", "很好"]
REASONS = ["", "", "人员不足，下半年补齐", "无"]

numbers = st.integers(0, 500_000).map(lambda n: D(n).scaleb(-2))  # 0–5000.00, as typed


@st.composite
def quantitative(draw: Any, level2: str) -> Indicator:
    sign, unit, target = draw(st.sampled_from(SIGNS)), draw(st.sampled_from(UNITS)), draw(numbers)
    if unit == "%":
        target = D(draw(st.integers(0, 100)))
    # actuals near the target (the lines: reached, 130 %, 70 %, twice) and anywhere
    factor = draw(st.sampled_from([D(1), D("0.5"), D("0.7"), D("0.97"), D("1.05"), D("1.3"), D("1.31"), D(2),
                                   D("2.5"), D(0)]))
    actual: object = draw(st.one_of(st.just(target * factor), numbers, st.none()))
    if actual is not None and unit == "%":
        actual = f"{D(str(actual)).normalize():f}%"
    return Indicator(level1="", level2=level2, name="指标", target=f"{sign}{target.normalize():f}{unit}",
                     actual=actual, reason=draw(st.sampled_from(REASONS)))


@st.composite
def qualitative(draw: Any, level2: str, weight: Decimal) -> Indicator:
    share = draw(st.one_of(st.none(), st.integers(0, 100).map(lambda n: D(n).scaleb(-2))))
    return Indicator(level1="", level2=level2, name="定性", target=draw(st.sampled_from(QUALITATIVE)),
                     actual=draw(st.one_of(st.none(), st.sampled_from(RATINGS))),
                     score=None if share is None else round(weight * share, 2),
                     reason=draw(st.sampled_from(REASONS)))


@st.composite
def projects(draw: Any, rules: Rules) -> ProjectSpec:
    level2s = [(l1, l2) for l1, l2s in rules.hierarchy.items() for l2 in l2s]
    indicators = []
    for i in range(draw(st.integers(1, 8))):
        level1, level2 = draw(st.sampled_from(level2s))
        weight = draw(st.integers(0, 300).map(lambda n: D(n).scaleb(-1)))
        row = draw(st.one_of(quantitative(level2), qualitative(level2, weight)))
        indicators.append(dataclasses.replace(row, level1=level1, weight=weight, name=f"{row.name}{i}",
                                              where=f"第 {i + 1} 个指标"))
    funds = {}
    for key in draw(st.lists(st.sampled_from(["fiscal", "carryover", "other"]), unique=True, max_size=3)):
        budget = draw(st.one_of(numbers, st.none()))
        executed = None if budget is None else draw(st.one_of(
            st.sampled_from([budget, budget * D("0.9873"), budget / 2, budget * D("1.1")]).map(lambda v: round(v, 2)),
            numbers))
        funds[key] = FundsRow(initial=budget, budget=budget, executed=executed)
    return ProjectSpec(year=rules.year, project="性质检验", profile=rules.profile, funds=funds,
                       indicators=tuple(indicators))


def cell(value: Decimal | None) -> object:
    """A result as the twin's cell holds it."""
    return "" if value is None else float(value)


def as_form_holds_it(spec: ProjectSpec) -> ProjectSpec:
    """年度资金总额 is the sum of the three rows on the form."""
    rows, _ = funds_for_form(spec)
    return dataclasses.replace(spec, funds={key: FundsRow(**cols) for key, cols in rows.items()})


@pytest.mark.parametrize("rules", RULES, ids=NAMES)
@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data())
def test_the_twin_of_the_formulas_equals_the_engine(rules: Rules, data: st.DataObject) -> None:
    spec = data.draw(projects(rules))
    plan = plan_form(spec, rules)
    result = score_project(as_form_holds_it(spec), rules)
    for planned in plan.rows:
        if planned.place.spec_index is None:
            continue
        row, values = result.indicators[planned.place.spec_index], planned.values
        where = f"{row.spec.name} {row.spec.target!r} {row.spec.actual!r}"
        assert values[Col.SCORE] == cell(row.score), where
        assert values[Col.DEVIATION] == cell(row.deviation), where
        assert values[Col.REASON_REQ] == row.reason_required, where
    project = plan.project
    assert (project["exec_score"], project["total"]) == (cell(result.execution.score), float(result.total))
    assert project["grade"] == (result.grade or "")
    assert project["status"] == status_text(result)


def test_the_rules_cover_every_profile_and_the_linear_formulas() -> None:
    assert {r.profile for r in RULES} == set(available_profiles())
    assert any(r.lower_formula == "linear" for r in RULES) and any(r.equal_formula == "linear" for r in RULES)
