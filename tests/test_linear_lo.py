"""The ``linear`` formulas for lower-is-better and equal indicators, which no profile uses yet,
through the generated form recalculated by LibreOffice: the native formulas give the engine's
scores under rules that choose them (issue 14; tests/test_twin_properties.py holds the twin to the
engine for the same rules without LibreOffice)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from formcases import make_case
from test_form_parity import compare, form_equivalent, read_form

from perfeval_xl import scoring
from perfeval_xl.engine import score_project
from perfeval_xl.form import build_form
from perfeval_xl.libreoffice import recalculate
from perfeval_xl.notation import Direction
from perfeval_xl.profiles import Rules, load_rules
from perfeval_xl.spec import FundsRow, Indicator, ProjectSpec

D = Decimal


def linear(rules: Rules) -> Rules:
    return dataclasses.replace(rules, lower_formula="linear", equal_formula="linear")


def over_the_line() -> ProjectSpec:
    """Lower-is-better and equal targets missed by a little, by half, at and past twice the target."""
    rows = []
    for i, (target, actual) in enumerate([("≤100万元", 125), ("≤100万元", 150), ("≤100万元", 200), ("≤100万元", 250),
                                          ("≤100万元", 80), ("＝4次", 5), ("＝4次", 3), ("＝4次", 9), ("≤5%", "7.5%"),
                                          ("＜20天", 27)]):
        rows.append(Indicator(level1="产出指标", level2="成本指标" if "万元" in target else "时效指标",
                              name=f"反向{i}", target=target, actual=actual, weight=D(9), reason="超出预算，已整改"))
    return ProjectSpec(year=2023, project="线性计分", department="测试局", unit="测试中心", profile="mof-2020",
                       funds={"fiscal": FundsRow(D(100), D(100), D("98.5"))}, indicators=tuple(rows))


def percent_far_above() -> ProjectSpec:
    """Percentages written with their % far above a small % target (100% against ≥2%): written into
    the form as text, so that its formulas do not read them as percentages typed without their %."""
    rows = [Indicator(level1="产出指标", level2="质量指标", name=f"比例{i}", target=target, actual=actual, weight=D(30),
                      reason="目标设定偏低")
            for i, (target, actual) in enumerate([("≥2%", "100%"), ("≥1%", "35%"), ("≥2%", "1%")])]
    return ProjectSpec(year=2023, project="百分数照写", department="测试局", unit="测试中心", profile="mof-2020",
                       funds={"fiscal": FundsRow(D(100), D(100), D(100))}, indicators=tuple(rows))


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[ProjectSpec, Rules, Any, Path]]:
    root = tmp_path_factory.mktemp("linear")
    specs = [over_the_line(), *(make_case(index, seed=14).filled_spec() for index in range(12)), percent_far_above()]
    items = []
    for number, spec in enumerate(specs):
        rules = linear(load_rules(spec.profile, spec.year))
        built = build_form(spec, root / "built" / f"case_{number:02d}.xlsx", rules=rules)
        items.append((spec, rules, built))
    outputs = recalculate([built.path for _, _, built in items], root / "recalculated")
    return [(spec, rules, built, out) for (spec, rules, built), out in zip(items, outputs, strict=True)]


def test_native_linear_formulas_equal_the_engine(recalculated: list[tuple[ProjectSpec, Rules, Any, Path]]) -> None:
    failures, differ = [], 0
    for spec, rules, built, path in recalculated:
        result = score_project(form_equivalent(spec), rules)
        rows = {p.spec_index: p.row for p in built.layout.indicators if p.spec_index is not None}
        diffs = compare(result, read_form(path, built.layout), [rows[i] for i in range(len(spec.indicators))])
        if diffs:
            failures.append(f"{spec.project}: " + "; ".join(diffs[:4]))
        for ind in result.indicators:  # rows where linear and ratio give different scores
            if ind.target is not None and ind.actual is not None and ind.weight and ind.direction in (
                    Direction.LOWER, Direction.EQUAL) and ind.target.value is not None:
                t, a, w = ind.target.value, ind.actual, ind.weight
                differ += scoring.quantitative_score(t, a, w, ind.direction, "linear", "linear") != \
                    scoring.quantitative_score(t, a, w, ind.direction, "ratio", "ratio")
    assert not failures, "\n".join(failures)
    assert differ >= 8  # the test exercises the linear formulas, not only targets met


def test_the_linear_form_says_its_formula(recalculated: list[tuple[ProjectSpec, Rules, Any, Path]]) -> None:
    """The 参数 sheet records the formula the form scores with (where the formulas read it)."""
    import openpyxl

    _, _, built, _ = recalculated[0]
    params = openpyxl.load_workbook(built.path)["参数"]
    values = {row[0]: row[1] for row in params.iter_rows(values_only=True) if row[0]}
    assert values["pe_p_lower_formula"] == values["pe_p_equal_formula"] == "linear"
    over = score_project(form_equivalent(recalculated[0][0]), recalculated[0][1])
    assert [float(i.score) for i in over.indicators[:5]] == [6.75, 4.5, 0.0, 0.0, 9.0]


def test_a_percentage_far_above_a_small_target_is_read_as_written(
        recalculated: list[tuple[ProjectSpec, Rules, Any, Path]]) -> None:
    spec, rules, built, path = recalculated[-1]
    result = score_project(form_equivalent(spec), rules)
    assert [float(i.score) for i in result.indicators] == [30.0, 30.0, 15.0]
    assert not [f for f in result.findings + [f for i in result.indicators for f in i.findings]
                if f.code == "percent-scale"]
    rows = {p.spec_index: p.row for p in built.layout.indicators if p.spec_index is not None}
    assert compare(result, read_form(path, built.layout), [rows[i] for i in range(len(spec.indicators))]) == []
