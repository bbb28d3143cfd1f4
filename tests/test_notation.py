"""Reading targets and actual values as people write them."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval_xl.notation import (
    Direction,
    ParseProblem,
    Quantity,
    UnitMismatch,
    convert,
    format_number,
    infer_direction,
    is_empty,
    notation,
    parse_amount,
    parse_quantity,
    parse_target,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "sign", "value", "unit"),
    [
        ("≥95%", "≥", D("0.95"), "%"),
        ("＞95％", "＞", D("0.95"), "%"),
        (">=95%", "≥", D("0.95"), "%"),
        ("＝100%", "＝", D("1"), "%"),
        ("≤420元/次", "≤", D("420"), "元/次"),
        ("100%", None, D("1"), "%"),
        ("87.65万元", None, D("87.65"), "万元"),
        ("0次", None, D("0"), "次"),
        ("3500批次", None, D("3500"), "批次"),
        ("1.5亿元", None, D("1.5"), "亿元"),
        ("３５００批次", None, D("3500"), "批次"),
        ("30,000件", None, D("30000"), "件"),
        ("70.0%以上", "≥", D("0.7"), "%"),
        ("10个以上", "≥", D("10"), "个"),
        ("30个工作日以内", "≤", D("30"), "个工作日"),
        ("不超过420元/次", "≤", D("420"), "元/次"),
        ("不低于 80 %", "≥", D("0.8"), "%"),
        ("≤30日", "≤", D("30"), "日"),
        ("≥-5%", "≥", D("-0.05"), "%"),
        ("20000", None, D("20000"), ""),
    ],
)
def test_quantitative_targets(text: str, sign: str | None, value: Decimal, unit: str) -> None:
    target = parse_target(text)
    assert target is not None and not target.qualitative
    assert (target.sign, target.value, target.unit) == (sign, value, unit)
    assert target.text == text.strip()


@pytest.mark.parametrize(
    "text",
    ["合格", "达成预期指标", "明显减少", "年底前完成", "12月底前", "2020年12月31日前完成",
     "1次，参会人员200人左右", "完成一栋办公楼装修", "有所提升"],
)
def test_qualitative_targets(text: str) -> None:
    target = parse_target(text)
    assert target is not None and target.qualitative


def test_numbers_from_cells_are_targets_without_sign() -> None:
    target = parse_target(0.95)
    assert target is not None
    assert (target.sign, target.value, target.unit, target.qualitative) == (None, D("0.95"), "", False)


@pytest.mark.parametrize("value", [None, "", "—", " - ", "无", "／"])
def test_empty_cells(value: object) -> None:
    assert is_empty(value)
    assert parse_target(value) is None
    assert parse_quantity(value) is None


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("95%", D("0.95"), "%"),
        ("95.0％", D("0.95"), "%"),
        ("86.54万元", D("86.54"), "万元"),
        ("188", D("188"), None),
        (0.95, D("0.95"), None),
        (188, D("188"), None),
        ("-3", D("-3"), None),
    ],
)
def test_quantities(text: object, value: Decimal, unit: str | None) -> None:
    quantity = parse_quantity(text)
    assert quantity is not None
    assert (quantity.value, quantity.unit) == (value, unit)


@pytest.mark.parametrize("text", ["约200", "200余", "1000余人", "大约50%", "若干", "二百", "95%以上"])
def test_inexact_quantities_are_refused(text: str) -> None:
    with pytest.raises(ParseProblem):
        parse_quantity(text)


def test_money_converts_between_yuan_and_wan() -> None:
    target = parse_target("87.65万元")
    assert target is not None
    assert convert(Quantity(D("865400"), "元", "865400元"), target) == (D("86.54"), True)
    assert convert(Quantity(D("0.8654"), "亿元", "0.8654亿元"), target) == (D("8654"), True)
    assert convert(Quantity(D("86.54"), None, "86.54"), target) == (D("86.54"), False)


def test_an_amount_against_a_per_unit_cost_is_its_numerator() -> None:
    target = parse_target("≤420元/次")
    assert target is not None
    assert convert(Quantity(D("400"), "元", "400元"), target) == (D("400"), False)


@pytest.mark.parametrize(("actual", "target"), [("5家", "≥4次"), ("95%", "≥90分"), ("3次", "≥95%")])
def test_units_of_different_kinds_do_not_convert(actual: str, target: str) -> None:
    quantity, parsed = parse_quantity(actual), parse_target(target)
    assert quantity is not None and parsed is not None
    with pytest.raises(UnitMismatch):
        convert(quantity, parsed)


def test_direction_inference() -> None:
    cost, zero, count = parse_target("87.65万元"), parse_target("0次"), parse_target("30家")
    assert cost is not None and zero is not None and count is not None
    assert infer_direction(cost, "成本指标", ("成本指标",)) is Direction.LOWER
    assert infer_direction(zero, "社会效益指标", ("成本指标",)) is Direction.LOWER
    assert infer_direction(count, "数量指标", ("成本指标",)) is Direction.HIGHER


def test_format_number() -> None:
    assert format_number(D("0.95"), "%") == "95%"
    assert format_number(D("87.650"), "万元") == "87.65万元"
    assert format_number(D("3E+3"), "批次") == "3000批次"


# ---------------------------------------------------------------------------
# The wordings people and budget systems write, as data (tests/golden_notation.yaml)

GOLDEN = yaml.safe_load((Path(__file__).parent / "golden_notation.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", GOLDEN["targets"], ids=lambda c: c["text"])
def test_golden_targets(case: dict[str, object]) -> None:
    target = parse_target(case["text"])
    assert target is not None
    if case.get("qualitative"):
        assert target.qualitative and target.reading == case["reading"]
        assert target.digits_as_qualitative is bool(case.get("digits", False))
    else:
        assert not target.qualitative, target
        assert (target.sign, target.value, target.unit) == (case["sign"], D(str(case["value"])), case["unit"])


@pytest.mark.parametrize("case", GOLDEN["actuals"], ids=lambda c: f"{c['actual']} against {c['target']}")
def test_golden_actuals(case: dict[str, object]) -> None:
    target = parse_target(case["target"])
    assert target is not None and not target.qualitative
    if case.get("refused"):
        with pytest.raises(ParseProblem):
            parse_quantity(case["actual"])
        return
    quantity = parse_quantity(case["actual"])
    assert quantity is not None
    assert convert(quantity, target)[0] == D(str(case["value"]))


def test_the_longest_sign_wins_however_long() -> None:
    """大于或等于 (5 characters) is one sign, not 大于 followed by text."""
    target = parse_target("大于或等于3500批次")
    assert target is not None and (target.sign, target.value) == ("≥", D(3500))
    assert notation().longest_prefix >= 5


@pytest.mark.parametrize(("text", "amount"), [
    ("87.65", D("87.65")), ("87.65万元", D("87.65")), ("876500元", D("87.65")), ("1.2亿元", D("12000")),
    ("8765千元", D("876.5")), (" 87.65 万元 ", D("87.65")), ("—", None), (87.65, D("87.65")),
    ("86.54万", D("86.54")), ("1.2亿", D("12000")),
])
def test_amounts_with_a_unit_of_money(text: object, amount: Decimal | None) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["约86", "86.54万人", "8765千", "≥80万元", "abc", "87.65元/次", "1e3", "100-", True])
def test_what_is_not_an_amount_is_refused(text: object) -> None:
    with pytest.raises(ParseProblem):
        parse_amount(text)


# ---------------------------------------------------------------------------
# The form reads a typed value as the engine does, for any text (the formulas' Python twin,
# form/model.py, is held to LibreOffice by tests/test_real_inputs.py and test_form_parity.py)

TYPED = st.text(alphabet="0123456789.-+e%(),¥ 批次万元亿千约余TRUEfalse", max_size=10)


@settings(max_examples=2000, deadline=None)
@given(TYPED, st.sampled_from(["≥3500批次", "≥95%", "3500", "≤87.65万元", "＞0.5", "≤420元/次"]))
def test_a_typed_actual_that_the_form_reads_is_what_the_engine_reads(text: str, written: str) -> None:
    from perfeval_xl.kinds.self.model import actual_text_value, cell_text
    from perfeval_xl.rounding import MAX_MAGNITUDE

    target = parse_target(written)
    assert target is not None and target.value is not None
    if is_empty(text):
        return
    form = actual_text_value(cell_text(text), target.unit, MAX_MAGNITUDE)
    try:
        quantity = parse_quantity(text)
        engine = None if quantity is None else convert(quantity, target)[0]
    except (ParseProblem, UnitMismatch):
        quantity, engine = None, None
    if form is not None:
        assert engine == form, (text, written)
    elif engine is not None:
        # the engine alone converts another unit of the same kind (元 and 万元) or reads a unit against a
        # target without one: the reader says so (actual-unread-by-form)
        assert quantity is not None and quantity.unit not in (None, "%", target.unit), (text, written)


@settings(max_examples=2000, deadline=None)
@given(TYPED)
def test_an_amount_the_form_reads_is_what_the_engine_reads(text: str) -> None:
    from perfeval_xl.form.params import form_params
    from perfeval_xl.kinds.self.model import amount_value
    from perfeval_xl.profiles import load_rules

    form = amount_value(text, form_params(load_rules()))
    try:
        engine = parse_amount(text)
    except ParseProblem:
        engine = "#"  # type: ignore[assignment]
    if isinstance(engine, Decimal) and abs(engine) >= Decimal("1e15"):
        engine = "#"  # type: ignore[assignment]  # the engine: number-out-of-range
    assert form == engine, text


@pytest.mark.parametrize("case", GOLDEN["percent_scale"], ids=lambda c: f"{c['actual']} against {c['target']}")
def test_a_percentage_without_its_sign_is_read_as_people_mean_it(case: dict[str, object]) -> None:
    """90 typed against ≥95% is 90%; a target of 95 against 97.9% is 95%: scored on one scale,
    with a warning naming the cell (the form's AVALUE formula reads it the same way)."""
    from perfeval_xl.engine import score_project
    from perfeval_xl.spec import spec_from_data

    spec = spec_from_data({
        "year": 2023, "project": "写法", "department": "测试局", "unit": "测试中心",
        "funds": {"fiscal": {"budget": 100, "executed": 100}},
        "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "完成率", "weight": 10,
                        "target": case["target"], "actual": case["actual"]}],
    })
    found = score_project(spec).indicators[0]
    assert found.actual == D(str(case["value"])), found.findings
    warned = [f for f in found.findings if f.code == "percent-scale"]
    assert bool(warned) is case["rescaled"], found.findings
    if warned:
        assert "没有" in warned[0].message and "%" in warned[0].message


