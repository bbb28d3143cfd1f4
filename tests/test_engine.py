"""Findings: every problem the engine must name, with where it is and what to do."""

from __future__ import annotations

from decimal import Decimal

from perfeval_xl.engine import ProjectResult, score_project, status_text
from perfeval_xl.findings import CODES
from perfeval_xl.spec import spec_from_data

# A 效益 and a 满意度 row at full marks, so that a test's 产出 rows (50 points in
# all) make a project whose weights follow the baseline 10/50/30/10.
FILLER = [
    {"level1": "效益指标", "level2": "社会效益指标", "name": "群众受益", "target": "达成预期指标",
     "actual": "达成", "weight": 30},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "target": "≥90%",
     "actual": "95%", "weight": 10},
]


def project(indicators: list[dict], fill: bool = True, **extra: object) -> ProjectResult:
    data: dict = {
        "year": 2020,
        "project": "测试项目",
        "funds": {"fiscal": {"budget": 100, "executed": 100}},
        "indicators": indicators + (FILLER if fill else []),
    }
    data.update(extra)
    return score_project(spec_from_data(data, "t.yaml"))


def row(name: str = "巡查次数", **fields: object) -> dict:
    base = {"level1": "产出指标", "level2": "数量指标", "name": name, "target": "≥10次",
            "actual": "10次", "weight": 50}
    base.update(fields)
    return base


def codes(result: ProjectResult, severity: str | None = None) -> list[str]:
    return sorted(f.code for f in result.all_findings()
                  if severity is None or f.severity.value == severity)


def messages(result: ProjectResult) -> str:
    return "\n".join(f.render() for f in result.all_findings())


def test_a_complete_project() -> None:
    result = project([row()])
    assert result.total == Decimal(100) and result.grade == "优" and result.complete
    assert codes(result) == []
    assert status_text(result) == "已填写完整"


def test_actual_not_a_number() -> None:
    result = project([row(name="重点单位巡查", target="400家", actual="约200")])
    assert codes(result, "error") == ["actual-not-number"]
    assert "第 1 个指标“重点单位巡查”（t.yaml）：实际完成值“约200”不是确切数字，请填写数值（如 400家）" in messages(result)
    assert result.grade is None and not result.complete
    assert status_text(result) == "1 项实际完成值无法识别"


def test_missing_actual_leaves_the_form_incomplete() -> None:
    result = project([row(actual=None)])
    assert codes(result, "error") == ["actual-missing"]
    assert result.total == Decimal(50) and result.grade is None
    assert status_text(result) == "1 项实际完成值未填写"


def test_units_that_do_not_convert() -> None:
    result = project([row(actual="10家")])
    assert codes(result, "error") == ["unit-mismatch"]
    assert "实际完成值“10家”与年度指标值“≥10次”的单位不能换算，请按 次 填写" in messages(result)


def test_amounts_in_yuan_against_a_target_in_wan() -> None:
    result = project([row(level2="成本指标", name="成本", target="≤87.65万元", actual="865400元")])
    assert codes(result) == ["unit-converted"]
    assert result.indicators[0].actual == Decimal("86.54")


def test_shortfall_without_reason() -> None:
    result = project([row(actual="8次")])
    assert codes(result, "error") == ["reason-missing"]
    assert "实际完成值 8次 未达到年度指标值“≥10次”，请填写偏差原因分析及改进措施" in messages(result)
    assert status_text(result) == "1 项偏差未说明原因"
    assert codes(project([row(actual="8次", reason="人员不足")]), "error") == []


def test_large_excess_without_reason() -> None:
    result = project([row(actual="13次")])
    assert codes(result, "error") == ["reason-missing"]
    assert "超出年度指标值“≥10次”较多（偏差率 +30.0%）" in messages(result)
    assert codes(project([row(actual="12.9次")]), "error") == []


def test_zero_target_excess_line() -> None:
    result = project([row(target="0次", actual="30次", level2="数量指标")])
    ind = result.indicators[0]
    assert ind.score == 0 and ind.reason_required


