"""Rule profiles: dated values, overrides, and a loader that refuses bad data."""

from decimal import Decimal

import pytest

from perfeval_xl.errors import RuleDataError
from perfeval_xl.profiles import available_profiles, load_rules, parse_profile

GOOD = """
profile: test
title: 测试
documents:
  doc: {title: 某文件, date: 2020-02-25}
parameters:
  execution_weight:
    2020-02-25: {value: 10, document: doc}
"""


def test_shipped_profiles_load_for_their_years() -> None:
    assert available_profiles() == ["mof-2020", "sichuan", "wuhan-donghu-2018"]
    mof = load_rules("mof-2020", 2019)
    assert mof.execution_weight == 10
    assert [b.weight for b in mof.blocks] == [50, 30, 10]
    assert [(g.label, g.minimum) for g in mof.grades] == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]
    assert mof.sources["grades"].document == "财预〔2020〕10号"
    wuhan = load_rules("wuhan-donghu-2018", 2018)
    assert wuhan.execution_weight == 20
    assert [(b.levels, b.weight) for b in wuhan.blocks] == [
        (("产出指标",), 40), (("效益指标", "满意度指标"), 40)]


def test_grade_bands() -> None:
    rules = load_rules("mof-2020", 2020)
    assert rules.grade_of(Decimal("89.99")) == "良"
    assert rules.grade_of(Decimal("90")) == "优"
    assert rules.grade_of(Decimal("59.99")) == "差"
    assert rules.grade_of(Decimal("60")) == "中"


def test_an_override_changes_only_what_it_names() -> None:
    base, sichuan = load_rules("mof-2020", 2023), load_rules("sichuan", 2023)
    assert sichuan.execution_reason_below == Decimal("0.9")
    assert base.execution_reason_below is None
    assert sichuan.blocks == base.blocks and sichuan.grades == base.grades


def test_values_apply_from_their_date() -> None:
    # the Sichuan line dates from the 2023 forms (evaluated in 2024): not in force for 2021
    assert load_rules("sichuan", 2021).execution_reason_below is None


def test_a_year_before_the_rules_existed_is_refused() -> None:
    with pytest.raises(RuleDataError) as info:
        load_rules("mof-2020", 2017)
    assert "没有适用于 2017 年度" in str(info.value)
    assert "最早适用于 2019 年度" in str(info.value)


def test_unknown_profile() -> None:
    with pytest.raises(RuleDataError, match="没有名为“guangdong”的规则，可用的有：mof-2020、sichuan"):
        load_rules("guangdong", 2020)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("title: 测试", "title: 测试\nauthor: x"), "第 4 行：未知字段“author”"),
        (GOOD + "  execution_weight:\n    2021-01-01: {value: 5, document: doc}\n",
         "字段“execution_weight”重复出现（第一次在第 7 行）"),
        (GOOD.replace("2020-02-25: {value", "2020-02-30: {value"),
         "参数 execution_weight 的生效日期“2020-02-30”不是 YYYY-MM-DD"),
        (GOOD.replace("document: doc}", "document: nodoc}"),
         "引用了未在 documents 中列出的文件“nodoc”"),
        (GOOD.replace("value: 10", "value: 十"), "参数 execution_weight（预算执行率分值）应为数字"),
        (GOOD.replace("execution_weight:\n", "execution_wieght:\n"), "未知参数“execution_wieght”"),
        (GOOD.replace("{value: 10, document: doc}", "{value: 10}"), "须同时写 value 和 document"),
        (GOOD.replace("date: 2020-02-25}", "date: 2020-13-01}"), "不是有效日期"),
    ],
)
def test_the_loader_refuses_bad_rule_data(text: str, message: str) -> None:
    with pytest.raises(RuleDataError) as info:
        parse_profile(text, "profiles/test.yaml", "test")
    assert "profiles/test.yaml" in str(info.value)
    assert message in str(info.value)
