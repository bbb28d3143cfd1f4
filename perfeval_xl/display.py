"""How numbers are shown to people: the same text in the CLI, the form and the report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from .notation import PERCENT, format_number
from .rounding import round_half_away

if TYPE_CHECKING:
    from .engine import IndicatorResult


def number(value: Decimal | None) -> str:
    """87.650 -> "87.65", 100 -> "100", None -> "—"."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


AMOUNT_PLACES = 2  # 万元 to the hundredth (100 元), as budgets and the reports write them


def amount(value: Decimal | None, places: int = AMOUNT_PLACES) -> str:
    """An amount in 万元 as people read it: 80.65338075849286 -> "80.65", 87.6 -> "87.6", 100 -> "100"."""
    return number(None if value is None else round_half_away(value, places))


def amounts(first: Decimal, second: Decimal) -> tuple[str, str]:
    """Two different amounts, each to the hundredth unless that makes them look equal: then to
    the 元 (4 places of 万元), then in full."""
    for places in (AMOUNT_PLACES, 4):
        shown = amount(first, places), amount(second, places)
        if shown[0] != shown[1]:
            return shown
    return number(first), number(second)


def percent(value: Decimal | None, places: int = 2) -> str:
    """A fraction as a percentage: 0.98734 -> "98.73%"."""
    if value is None:
        return "—"
    return f"{round_half_away(value * 100, places):f}%"


def deviation(value: Decimal | None) -> str:
    """A deviation as the reports write it: 0.081 -> "+8.1%", 0 -> "0", None -> "—"."""
    if value is None:
        return "—"
    shown = round_half_away(value * 100, 1)
    if shown == 0:
        return "0"
    return f"{'+' if shown > 0 else ''}{shown:f}%"


def actual(ind: IndicatorResult, percent_places: int | None = None) -> str:
    """An indicator's 实际完成值 as people write it: text as typed, a rating by its band, a number
    in the target's notation (0.85 against 80% -> "85%", 86.54 against 87.65万元 -> "86.54万元").

    With ``percent_places`` a percentage is rounded to that many decimals (the reports write
    it to the target's), otherwise shown as computed.
    """
    value = ind.spec.actual
    if value is None:
        return "—"
    if isinstance(value, str):
        return value.strip()
    if ind.band is not None:
        return ind.band.label
    target = ind.target
    if ind.actual is not None and target is not None and not target.qualitative:
        if target.is_percent and percent_places is not None:
            return f"{round_half_away(ind.actual * 100, percent_places):f}{PERCENT}"
        return format_number(ind.actual, target.unit)
    return number(value) if isinstance(value, Decimal) else str(value)


def local_time(stamp: str | dt.datetime | None, with_time: bool = True) -> str:
    """A timestamp as people read it, in this machine's local time: "2026年11月22日 14:03";
    a text that is not ISO 8601 is shown as it is, None as "—"."""
    if stamp is None or stamp == "":
        return "—"
    if isinstance(stamp, str):
        try:
            moment = dt.datetime.fromisoformat(stamp)
        except ValueError:
            return stamp
    else:
        moment = stamp
    local = moment.astimezone() if moment.tzinfo is not None else moment
    day = f"{local.year}年{local.month}月{local.day}日"
    return f"{day} {local:%H:%M}" if with_time else day