def test_qualitative_ratings() -> None:
    base = row(target="达成预期指标")
    assert project([{**base, "actual": "达成"}]).indicators[0].score == Decimal(50)
    partial = project([{**base, "actual": "部分达成"}])
    assert codes(partial, "error") == ["reason-missing", "score-required"]
    assert "“部分达成年度指标并具有一定效果”须给分（不低于 30 分且低于 40 分），请填写得分" in messages(partial)
    assert status_text(partial) == "1 项定性指标需在档次内评分；1 项偏差未说明原因"
    scored = project([{**base, "actual": "部分达成", "score": 35, "reason": "进度滞后"}])
    assert scored.indicators[0].score == Decimal(35) and codes(scored, "error") == []
    outside = project([{**base, "actual": "部分达成", "score": 40, "reason": "进度滞后"}])
    assert codes(outside, "error") == ["score-out-of-band"]
    unknown = project([{**base, "actual": "完成得很好"}])
    assert codes(unknown, "error") == ["rating-unknown"]


def test_score_written_differs_from_the_rules() -> None:
    result = project([row(target="400家", actual="188家", score=25, reason="指标偏高")])
    assert codes(result, "error") == ["score-differs"]
    assert "写的得分为 25，按规则应为 23.5（50 × 188家 ÷ 400家）" in messages(result)


def test_weights_must_reach_100() -> None:
    result = project([row(weight=40)])
    assert "weights-total" in codes(result, "error")
    assert status_text(result) == "分值合计 90，应为 100"


def test_block_weights_are_a_warning_only() -> None:
    result = project([row(weight=60), row(name="收益", level1="效益指标",
                                          level2="经济效益指标", target="≥90%",
                                          actual="95%", weight=30)], fill=False)
    assert codes(result, "warning") == ["block-weight", "block-weight"]  # 产出 60, 满意度 0
    assert result.grade == "优"


def test_weights_written_in_the_labels() -> None:
    result = project([row(level1="产出指标(40分)")])
    assert "label-weight" in codes(result, "warning")


def test_unknown_and_misplaced_levels() -> None:
    result = project([row(level1="效果指标", level2="服务对象满意度"), row(name="x", level2="好看指标")])
    found = codes(result)
    assert "level-alias" in found and "level2-misplaced" in found and "level2-unknown" in found


def test_duplicate_indicators() -> None:
    result = project([row(weight=25), row(weight=25)])
    assert codes(result, "warning") == ["duplicate-indicator", "duplicate-indicator"]


def test_funds_total_must_equal_the_rows() -> None:
    result = project([row()], funds={"total": {"budget": 110, "executed": 100},
                                     "fiscal": {"budget": 100, "executed": 100}})
    assert codes(result, "error") == ["funds-total-mismatch"]
    assert "年度资金总额 110 万元不等于各资金来源之和 100 万元" in messages(result)


def test_executed_over_budget() -> None:
    result = project([row()], funds={"fiscal": {"budget": 100, "executed": 120}})
    assert codes(result, "warning") == ["funds-over-executed"]
    assert result.execution.score == 10


def test_one_source_over_budget_while_the_total_is_within() -> None:
    result = project([row()], funds={"fiscal": {"budget": 100, "executed": 120},
                                     "other": {"budget": 50, "executed": 10}})
    [found] = [f for f in result.all_findings() if f.code == "funds-over-executed"]
    assert found.where == "项目资金·当年财政拨款" and "120" in found.message


def test_duplicate_names_under_different_level2() -> None:
    result = project([row(name="巡查"), row(name="巡查", level2="质量指标")])
    assert codes(result, "warning").count("duplicate-indicator") == 2


def test_approximate_targets_are_flagged() -> None:
    result = project([row(target="200余人", actual=210), row(name="b", target="约20场", actual="达成"),
                      row(name="c", target="多部门协同", actual="达成")])
    assert codes(result, "warning").count("target-approximate") == 2
    assert result.indicators[0].score is not None  # 200余人 still scores as 200


