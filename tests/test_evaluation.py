"""The 评分表 (form kind evaluation): its spec, rules, 评分标准 reading and engine."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfeval_xl.errors import RuleDataError, SpecError
from perfeval_xl.findings import CODES
from perfeval_xl.kinds.evaluation import evaluation_spec_from_data, evaluation_spec_from_text, score_evaluation
from perfeval_xl.kinds.evaluation.criteria import read_criteria
from perfeval_xl.kinds.evaluation.engine import EvaluationResult, status_text, to_dict
from perfeval_xl.kinds.evaluation.profile import (
    PARAMETERS,
    evaluation_profiles,
    load_evaluation_rules,
    read_evaluation_profile,
)
from perfeval_xl.profiles import parse_profile, resolve
from perfeval_xl.spec import spec_from_text

D = Decimal
FUNDS = {"budget": 2154.81, "arrived": 2154.81, "executed": 1172.32}


def row(**fields: Any) -> dict[str, Any]:
    """A judgement row of 产出 worth the whole 100 points unless told otherwise, at full marks."""
    fields.setdefault("weight", 100)
    fields.setdefault("score", fields["weight"])
    return {"level1": "产出", "level2": "产出数量", "name": "指标", **fields}


def sheet(*rows: dict[str, Any], **top: Any) -> EvaluationResult:
    data = {"kind": "evaluation", "year": 2020, "project": "测试项目", "funds": FUNDS, "indicators": list(rows),
            **top}
    return score_evaluation(evaluation_spec_from_data(data, "测试.yaml"))


def codes(result: EvaluationResult, severity: str | None = None) -> list[str]:
    return sorted(f.code for f in result.all_findings() if severity is None or f.severity.value == severity)


def messages(result: EvaluationResult) -> list[str]:
    return [f.message for f in result.all_findings()]


# ---------------------------------------------------------------------------
# Rows scored from the amounts


def test_a_rate_row_is_scored_from_the_amounts_and_a_written_score_compared() -> None:
    result = sheet(row(weight=96), row(name="预算执行率", level1="过程", level2="资金管理", weight=4,
                                       rule="execution", score=2.16))
    execution = result.indicators[1]
    assert (execution.score, execution.rate) == (D("2.18"), D("0.5440"))
    assert codes(result) == ["score-differs"]
    assert messages(result) == ["写的得分为 2.16，按金额应为 2.18（4 × 1172.32 ÷ 2154.81）"]


def test_a_rate_row_over_its_base_is_capped_at_its_weight_and_warned() -> None:
    funds = {"budget": 100, "arrived": 120, "executed": 90}
    result = sheet(row(weight=90), row(name="资金到位率", weight=10, rule="arrival", score=None), funds=funds)
    assert result.indicators[1].score == 10
    assert messages(result) == ["实际到位资金 120 万元大于预算资金 100 万元，资金到位率得分按分值封顶，请核对金额"]
    uncapped = dataclasses.replace(load_evaluation_rules("mof-2020", 2020), rate_cap=False)
    spec = result.spec
    assert score_evaluation(spec, uncapped).indicators[1].score == 12


def test_a_rate_row_without_its_amounts_is_unscored_and_says_which() -> None:
    result = sheet(row(weight=96), row(name="预算执行率", weight=4, rule="execution", score=None),
                   funds={"arrived": 10})
    assert result.indicators[1].score is None and not result.complete and result.grade is None
    assert messages(result) == ["预算资金、执行数未填写，无法计算预算执行率得分，请填写项目资金"]
    assert status_text(result) == "项目资金未填写完整"
    zero = sheet(row(weight=96), row(name="预算执行率", weight=4, rule="execution", score=None),
                 funds={"budget": 0, "executed": 5})
    assert messages(zero) == ["预算资金为 0，无法计算预算执行率，请填写预算资金"]


def test_amounts_may_carry_money_units() -> None:
    result = sheet(row(weight=96), row(name="预算执行率", weight=4, rule="execution", score=None),
                   funds={"budget": "21548100元", "executed": "1172.32万元"})
    assert (result.spec.funds.budget, result.indicators[1].score) == (D("2154.81"), D("2.18"))


# ---------------------------------------------------------------------------
# Rows scored by judgement


@pytest.mark.parametrize(("score", "message"), [
    (None, "得分未填写，请按评分标准在 0 至 6 分之间评分"),
    (7, "得分 7 不在 0 至 6 分之间，请按评分标准重新评分"),
    (-1, "得分 -1 不在 0 至 6 分之间，请按评分标准重新评分"),
])
def test_a_judgement_score_must_lie_within_its_weight(score: float | None, message: str) -> None:
    result = sheet(row(weight=94), row(name="布置工作", weight=6, score=score))
    assert result.indicators[1].score is None and not result.complete
    assert messages(result) == [message]


def test_all_or_nothing_criteria_allow_zero_or_full_marks() -> None:
    result = sheet(row(weight=96), row(name="控制成本", weight=2, criteria="是则得分", score=1, basis="超支"),
                   row(name="正确性", weight=2, criteria="正确得满分，否则不得分", score=0, basis="不正确"))
    assert messages(result) == [
        "得分 1 不是评分标准所列的分值之一：满分 2、不得分 0；请按评分标准取值，或在得分依据中说明"]
    proportional = sheet(row(weight=98), row(weight=2, criteria="是则得分，否则按比例扣分", score=1.2, basis="x"))
    assert codes(proportional) == []


def test_a_ladder_in_points_or_in_percentages_of_the_weight() -> None:
    points = sheet(row(weight=95), row(weight=5, criteria="优秀得5分；良好得4分；一般得3分", score=4.5, basis="x"))
    assert messages(points) == [
        "得分 4.5 不是评分标准所列的分值之一：优秀 5、良好 4、一般 3；请按评分标准取值，或在得分依据中说明"]
    assert codes(sheet(row(weight=95), row(weight=5, criteria="优秀得5分；良好得4分；一般得3分", score=4,
                                           basis="x"))) == []
    on_the_ladder = sheet(row(weight=96), row(weight=4, criteria="持久，得满分；一般，得80分；较短暂，得70分",
                                              score=3.2, basis="一般"))
    assert codes(on_the_ladder) == []


def test_sub_criteria_points_must_add_up_to_the_weight() -> None:
    criteria = "1、项目是否有绩效目标（2分）\n2、项目绩效目标与实际工作内容是否具有相关性（1分）"
    result = sheet(row(weight=96), row(level1="决策", level2="绩效目标", weight=4, criteria=criteria, score=4))
    assert codes(result) == ["criteria-points"]
    assert messages(result) == ["评分标准各小项分值合计 3（2分 + 1分），与分值 4 不同，请核对评分标准或分值"]
    assert codes(sheet(row(weight=97), row(level1="决策", level2="绩效目标", weight=3, criteria=criteria,
                                           score=3))) == []


def test_a_score_below_full_marks_needs_a_basis() -> None:
    result = sheet(row(weight=94), row(name="核查企业", weight=6, score=4.2))
    assert messages(result) == ["得分 4.2 低于分值 6，未写得分依据，请写明扣分理由"]
    assert codes(sheet(row(weight=94), row(weight=6, score=4.2, basis="核查 28 家"))) == []
    lenient = dataclasses.replace(load_evaluation_rules("mof-2020", 2020), basis_below_full=False)
    assert codes(score_evaluation(result.spec, lenient)) == []


def test_a_judged_rate_row_suggests_its_rule() -> None:
    result = sheet(row(weight=96), row(name="预算执行率", level1="过程", level2="资金管理", weight=4, score=4))
    assert codes(result) == ["rule-suggested"]
    assert messages(result) == ["“预算执行率”可由金额计算：写 rule: execution 并填写预算资金、执行数，"
                                "得分即按金额算出，与所写得分核对"]


# ---------------------------------------------------------------------------
# Rows scored against a target (as on the 自评表)


def test_a_target_row_is_scored_as_on_the_self_evaluation_form() -> None:
    result = sheet(row(weight=90), row(name="满意度", level1="满意度", level2="服务对象满意度", weight=10,
                                       target="≥95%", actual="90%", score=None))
    measured = result.indicators[1]
    assert (measured.method, measured.score, measured.deviation) == ("target", D("9.47"), D("-0.053"))
    # a 评分表 has no 偏差原因 column: a shortfall asks for nothing the sheet cannot hold
    assert codes(result) == []


def test_a_cost_row_without_a_sign_is_lower_is_better() -> None:
    result = sheet(row(weight=98), row(name="培训人均成本", level2="产出成本", weight=2, target="420元/次",
                                       actual="450元/次", score=None))
    assert result.indicators[1].score == D("1.87")  # 2 × 420 ÷ 450
    assert codes(result) == ["sign-inferred"]


def test_the_full_mark_line_of_the_criteria() -> None:
    from_criteria = sheet(row(weight=97), row(weight=3, criteria="达成90%得满分，否则按比例扣分", actual="85%",
                                              score=None))
    assert from_criteria.indicators[1].score == D("2.83")
    assert codes(from_criteria) == ["target-from-criteria"]
    differs = sheet(row(weight=97), row(weight=3, criteria="达成90%得满分", target="≥95%", actual="85%",
                                        score=None))
    assert messages(differs) == ["评分标准写“达成90%得满分”，年度指标值却为“≥95%”，请核对哪一个是满分线"]
    assert differs.indicators[1].score == D("2.68")  # the written target scores: 3 × 85 ÷ 95
    no_target = sheet(row(weight=97), row(weight=3, criteria="完成得满分", actual="85%", score=None))
    assert codes(no_target, "error") == ["target-missing"] and not no_target.complete


# ---------------------------------------------------------------------------
# The sheet as a whole


def test_names_against_the_framework() -> None:
    result = sheet(row(level1="投入", level2="项目立项", weight=50), row(level1="公共服务", level2="窗口", weight=25),
                   row(level1="决策", level2="资金管理", weight=25))
    found = {(f.code, f.where, f.message) for f in result.findings}
    assert ("level-alias", "一级指标“投入”", "按“决策”识别") in found
    assert ("level1-unknown", "一级指标“公共服务”",
            "不在共性指标框架（财预〔2020〕10号）中，应为：决策、过程、产出、效益、满意度；已按所写名称单独小计，"
            "如为笔误请改正") in found
    assert ("level2-misplaced", "二级指标“资金管理”", "在共性指标框架中属于“过程”，不属于“决策”，请核对一级指标") in found
    # 投入 and 决策 are one 一级 of the framework: one block, named as first written
    assert [(b.name, b.level1, b.weight) for b in result.blocks] == [
        ("投入", "决策", 75), ("公共服务", "公共服务", 25)]


def test_weights_must_make_the_total_and_results_carry_enough_of_them() -> None:
    result = sheet(row(level1="决策", level2="项目立项", weight=50), row(level1="过程", level2="资金管理", weight=30),
                   row(level1="产出", weight=30))
    assert codes(result, "error") == ["weights-total"]
    assert "各指标分值合计为 110，应为 100，请调整分值" in messages(result)
    assert status_text(result) == "分值合计 110，应为 100"
    low = sheet(row(level1="决策", level2="项目立项", weight=50, score=50),
                row(level1="过程", level2="资金管理", weight=20, score=20), row(level1="产出", weight=30, score=30))
    assert messages(low) == ["产出、效益、满意度指标分值合计 30，占全部分值 100 的 30.0%，低于 60%"
                             "（财预〔2020〕10号：原则上产出、效益指标权重不低于60%），请核对评价方案"]


def test_a_local_rule_for_block_weights_extends_the_national_one() -> None:
    text = """
