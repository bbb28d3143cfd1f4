"""The Excel functions give the engine's answers: the issue's seed values, every
golden case, 500 generated projects, blocks, blanks and zeros, and never an
exception into Excel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from udfcases import block_row, generated_projects, golden_projects, matches, project_calls

from perfeval_xl import udfs
from perfeval_xl.findings import Severity
from perfeval_xl.udfs import (
    PE_CHECK,
    PE_DEVIATION,
    PE_DEVIATION_RATE,
    PE_EVALUATION_GRADE,
    PE_EXEC_SCORE,
    PE_EXECUTION_SCORE,
    PE_GRADE,
    PE_SCORE,
    PE_SCORES,
)


def test_the_issue_values() -> None:
    assert PE_SCORE("97%", "95%", 10) == 9.79
    assert PE_EXEC_SCORE(439.53, 357.04, 20) == 16.25
    assert PE_GRADE(89.99) == "良"


def test_seed_numbers() -> None:
    assert PE_DEVIATION(37, 40) == 0.081  # +8.1%
    assert PE_DEVIATION(3000, 2072) == -0.309
    assert PE_DEVIATION(10, 28) == 1.8
    assert PE_DEVIATION("0次", 2) == ""  # undefined for a zero target
    assert PE_EXEC_SCORE(87.65, 86.54, 10) == 9.87
    assert PE_EXEC_SCORE(2154.81, 1172.32, 4) == 2.18  # seed 000 printed 2.16
    assert PE_SCORE("≤87.65万元", "86.54万元", 25) == 25.0
    assert PE_SCORE("86%", 0.878, 5, year=2019) == 5.0
    assert PE_GRADE(90) == "优" and PE_GRADE(59.99) == "差" and PE_GRADE(89.995) == "优"


def test_blanks_zeros_and_text() -> None:
    assert PE_SCORE("≥95%", None, 10) == ""  # classic xlwings: an empty cell
    assert PE_SCORE("≥95%", "", 10) == ""  # xlwings Server: IF(ISBLANK(F2),"",F2)
    assert PE_SCORE("≥95%", "—", 10) == ""  # the notation's empty marker
    assert PE_SCORE("≥95%", 0, 10) == 0.0  # a real 0 is a value
    assert PE_SCORE("0次", 0, 10) == 10.0  # 0 accidents against a zero target
    assert PE_SCORE(None, 0.9, 10) == ""  # a spare row
    assert PE_SCORE("≥95%", 0.9, None) == ""  # no weight yet
    assert PE_SCORE("≤420元/次", 430, 10) == 9.77  # lower is better, ratio formula
    assert PE_SCORE("420元/次", 430, 10, "成本指标") == 9.77  # no sign: 成本指标 is lower-is-better
    assert PE_SCORE("420元/次", 430, 10, 0) == 10.0  # level2 0 (a blank on the server): higher
    assert PE_SCORE("达成预期指标", "达成", 15) == 15.0
    assert PE_SCORE("达成预期指标", "部分达成", 15, None, 10) == 10.0
    assert PE_SCORE("达成预期指标", "部分达成", 15, None, None).startswith("#错误：")
    assert PE_SCORE("87.65万元", "865400元", 25, "成本指标") == 25.0  # 元 converts to 万元
    assert PE_EXEC_SCORE(None, 86.54, 10) == ""
    assert PE_EXEC_SCORE("87.65万元", "865400元", None) == 9.87  # amounts with units; weight from the rules
    assert PE_GRADE(None) == "" and PE_GRADE("") == ""


def test_errors_are_short_chinese_messages() -> None:
    assert PE_SCORE("≥200次", "约200", 10) == "#错误：实际完成值“约200”不是确切数字"
    assert PE_SCORE("≥95%", "95", 10, year=2019) == 10.0  # read as a fraction (a warning, not an error)
    assert PE_SCORE("≥100家", "5次", 10) == "#错误：实际完成值“5次”与年度指标值“≥100家”的单位不能换算"
    assert PE_SCORE("达成", "很好", 10) == "#错误：定性指标的实际完成值“很好”不是评价档次"
    assert PE_SCORE("达成", "部分达成", 10, None, 9) == (
        "#错误：评分 9 不在“部分达成年度指标并具有一定效果”的分值范围内（不低于 6 分且低于 8 分）")
    assert PE_SCORE("≥95%", "95%", "十") == "#错误：分值“十”不是数字"
    assert PE_SCORE("≥95%", "95%", -1) == "#错误：分值 -1 为负数"
    assert PE_SCORE("≥95%", "95%", 10, profile="guangdong") == "#错误：没有名为“guangdong”的规则"
    assert PE_SCORE("≥95%", "95%", 10, year=1990) == "#错误：评价年度 1990 不在 2000–2100 之间"
    assert PE_SCORE("≥95%", "95%", 10, profile="wuhan-donghu-2018", year=2010).startswith(
        "#错误：规则“wuhan-donghu-2018”没有适用于 2010 年度")
    assert PE_EXEC_SCORE(0, 5, 10) == "#错误：全年预算数为 0"
    assert PE_EXEC_SCORE(-3, 5, 10) == "#错误：年度资金总额的全年预算数不能小于 0（现为 -3）"
    assert PE_GRADE("九十") == "#错误：总分“九十”不是数字"


def test_first_clause_keeps_quoted_commas() -> None:
    assert udfs.first_clause("实际完成值“约200，待核”不是确切数字，请填写数值") == "实际完成值“约200，待核”不是确切数字"


def test_default_year_is_the_year_evaluated_now() -> None:
    assert udfs.default_year(dt.date(2026, 3, 1)) == 2025
    assert PE_SCORE("≥95%", 0.9, 10) == PE_SCORE("≥95%", 0.9, 10, "", None, "mof-2020", udfs.default_year())


def test_form_names_are_the_same_functions() -> None:
    assert PE_DEVIATION_RATE(37, 40) == PE_DEVIATION(37, 40)
    assert PE_EXECUTION_SCORE(439.53, 357.04, 20) == PE_EXEC_SCORE(439.53, 357.04, 20)
    assert PE_EVALUATION_GRADE(89.99) == PE_GRADE(89.99)


@pytest.mark.parametrize("source", ["golden", "generated"])
def test_functions_equal_the_engine(source: str) -> None:
    projects = golden_projects() if source == "golden" else generated_projects()
    failures, counted = [], {"PE_SCORE": 0, "PE_DEVIATION": 0, "PE_EXEC_SCORE": 0, "PE_GRADE": 0, "error": 0}
    for label, spec in projects:
        calls, _ = project_calls(spec, label)
        for call in calls:
            got = getattr(udfs, call.name)(*call.args)
            counted[call.name] += 1
            counted["error"] += call.want == "error"
            if not matches(got, call.want):
                failures.append(f"{call.label} {call.name}{tuple(call.args)}: {got!r}, engine {call.want!r}")
    assert not failures, f"{len(failures)} calls differ:\n" + "\n".join(failures[:20])
    if source == "generated":  # the generator reaches every kind of answer
        assert len(projects) >= 500 and counted["PE_SCORE"] > 3000 and counted["PE_GRADE"] > 30
        assert counted["error"] > 200 and counted["PE_EXEC_SCORE"] > 400


@pytest.mark.parametrize("source", ["golden", "generated"])
def test_block_functions_equal_the_engine(source: str) -> None:
    projects = golden_projects() if source == "golden" else generated_projects(200)
    for label, spec in projects:
        calls, result = project_calls(spec, label)
        header = ["一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分", "偏差原因分析及改进措施"]
        block = [header] + [block_row(ind) for ind in result.indicators]
        rules = (result.rules.profile, spec.year)
        rows = PE_SCORES(block, *rules)
        singles = [c for c in calls if c.name in ("PE_SCORE", "PE_DEVIATION")]
        assert rows[0] == ["", ""]  # the header row
        for (score, deviation), want_score, want_dev in zip(rows[1:], singles[::2], singles[1::2], strict=True):
            assert matches(score, want_score.want), (label, want_score.label, score, want_score.want)
            assert matches(deviation, want_dev.want), (label, want_dev.label, deviation, want_dev.want)
        lines = [line[0] for line in PE_CHECK(block, *rules)]
        engine = [f for ind in result.indicators for f in ind.findings if f.severity is not Severity.NOTE]
        if not engine:
            assert lines == ["未发现问题"], label
            continue
        assert len(lines) == len(engine), (label, lines)
        for found in engine:
            assert any(line.endswith("：" + found.message) and line.startswith(f"[{found.severity.label}]")
                       for line in lines), (label, found.message)


def test_block_rows_merged_labels_spare_rows_and_server_zeros() -> None:
    block = [
        ["产出指标", "质量指标", "案件结案率", "97%", 0.95, 10, None, None],
        [None, "成本指标", "经费", "420元/次", 430, 5, None, "超支"],  # 一级 merged: carried down
        [None, None, None, None, None, None, None, None],  # a spare row (classic)
        [0, 0, 0, 0, 0, 0, 0, 0],  # a spare row as xlwings Server sends it
        [None, None, "巡查", "≥10次", "x", "五", None, None],
    ]
    assert PE_SCORES(block, year=2019) == [
        [9.79, -0.021], [4.88, 0.024], ["", ""], ["", ""], ["#错误：分值“五”不是数字", ""]]
    assert PE_CHECK(block, year=2019) == [
        ["[错误] 第 1 行“案件结案率”：实际完成值 95% 未达到年度指标值“97%”，请填写偏差原因分析及改进措施"],
        ["[错误] 第 5 行：分值“五”不是数字，请填写数值"],
    ]
    assert PE_SCORES([[1, 2]]).startswith("#错误：指标表应有 6–8 列")


cells = st.one_of(st.none(), st.text(max_size=12), st.floats(allow_nan=False, allow_infinity=False),
                  st.integers(-10**6, 10**6), st.booleans(), st.sampled_from(["≥95%", "约200", "达成", "0次", ""]),
                  st.datetimes())


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, min_size=7, max_size=7))
def test_functions_never_raise(args: list[Any]) -> None:
    for name, arity in (("PE_SCORE", 7), ("PE_DEVIATION", 4), ("PE_EXEC_SCORE", 5), ("PE_GRADE", 3),
                        ("PE_SCORES", 3), ("PE_CHECK", 3), ("PE_RATE_SCORE", 5)):
        got = getattr(udfs, name)(*args[:arity])
        assert isinstance(got, (float, str, list)), (name, args, got)
        if isinstance(got, str) and got:
            assert got.startswith("#错误：") or name in ("PE_GRADE",), (name, args, got)


# ---------------------------------------------------------------------------
# PE_RATE_SCORE: the 评分表's rows scored from the amounts


def test_rate_score_gives_the_evaluation_engines_score() -> None:
    from perfeval_xl.udfs import PE_RATE_SCORE

    assert PE_RATE_SCORE(1172.32, 2154.81, 4) == 2.18  # seed 000 printed 4 × 54% = 2.16
    assert PE_RATE_SCORE(2154.81, 2154.81, 4) == 4
    assert PE_RATE_SCORE(3000, 2000, 4) == 4  # capped at the 分值 (mof-2020's rate_cap)
    assert PE_RATE_SCORE("1172.32万元", "21548100元", 4, "mof-2020", 2020) == 2.18  # amounts with units
    assert PE_RATE_SCORE(0, 100, 4) == 0


def test_rate_score_blanks_and_errors() -> None:
    from perfeval_xl.udfs import PE_RATE_SCORE

    assert PE_RATE_SCORE(None, 100, 4) == "" and PE_RATE_SCORE(1, "", 4) == "" and PE_RATE_SCORE(1, 2, None) == ""
    assert PE_RATE_SCORE("—", 100, 4) == ""
    assert PE_RATE_SCORE(5, 0, 4) == "#错误：预算资金为 0"
    assert PE_RATE_SCORE(-1, 2, 4) == "#错误：金额 -1 不能小于 0"
    assert PE_RATE_SCORE("约5", 2, 4) == "#错误：金额“约5”不是金额"
    assert PE_RATE_SCORE(1, 2, -4) == "#错误：分值 -4 为负数"
    assert PE_RATE_SCORE(1, 2, "四") == "#错误：分值“四”不是数字"
    assert PE_RATE_SCORE(1, 2, 4, "wuhan") == "#错误：评分表的规则“wuhan”不存在"


@settings(max_examples=300, deadline=None)
@given(st.decimals(0, 10**6, places=2), st.decimals("0.01", 10**6, places=2), st.decimals(0, 30, places=1))
def test_rate_score_equals_the_engine_on_any_amounts(amount: Any, base: Any, weight: Any) -> None:
    """The function is the 评分表 engine's rule (kinds.evaluation.scoring.rate_score), capped as
    the profile says, from the amounts — for every amount, base and 分值."""
    from decimal import Decimal

    from perfeval_xl.kinds.evaluation.scoring import rate_score
    from perfeval_xl.udfs import PE_RATE_SCORE

    want = rate_score(amount, base, weight, True, 2)
    assert PE_RATE_SCORE(float(amount), float(base), float(weight)) == float(want)
    assert want <= weight and want == min(weight, (weight * amount / base).quantize(Decimal("0.01"), "ROUND_HALF_UP"))