def test_square_metres_are_a_unit_not_a_digit() -> None:
    result = project([row(target="≥5000㎡", actual="4000m²", reason="施工延误")])
    ind = result.indicators[0]
    assert not ind.target.qualitative and ind.target.unit == "m²" and ind.deviation == Decimal("-0.2")


def test_total_is_the_sum_of_rounded_scores_not_the_rounded_sum() -> None:
    """Three scores of 10 × 1/3 = 3.333… are 3.33 each: the total has 9.99 of them, not 10."""
    thirds = [row(name=f"指标{i}", target="≥3次", actual="1次", weight=10, reason="未完成") for i in range(3)]
    result = project([*thirds, row(name="其余", weight=20)])
    assert [i.score for i in result.indicators[:3]] == [Decimal("3.33")] * 3
    assert result.total == Decimal("10") + Decimal("9.99") + Decimal("20") + Decimal("40")


def test_missing_funds() -> None:
    result = project([row()], funds={"fiscal": {"budget": 100}})
    assert codes(result, "error") == ["funds-missing"]
    assert status_text(result) == "项目资金未填写完整"


def test_sichuan_execution_line() -> None:
    result = project([row()], year=2023, profile="sichuan",
                     funds={"fiscal": {"budget": 100, "executed": 85}})
    assert codes(result, "warning") == ["execution-low"]
    assert "预算执行率 85.00% 低于 90%，须在报告中说明原因" in messages(result)
    assert status_text(result) == "预算执行率低于 90%，须在报告中说明原因"
    at_the_line = project([row()], year=2023, profile="sichuan", funds={"fiscal": {"budget": 100, "executed": 90}})
    assert status_text(at_the_line) == "已填写完整"


def test_percent_written_as_a_bare_number() -> None:
    """95 against ≥90% means 95% (scored full, with a warning); 1.05 may be a ratio: 105%."""
    result = project([row(target="≥90%", actual=95)])
    assert codes(result, "warning") == ["percent-scale"]
    assert result.indicators[0].actual == Decimal("0.95") and result.indicators[0].score == result.indicators[0].weight
    ratio = project([row(target="≥90%", actual=1.05, reason="x")])
    assert "percent-as-fraction" in codes(ratio, "warning") and ratio.indicators[0].actual == Decimal("1.05")


def test_every_code_used_is_documented() -> None:
    import pathlib
    import re

    source = (pathlib.Path(__file__).parents[1] / "perfeval_xl" / "engine.py").read_text("utf-8")
    used = set(re.findall(r'F\.(?:error|warning|note)\(\s*"([a-z0-9-]+)"', source))
    assert used <= set(CODES), used - set(CODES)
    assert len(used) > 25


# --------------------------------------------------------------------------- real targets (issue 11)


def test_a_target_with_digits_read_as_qualitative_is_a_warning_worded_exactly() -> None:
    result = project([row(target="完成3500批次", actual="达成")])
    assert codes(result, "warning") == ["target-qualitative-digits"]
    assert ("[警告] 第 1 个指标“巡查次数”（t.yaml）：年度指标值“完成3500批次”含有数字，但读不出“比较符号+数值+单位”"
            "（数值前有其他文字），已按定性指标处理：实际完成值须选择评价档次；如为定量指标，请写成 ≥3500批次、95%以上、"
            "≤87.65万元 这样的写法") in messages(result)
    assert result.indicators[0].score == Decimal(50)


def test_a_deadline_is_qualitative_with_a_note_not_a_warning() -> None:
    result = project([row(target="12月底前完成", actual="达成")])
    assert codes(result, "warning") == [] and codes(result, "note") == ["target-deadline"]


def test_an_approximate_target_is_warned_about_once() -> None:
    result = project([row(target="约20场", actual="达成")])
    assert codes(result, "warning") == ["target-approximate"]


