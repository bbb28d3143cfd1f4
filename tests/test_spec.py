"""The spec format: strict, every problem reported with its line and what to do."""

from decimal import Decimal
from pathlib import Path

import pytest

from perfeval_xl.errors import SpecError
from perfeval_xl.spec import load_spec, spec_from_text

MINIMAL = """\
year: 2019
project: 测试项目
funds:
  fiscal: {budget: 100, executed: 90}
indicators:
  - {level1: 产出指标, level2: 数量指标, name: 巡查次数, target: "≥10次", actual: 10次, weight: 90}
"""


def test_minimal_spec() -> None:
    spec = spec_from_text(MINIMAL, "t.yaml")
    assert spec.year == 2019 and spec.profile == "mof-2020"
    assert spec.funds["fiscal"].budget == Decimal(100)
    assert spec.indicators[0].target == "≥10次"
    assert spec.indicators[0].locations["actual"] == "t.yaml:6"


def test_json_specs_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"year": 2019, "project": "P", "indicators": [{"level1": "产出指标", '
                    '"level2": "数量指标", "name": "n", "target": "1次", "weight": 90}]}',
                    encoding="utf-8")
    assert load_spec(path).indicators[0].weight == Decimal(90)


def test_amounts_written_with_units_are_converted() -> None:
    spec = spec_from_text(MINIMAL.replace("{budget: 100, executed: 90}",
                                          "{budget: 87.65万元, executed: 865400元}"))
    assert spec.funds["fiscal"].budget == Decimal("87.65")
    assert spec.funds["fiscal"].executed == Decimal("86.54")


def _errors(text: str) -> str:
    with pytest.raises(SpecError) as info:
        spec_from_text(text, "p.yaml")
    return str(info.value)


def test_unknown_keys_are_named_with_a_suggestion() -> None:
    message = _errors(MINIMAL.replace("target:", "targte:"))
    assert "项目文件 p.yaml 有 1 处错误" in message
    assert "第 6 行：第 1 个指标中有未知字段“targte”，是不是“target”？" in message


def test_all_problems_are_reported_together() -> None:
    text = MINIMAL.replace("year: 2019", "year: 二〇一九").replace("weight: 90", "weight: 九十")
    text = text.replace("budget: 100", "budget: abc")
    message = _errors(text)
    assert "有 3 处错误" in message
    assert "第 1 行：year（评价年度）应为四位年份，现为“二〇一九”" in message
    assert "第 4 行：当年财政拨款的全年预算数“abc”不是金额，请填写以万元计的数值（如 87.65）" in message
    assert "第 6 行：第 1 个指标“巡查次数”的 weight（分值）“九十”不是数字，请填写数值（不带单位）" in message


def test_duplicate_keys_are_errors() -> None:
    message = _errors(MINIMAL + "project: 另一个\n")
    assert "第 7 行：字段“project”重复出现（第一次在第 2 行），请删去其中一个" in message


def test_missing_required_fields() -> None:
    message = _errors("year: 2019\n")
    assert "缺少 project（项目名称）" in message
    assert "缺少 indicators（绩效指标）列表" in message


def test_syntax_errors_name_the_line() -> None:
    message = _errors("year: 2019\nproject: [\n")
    assert "p.yaml" in message and "不是合法的 YAML/JSON" in message


def test_negative_amount() -> None:
    message = _errors(MINIMAL.replace("executed: 90", "executed: -90"))
    assert "当年财政拨款的全年执行数不能小于 0（现为 -90）" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="找不到文件"):
        load_spec(tmp_path / "nope.yaml")