@pytest.mark.parametrize(("level2", "target", "direction"), [
    ("时效指标", "30天", "lower"), ("时效指标", "5个工作日", "lower"), ("时效指标", "2小时", "lower"),
    ("时效指标", "≥30天", "higher"), ("时效指标", "100%", "higher"), ("数量指标", "30天", "higher"),
    ("成本指标", "87.65万元", "lower"), ("质量指标", "0起", "lower"),
])
def test_an_unsigned_duration_of_a_time_indicator_is_a_limit(level2: str, target: str, direction: str) -> None:
    """完成时限 30天 means within 30 days: ≤ (the form's DIRECTION formula reads it alike, with
    the same lists from the 参数 sheet; held to LibreOffice by tests/test_form_parity.py)."""
    from perfeval_xl.engine import score_project
    from perfeval_xl.spec import spec_from_data

    spec = spec_from_data({
        "year": 2023, "project": "时限", "department": "测试局", "unit": "测试中心",
        "funds": {"fiscal": {"budget": 100, "executed": 100}},
        "indicators": [{"level1": "产出指标", "level2": level2, "name": "办结时限", "weight": 10,
                        "target": target, "actual": target.lstrip("≥")}],
    })
    found = score_project(spec).indicators[0]
    assert found.direction is not None and found.direction.value == direction