def test_a_number_against_a_qualitative_target_is_named() -> None:
    result = project([row(target="达成预期指标", actual="3600批次")])
    assert codes(result, "error") == ["actual-number-for-qualitative"]
    assert ("年度指标值“达成预期指标”是定性指标，实际完成值“3600批次”却是数值；请选择评价档次（达成年度指标 / "
            "部分达成年度指标并具有一定效果 / 未达成年度指标且效果较差），如该指标应为定量指标，请把年度指标值改成定量写法"
            "（如 ≥3500批次）") in messages(result)
    assert status_text(result).startswith("1 项实际完成值无法识别")


def test_the_issue_wordings_are_quantities() -> None:
    """大于等于3500批次 with 3000, weight 10: 8.57 (it was a qualitative rating before)."""
    result = project([row(target="大于等于3500批次", actual="3000", weight=10),
                      row(name="合格率", level2="质量指标", target="不低于95%", actual="95%", weight=10),
                      row(name="及时率", level2="时效指标", target="95%以上", actual="96%", weight=10),
                      row(name="成本", level2="成本指标", target="小于等于87.65万元", actual="86.54万元", weight=20)])
    assert [i.score for i in result.indicators[:4]] == [Decimal("8.57"), 10, 10, 20]
    assert [i.direction.value for i in result.indicators[:4]] == ["higher", "higher", "higher", "lower"]


def test_an_overspend_is_said_to_exceed_the_target() -> None:
    result = project([row(level2="成本指标", target="≤416.74万元", actual="420.5万元")])
    assert ("实际完成值 420.5万元 超过年度指标值“≤416.74万元”，请填写偏差原因分析及改进措施"
            in messages(result))


def test_unreadable_amounts_are_errors_at_their_cells_never_missing() -> None:
    import dataclasses

    spec = spec_from_data({"year": 2020, "project": "测试项目", "indicators": [row(), *FILLER],
                           "funds": {"fiscal": {"budget": 87.65}}}, "t.yaml")
    spec = dataclasses.replace(spec, unread={"funds.fiscal.executed": "#REF!"},
                               locations={"funds.fiscal.budget": "自评表!E7", "funds.fiscal.executed": "自评表!F7"})
    result = score_project(spec)
    assert codes(result, "error") == ["cell-error"]
    assert messages(result) == ("[错误] 项目资金·当年财政拨款（自评表!F7）：全年执行数是错误值 #REF!（公式出错），"
                                "无法计算预算执行率；请改为以万元计的金额")
    assert result.execution.score is None and status_text(result) == "项目资金未填写完整"


def test_a_missing_execution_is_reported_at_its_own_cell() -> None:
    """Not at the budget's: 全年执行数 is F7, not E7."""
    import dataclasses

    spec = spec_from_data({"year": 2020, "project": "测试项目", "indicators": [row(), *FILLER],
                           "funds": {"fiscal": {"budget": 87.65}}}, "t.yaml")
    spec = dataclasses.replace(spec, locations={"funds.fiscal.budget": "自评表!E7",
                                                "funds.fiscal.executed": "自评表!F7"})
    [finding] = [f for f in score_project(spec).findings if f.code == "funds-missing"]
    assert (finding.location, finding.message) == ("自评表!F7", "全年执行数未填写，无法计算预算执行率得分")


def test_error_values_in_an_indicator_are_named_not_called_missing() -> None:
    import dataclasses

    spec = spec_from_data({"year": 2020, "project": "测试项目", "indicators": [row(), *FILLER],
                           "funds": {"fiscal": {"budget": 100, "executed": 100}}}, "t.yaml")
    first = dataclasses.replace(spec.indicators[0], actual=None, weight=None,
                                unread={"actual": "#N/A", "weight": "#REF!"})
    result = score_project(dataclasses.replace(spec, indicators=(first, *spec.indicators[1:])))
    found = [f.message for f in result.all_findings() if f.code == "cell-error"]
    assert found == ["分值是错误值 #REF!（公式出错），无法计分；请改为该指标的分值（数字）",
                     "实际完成值是错误值 #N/A（公式出错），无法计分；请改为实际完成的数值或评价档次"]
    assert "actual-missing" not in codes(result) and "weight-missing" not in codes(result)
    assert result.indicators[0].state == "undeclared"
