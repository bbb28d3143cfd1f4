"""How numbers are shown to people: the same text in the CLI, the form and the report."""

from __future__ import annotations

from decimal import Decimal

from .rounding import round_half_away


def number(value: Decimal | None) -> str:
    """87.650 -> "87.65", 100 -> "100", None -> "—"."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


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
