"""The rules as pure functions, and the properties they must keep for all inputs."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval_xl import scoring
from perfeval_xl.notation import Direction
from perfeval_xl.profiles import load_rules
from perfeval_xl.rounding import round_half_away, to_decimal

D = Decimal
RULES = load_rules("mof-2020", 2019)


def test_execution_score_from_amounts_not_rounded_rate() -> None:
    assert scoring.execution_score(D("439.53"), D("357.04"), D(20), 2) == D("16.25")
    assert scoring.execution_rate(D("439.53"), D("357.04"), 4) == D("0.8123")
    # seed 000: 54% × 4 = 2.16 is a slip; the amounts give 2.18
    assert scoring.execution_score(D("2154.81"), D("1172.32"), D(4), 2) == D("2.18")


def test_execution_score_is_capped() -> None:
    assert scoring.execution_score(D(100), D(120), D(10), 2) == D(10)


@pytest.mark.parametrize(
    ("target", "actual", "weight", "direction", "expected"),
    [
        ("0.97", "0.95", 10, Direction.HIGHER, "9.79"),
        ("400", "188", 4, Direction.HIGHER, "1.88"),
        ("3000", "2072", 4, Direction.HIGHER, "2.76"),
        ("0.99", "0.984", 10, Direction.HIGHER, "9.94"),
        ("0.7", "0.979", 15, Direction.HIGHER, "15"),
        ("87.65", "86.54", 25, Direction.LOWER, "25"),
        ("0", "0", 10, Direction.LOWER, "10"),
        ("0", "1", 10, Direction.LOWER, "0"),
        ("100", "125", 10, Direction.LOWER, "8"),  # ratio: 10 × 100 / 125
        ("1", "1", 5, Direction.EQUAL, "5"),
        ("4", "5", 5, Direction.EQUAL, "4"),  # ratio: 5 × 4 / 5
        ("4", "3", 5, Direction.EQUAL, "3.75"),
    ],
)
def test_quantitative_scores(target: str, actual: str, weight: int, direction: Direction,
                             expected: str) -> None:
    raw = scoring.quantitative_score(D(target), D(actual), D(weight), direction, "ratio", "ratio")
    assert round_half_away(raw, 2) == D(expected)


def test_linear_lower_formula_reaches_zero_at_twice_the_target() -> None:
    def linear(actual: str) -> Decimal:
        raw = scoring.quantitative_score(D(100), D(actual), D(10), Direction.LOWER, "linear", "ratio")
        return round_half_away(raw, 2)

    assert linear("125") == D("7.5")
    assert linear("200") == D(0)
    assert linear("250") == D(0)


def test_deviation_matches_the_reports() -> None:
    assert scoring.deviation(D(37), D(40), 3) == D("0.081")
    assert scoring.deviation(D(3000), D(2072), 3) == D("-0.309")
    assert scoring.deviation(D(10), D(28), 3) == D("1.800")
    assert scoring.deviation(D("0.8"), D("0.85"), 3) == D("0.063")
    assert scoring.deviation(D(0), D(0), 3) is None


def test_qualitative_bands() -> None:
    achieved, partial, missed = (RULES.band(k) for k in ("achieved", "partial", "missed"))
    assert scoring.qualitative_score(achieved, D(15), None) == D(15)
    assert scoring.qualitative_score(achieved, D(10), D(8)) == D(8)  # 80% inclusive
    assert scoring.qualitative_score(partial, D(10), D(8)) is None  # 80% belongs to 达成
    assert scoring.qualitative_score(partial, D(10), D(6)) == D(6)
    assert scoring.qualitative_score(partial, D(10), None) is None  # must be scored
    assert scoring.qualitative_score(missed, D(10), D(5.5)) == D("5.5")
    assert scoring.qualitative_score(missed, D(10), D(6)) is None


def test_reason_lines() -> None:
    line, zero = D("1.3"), D(30)
    one = D(1)
    assert scoring.is_large_excess(D("0.7"), D("0.91"), Direction.HIGHER, line, zero, D(100))
    assert not scoring.is_large_excess(D("0.7"), D("0.909"), Direction.HIGHER, line, zero, D(100))
    assert scoring.is_large_excess(D(10), D(28), Direction.HIGHER, line, zero, one)
    assert scoring.is_large_excess(D(100), D(70), Direction.LOWER, line, zero, one)
    assert not scoring.is_large_excess(D(100), D(71), Direction.LOWER, line, zero, one)
    assert scoring.is_large_excess(D(0), D(30), Direction.LOWER, line, zero, one)
    assert scoring.is_large_excess(D(0), D("0.3"), Direction.LOWER, line, zero, D(100))
    assert not scoring.is_large_excess(D(0), D(29), Direction.LOWER, line, zero, one)


# --------------------------------------------------------------------------- properties

amounts = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=D("0.01"), max_value=100000, places=2)
weights = st.sampled_from([D(x) for x in ("1", "2.5", "4", "5", "8", "10", "15", "20", "25")])
directions = st.sampled_from(list(Direction))
formulas = st.sampled_from(["ratio", "linear"])


@given(target=amounts, actual=amounts, weight=weights, direction=directions, lower=formulas,
       equal=formulas)
def test_score_between_zero_and_weight(target: Decimal, actual: Decimal, weight: Decimal,
                                        direction: Direction, lower: str, equal: str) -> None:
    score = scoring.quantitative_score(target, actual, weight, direction, lower, equal)
    assert 0 <= score <= weight


@given(target=positive, a=amounts, b=amounts, weight=weights, lower=formulas)
def test_score_is_monotone_in_the_actual(target: Decimal, a: Decimal, b: Decimal, weight: Decimal,
                                          lower: str) -> None:
    lo, hi = sorted((a, b))
    higher = [scoring.quantitative_score(target, x, weight, Direction.HIGHER, lower, "ratio")
              for x in (lo, hi)]
    lower_ = [scoring.quantitative_score(target, x, weight, Direction.LOWER, lower, "ratio")
              for x in (lo, hi)]
    assert higher[0] <= higher[1]
    assert lower_[0] >= lower_[1]


def _reference_round(value: Decimal, places: int) -> Decimal:
    """Half away from zero by exact rational arithmetic, independent of decimal's modes."""
    scaled = Fraction(value) * 10**places
    magnitude = int(abs(scaled) + Fraction(1, 2))
    rounded = Fraction(magnitude if scaled >= 0 else -magnitude, 10**places)
    return Decimal(rounded.numerator) / Decimal(rounded.denominator)


@given(st.decimals(min_value=-10**6, max_value=10**6, places=6, allow_nan=False,
                   allow_infinity=False), st.integers(min_value=0, max_value=4))
def test_rounding_is_half_away_from_zero(value: Decimal, places: int) -> None:
    assert round_half_away(value, places) == _reference_round(value, places)


def test_rounding_is_not_pythons_bankers_rounding() -> None:
    assert round(0.125, 2) == 0.12
    assert round_half_away(D("0.125"), 2) == D("0.13")
    assert round_half_away(D("-2.675"), 2) == D("-2.68")
    assert round_half_away(to_decimal(4.275), 2) == D("4.28")  # the float 4.275 is 4.27499…