profile: local
title: 某市评分表
extends: mof-2020
documents:
  某市通知: {title: 某市关于开展绩效评价的通知, date: 2021-03-01}
parameters:
  block_weights:
    2021-03-01: {value: {决策: 14, 过程: 16, 产出: 45, 效益: 19, 满意度: 6}, document: 某市通知}
"""
    local = parse_profile(text, "profiles/evaluation/local.yaml", "local", PARAMETERS)
    values, sources = resolve(local, 2020, PARAMETERS, read_evaluation_profile)
    assert values["block_weights"]["产出"] == 45 and sources["block_weights"].document == "某市通知"
    assert values["grades"] == load_evaluation_rules("mof-2020", 2020).grades  # from the national profile
    rules = dataclasses.replace(load_evaluation_rules("mof-2020", 2020), block_weights=values["block_weights"],
                                sources={**load_evaluation_rules("mof-2020", 2020).sources, **sources})
    spec = sheet(row(level1="决策", level2="项目立项", weight=20, score=20), row(weight=80, score=80)).spec
    result = score_evaluation(spec, rules)
    assert messages(result) == ["决策分值合计 20，规则（某市通知）规定为 14，请核对", "产出分值合计 80，规则（某市通知）规定为 45，请核对"]


def test_the_stated_total_and_grade_are_checked() -> None:
    result = sheet(row(weight=100, score=85), stated={"total": 85, "grade": "优"})
    assert result.grade == "良"
    assert messages(result) == ["写的等级为“优”，按总分 85 应为“良”", "得分 85 低于分值 100，未写得分依据，请写明扣分理由"]
    assert codes(sheet(row(weight=100, score=85, basis="x"), stated={"total": 85, "grade": "良好"})) == []


def test_the_total_is_the_sum_of_rounded_scores() -> None:
    rows = [row(weight=D(1), score=D("0.005"), basis="x") for _ in range(3)] + [row(weight=97, score=97)]
    result = sheet(*rows)
    assert [r.score for r in result.indicators[:3]] == [D("0.01")] * 3
    assert result.total == D("97.03")


def test_json_carries_every_row_with_how_it_was_scored() -> None:
    from perfeval_xl.kinds.evaluation.spec import load_evaluation_example

    data = to_dict(score_evaluation(load_evaluation_example("nanchang-2020-work-funds")))
    json.dumps(data, ensure_ascii=False)
    assert (data["form_kind"], data["total"], data["grade"], data["complete"]) == ("evaluation", 90.33, "优", True)
    assert data["funds"] == {"budget": 2154.81, "arrived": 2154.81, "executed": 1172.32}
    assert [b["score"] for b in data["blocks"]] == [14, 13.18, 41.1, 16.22, 5.83]
    execution = data["indicators"][7]
    assert {k: execution[k] for k in ("name", "method", "rule", "weight", "rate", "score", "written_score",
                                      "explanation")} == {
        "name": "预算执行率", "method": "rule", "rule": "execution", "weight": 4.0, "rate": 0.544, "score": 2.18,
        "written_score": 2.16, "explanation": "4 × 1172.32 ÷ 2154.81"}
    assert data["indicators"][29]["allowed_scores"] == [4.0, 3.2, 2.8, 2.4]
    training = data["indicators"][31]
    assert (training["target"], training["actual"], training["score"]) == ("≥90%", "90%", 3.0)
    assert training["findings"][-1]["location"].endswith("nanchang-2020-work-funds.yaml:246")


# ---------------------------------------------------------------------------
# 评分标准


def test_reading_criteria() -> None:
    ladder = read_criteria("项目后续运行……的持续影响：持久，得满分；一般，得80分；较短暂，得70分；短暂，得60分。", D(4))
    assert ladder.allowed(D(4)) == (("持久", D(4)), ("一般", D("3.2")), ("较短暂", D("2.8")), ("短暂", D("2.4")))
    assert ladder.as_percent
    points = read_criteria("1、……（1分）\n2、……（1分）", D(2))
    assert points.points == (D(1), D(1)) and points.allowed(D(2)) == ()
    line = read_criteria("达成90%得满分，否则按比例扣分", D(3))
    assert line.full_line is not None and (line.full_line.value, line.full_line_phrase) == (D("0.9"), "达成90%得满分")
    assert line.allowed(D(3)) == ()
    for text in ("完成得满分，否则按比例扣分", "各县区均覆盖得满分，否则相应扣分", "", "按实际情况评分"):
        assert read_criteria(text, D(5)).allowed(D(5)) == (), text
    for text in ("是则得分", "超前或同步得满分，未按时完成不得分", "正确得满分，否则不得分"):
        assert read_criteria(text, D(2)).allowed(D(2)) == (("满分", D(2)), ("不得分", D(0))), text


# ---------------------------------------------------------------------------
# Reading a spec: strict, every problem at once


BASE = """kind: evaluation
year: 2020
project: 测试
funds: {budget: 100, arrived: 100, executed: 90}
indicators:
  - {level1: 过程, level2: 资金管理, name: 预算执行率, weight: 100, rule: execution}
