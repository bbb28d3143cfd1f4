"""The 评分表's own scoring rule, as a small pure function (the rest is the 自评表's,
:mod:`perfeval_xl.scoring`)."""

from __future__ import annotations

from decimal import Decimal

from ... import scoring
from ...rounding import div, mul, round_half_away

ZERO = Decimal(0)


def rate_score(amount: Decimal, base: Decimal, weight: Decimal, cap: bool, places: int) -> Decimal:
    """得分 of a row scored from the amounts: 分值 × amount ÷ base (资金到位率 = 实际到位资金 ÷
    预算资金; 预算执行率 = 执行数 ÷ 预算资金), never below 0, and with ``cap`` never above 分值.

    From the amounts, not from a rounded percentage (财预〔2020〕10号 附件2 defines the rates as
    ratios of the amounts): 4 × 1172.32 ÷ 2154.81 = 2.1762 -> 2.18, where 4 × 54% gives seed 000's
    2.16. A capped score is the 自评表's execution score (:func:`perfeval_xl.scoring.execution_score`).
    """
    if cap:
        return scoring.execution_score(base, amount, weight, places)
    return round_half_away(max(ZERO, div(mul(weight, amount), base)), places)
