"""The scoring rules as small pure functions: numbers and parameters in, numbers out.

Every function here has a twin in the form's native formulas
(:mod:`perfeval_xl.kinds.self.formulas`) that performs the same operations in the
same order, including the rounding of differences (:func:`~perfeval_xl.rounding.clean`),
so that the workbook and the engine agree to the cent.
"""

from __future__ import annotations

from decimal import Decimal

from .notation import Direction
from .profiles import Band
from .rounding import clean, div, mul, round_half_away

ZERO = Decimal(0)
# Threshold comparisons look at the ratio rounded to this many places, in the
# engine and in the formulas alike, so that binary noise cannot flip them.
RATIO_PLACES = 9


def execution_rate(budget: Decimal, executed: Decimal, places: int) -> Decimal:
    """执行率 = 全年执行数 / 全年预算数, rounded for display (98.73% -> 0.9873)."""
    return round_half_away(div(executed, budget), places)


def execution_score(budget: Decimal, executed: Decimal, weight: Decimal, places: int) -> Decimal:
    """预算执行率得分 = 分值 × 执行数 / 预算数, never above 分值.

    Computed from the amounts, not from the rounded rate (财预〔2020〕10号 scores
    the execution rate; 357.04 / 439.53 × 20 = 16.246 -> 16.25).
    """
    raw = div(mul(weight, executed), budget)
    return round_half_away(min(weight, max(ZERO, raw)), places)


def quantitative_score(
    target: Decimal,
    actual: Decimal,
    weight: Decimal,
    direction: Direction,
    lower_formula: str,
    equal_formula: str,
) -> Decimal:
    """Unrounded score of a quantitative indicator.

    Higher is better (≥ ＞): reached -> full; not reached -> 分值 × 实际 / 目标
    (财预〔2020〕10号: 未完成指标值的，按照完成值与指标值的比例记分).
    Lower is better (≤ ＜): at or under -> full; over -> ``ratio``: 分值 × 目标 / 实际,
    or ``linear``: 分值 × (2 × 目标 − 实际) / 目标, 0 at twice the target. A zero
    target that is exceeded scores 0.
    Equal (＝): equal -> full; otherwise ``ratio``: 分值 × 较小值 / 较大值, or
    ``linear``: 分值 × (目标 − |实际 − 目标|) / 目标.
    """
    if direction is Direction.HIGHER:
        if actual >= target:
            return weight
        if target <= ZERO or actual <= ZERO:
            return ZERO
        return div(mul(weight, actual), target)
    if direction is Direction.LOWER:
        if actual <= target:
            return weight
        if target <= ZERO:
            return ZERO
        if lower_formula == "ratio":
            return div(mul(weight, target), actual)
        return max(ZERO, div(mul(weight, clean(2 * target - actual)), target))
    if actual == target:
        return weight
    if target <= ZERO or actual <= ZERO:
        return ZERO
    if equal_formula == "ratio":
        return div(mul(weight, min(actual, target)), max(actual, target))
    return max(ZERO, div(mul(weight, clean(target - abs(clean(actual - target)))), target))


def deviation(target: Decimal, actual: Decimal, places: int) -> Decimal | None:
    """偏差率 = (实际 − 目标) / 目标, rounded (3 places: +8.1%); None when the target is 0."""
    if target == ZERO:
        return None
    return round_half_away(div(clean(actual - target), target), places)


def qualitative_score(band: Band, weight: Decimal, chosen: Decimal | None) -> Decimal | None:
    """Unrounded score of a qualitative indicator rated ``band``.

    The evaluator picks a value inside the band (财预〔2020〕10号: 100-80%（含）、
    80-60%（含）、60-0%); without one, the band's default applies (达成: full
    marks); None when the band has no default or the pick is outside the band.
    """
    if chosen is None:
        return None if band.default is None else mul(band.default, weight)
    if weight == ZERO:
        return chosen if chosen == ZERO else None
    return chosen if band.contains(round_half_away(div(chosen, weight), RATIO_PLACES)) else None


def is_shortfall(target: Decimal, actual: Decimal, direction: Direction) -> bool:
    """The target was not reached (a reason is then required)."""
    if direction is Direction.HIGHER:
        return actual < target
    if direction is Direction.LOWER:
        return actual > target
    return actual != target


def is_large_excess(
    target: Decimal,
    actual: Decimal,
    direction: Direction,
    ratio_line: Decimal | None,
    zero_line: Decimal | None,
    display_scale: Decimal,
) -> bool:
    """The target was exceeded by a lot (a reason is then required).

    Guangxi's line: 实际 ≥ 目标 × 130% (or, for a zero target, the shown value ≥ 30).
    For lower-is-better indicators the symmetric deviation counts: 实际 ≤ 目标 × 70%.
    """
    if target == ZERO:
        shown = round_half_away(actual * display_scale, RATIO_PLACES)
        return zero_line is not None and shown >= zero_line
    if ratio_line is None or target < ZERO or direction is Direction.EQUAL:
        return False
    ratio = round_half_away(div(actual, target), RATIO_PLACES)
    if direction is Direction.HIGHER:
        return ratio >= ratio_line
    return ratio <= 2 - ratio_line


def total_score(scores: list[Decimal], places: int) -> Decimal:
    """总分 = the sum of the rounded scores (rounded again against binary noise in the form)."""
    return round_half_away(sum(scores, ZERO), places)
