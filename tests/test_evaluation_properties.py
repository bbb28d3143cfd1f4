"""Properties of the 评分表's scoring for all inputs (hypothesis): rows scored from the amounts are
exact ratios of the amounts rounded half away from zero, capped at 分值; a sheet's total is the sum of
its rounded scores."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval_xl.kinds.evaluation import evaluation_spec_from_data, score_evaluation
from perfeval_xl.kinds.evaluation.scoring import rate_score

D = Decimal


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts as people type them: up to two decimals."""
    return st.integers(low, high).map(lambda n: D(n).scaleb(-2))


AMOUNTS = cents(0, 10**11)  # up to 1,000,000,000.00 万元
BASES = cents(1, 10**11)
WEIGHTS = cents(0, 100_00)


def exact(amount: Decimal, base: Decimal, weight: Decimal, cap: bool) -> Decimal:
    """分值 × amount ÷ base in exact rational arithmetic, capped, rounded half away from zero to 2 places."""
    raw = Fraction(weight) * Fraction(amount) / Fraction(base)
    if cap:
        raw = min(raw, Fraction(weight))
    return D(math.floor(raw * 100 + Fraction(1, 2))).scaleb(-2)


@given(AMOUNTS, BASES, WEIGHTS, st.booleans())
@settings(max_examples=400, deadline=None)
def test_the_score_is_the_exact_ratio_of_the_amounts_rounded_half_away(amount: Decimal, base: Decimal,
                                                                        weight: Decimal, cap: bool) -> None:
    assert rate_score(amount, base, weight, cap, 2) == exact(amount, base, weight, cap)


@given(AMOUNTS, BASES, WEIGHTS)
@settings(max_examples=200, deadline=None)
def test_a_capped_score_lies_within_its_weight_and_an_uncapped_one_goes_on(amount: Decimal, base: Decimal,
                                                                          weight: Decimal) -> None:
    capped, uncapped = rate_score(amount, base, weight, True, 2), rate_score(amount, base, weight, False, 2)
    assert D(0) <= capped <= weight
    assert capped == uncapped if amount <= base else capped == weight <= uncapped


@given(AMOUNTS, BASES, WEIGHTS, st.sampled_from([D(10000), D("0.0001"), D(100)]))
@settings(max_examples=200, deadline=None)
def test_only_the_ratio_of_the_amounts_counts_not_their_unit(amount: Decimal, base: Decimal, weight: Decimal,
                                                            factor: Decimal) -> None:
    # 元 or 万元: the same score
    assert rate_score(amount * factor, base * factor, weight, True, 2) == rate_score(amount, base, weight, True, 2)


@given(st.integers(0, 10**6))
def test_halves_round_away_from_zero(n: int) -> None:
    # 1 × (2n + 1) ÷ 200 = n/100 + 0.005 exactly: a tie, which goes up (Excel's ROUND), never to even
    assert rate_score(D(2 * n + 1), D(200), D(1), False, 2) == D(n + 1).scaleb(-2)


def test_never_from_a_rounded_percentage() -> None:
    # seed 000: 1172.32 ÷ 2154.81 = 54.40…%; 4 × 54% = 2.16 is what the report printed
    assert rate_score(D("1172.32"), D("2154.81"), D(4), True, 2) == D("2.18")
    percent = round(D("1172.32") / D("2154.81"), 2)
    assert D(4) * percent == D("2.16")


ROWS = st.lists(
    st.tuples(st.integers(1, 2000).map(lambda n: D(n).scaleb(-2)), st.integers(0, 1000)),
    min_size=1, max_size=12,
)


@given(ROWS, st.sampled_from(["决策", "过程", "产出", "效益", "满意度"]))
@settings(max_examples=100, deadline=None)
def test_the_total_is_the_sum_of_the_rounded_scores_and_of_the_blocks(rows: list[tuple[Decimal, int]],
                                                                      level1: str) -> None:
    # each row scored a thousandth-precise share of its weight, rounded to cents before adding up
    indicators = [{"level1": level1 if i % 2 else "产出", "level2": "x", "name": f"指标{i}", "weight": weight,
                   "score": weight * share / 1000, "basis": "依据"}
                  for i, (weight, share) in enumerate(rows)]
    result = score_evaluation(evaluation_spec_from_data(
        {"kind": "evaluation", "year": 2020, "project": "p", "indicators": indicators}))
    scores = [row.score for row in result.indicators]
    assert all(s is not None and s == round(s, 2) for s in scores)
    assert result.total == sum(s for s in scores if s is not None)
    assert result.total == sum(b.score for b in result.blocks)
    assert result.complete and result.grade == result.rules.grade_of(result.total)