"""


@pytest.mark.parametrize(("text", "message"), [
    (BASE.replace("rule: execution}", "rule: excution}"),
     "第 6 行：第 1 个指标“预算执行率”的 rule“excution”不存在，是不是“execution”？可用：arrival（资金到位率）、"
     "execution（预算执行率）"),
    (BASE.replace("rule: execution}", "rule: execution, actual: 90%}"),
     "第 6 行：第 1 个指标“预算执行率”按 rule（execution）由金额计分，不能再写 target、actual；请删去其中一种"),
    (BASE.replace("rule: execution}", "rule: execution, scroe: 3}"),
     "第 6 行：第 1 个指标中有未知字段“scroe”，是不是“score”？（可用字段：level1、level2、name、weight、criteria、"
     "score、basis、rule、target、actual）"),
    (BASE.replace("executed: 90}", "executed: 90, spent: 80}"),
     "第 4 行：funds（项目资金）中有未知字段“spent”（可用字段：budget、arrived、executed）"),
    (BASE.replace("year: 2020", "year: 2020\nprofile: sichuan"),
     "第 3 行：profile（规则）“sichuan”不是评分表的规则，可用的有：mof-2020（perfeval-xl profiles 列出各规则的说明）"),
    (BASE.replace("kind: evaluation\n", ""), "缺少 kind: evaluation（项目支出绩效评分表的项目文件须写明）"),
    (BASE + "stated: {total: 九十}\n", "第 7 行：stated.total（总分）“九十”不是数字，请填写数值（不带单位）"),
    (BASE.replace("budget: 100", "budget: 一百"),
     "第 4 行：funds.budget（预算资金）“一百”不是金额，请填写以万元计的数值（如 87.65）"),
])
def test_a_bad_spec_names_the_line_and_what_to_do(text: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        evaluation_spec_from_text(text, "评分表.yaml")
    assert info.value.headline == "评分表文件 评分表.yaml 有 1 处错误，请修改后再试："
    assert info.value.problems == [message]


def test_every_problem_of_a_spec_is_reported_at_once() -> None:
    text = BASE.replace("year: 2020", "year: 2020\nyear: 2021").replace("rule: execution}", "rule: x, weight: 3}")
    with pytest.raises(SpecError) as info:
        evaluation_spec_from_text(text, "评分表.yaml")
    assert info.value.problems == [
        "第 3 行：字段“year”重复出现（第一次在第 2 行），请删去其中一个",
        "第 7 行：字段“weight”重复出现（第一次在第 7 行），请删去其中一个",
        "第 7 行：第 1 个指标“预算执行率”的 rule“x”不存在；可用：arrival（资金到位率）、execution（预算执行率）",
    ]


def test_kinds_are_told_apart() -> None:
    assert spec_from_text("kind: self\nyear: 2019\nproject: x\nindicators: []\n").project == "x"
    with pytest.raises(SpecError) as info:
        spec_from_text("kind: evaluation\nyear: 2019\nproject: x\nindicators: [{basis: x}]\n", "评分表.yaml")
    assert info.value.headline == "项目文件 评分表.yaml 是项目支出绩效评分表："
    assert info.value.problems == [
        "第 1 行：kind: evaluation 表示项目支出绩效评分表，这里需要项目支出绩效自评表的项目文件（不写 kind，或写 kind: self）；"
        "评分表可用 perfeval-xl new、score、check、export 和 consolidate，尚不能批量生成（batch）"]
    with pytest.raises(SpecError) as info:
        spec_from_text("kind: evalution\nyear: 2019\nproject: x\nindicators: []\n", "x.yaml")
    assert info.value.problems == [
        "第 1 行：kind（表的种类）“evalution”不存在，是不是“evaluation”？可用：self（项目支出绩效自评表）、"
        "evaluation（项目支出绩效评分表）；不写 kind 即为自评表"]


# ---------------------------------------------------------------------------
# Rules


def test_the_shipped_rules() -> None:
    assert evaluation_profiles() == ["mof-2020"]
    rules = load_evaluation_rules("mof-2020", 2019)
    assert rules.total_points == 100 and [g.minimum for g in rules.grades] == [90, 80, 60, 0]
    assert list(rules.hierarchy) == ["决策", "过程", "产出", "效益", "满意度"]
    assert rules.level1_of("投入指标") == ("决策", True) and rules.level1_of("产出(45分)") == ("产出", False)
    assert rules.level2_of("可持续效益") == ("可持续影响", True)
    assert rules.target_rules.lower_level2 == ("产出成本",) and not rules.target_rules.reason_shortfall
    assert rules.sources["outcome_weight"].document == "财预〔2020〕10号"
    with pytest.raises(RuleDataError, match="没有适用于 2018 年度"):
        load_evaluation_rules("mof-2020", 2018)


def test_bad_rule_data_is_refused_with_its_line() -> None:
    text = """
profile: bad
documents:
  doc: {title: 某文件, date: 2020-02-25}
parameters:
  rates:
    2020-02-25: {value: {execution: {label: 预算执行率, amount: spent, base: budget}}, document: doc}
"""
    with pytest.raises(RuleDataError) as info:
        parse_profile(text, "profiles/evaluation/bad.yaml", "bad", PARAMETERS)
    assert info.value.problems == ["第 7 行：参数 rates（按金额计分的指标（资金到位率、预算执行率））"
                                   "规则 execution 的 amount 应为 budget / arrived / executed 之一"]


def test_every_code_used_is_documented() -> None:
    folder = Path(__file__).parents[1] / "perfeval_xl" / "kinds" / "evaluation"
    source = "".join(p.read_text("utf-8") for p in folder.glob("*.py"))
    used = set(re.findall(r'F\.(?:error|warning|note)\(\s*"([a-z0-9-]+)"', source))
    assert used <= set(CODES), used - set(CODES)
    assert len(used) > 15
