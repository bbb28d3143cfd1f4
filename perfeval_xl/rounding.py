"""Decimal arithmetic that agrees with Excel's ROUND.

The engine computes in :class:`~decimal.Decimal` from the digits people typed,
so a tie such as 4.275 is a tie. Excel, WPS and LibreOffice compute in binary
floating point but ROUND looks at 15 significant digits, which hides the
representation error of a product or a quotient. It does not hide the
cancellation of a subtraction (0.85 − 0.8 = 0.04999999999999993), so every
difference in the form's formulas is first rounded to ``CLEAN_PLACES`` and the
engine does the same with :func:`clean`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

# Enough precision that a quotient of two typed amounts is exact to far more
# places than any rounding we do afterwards.
CONTEXT = Context(prec=34)

# Differences are rounded to this many places before they are divided; the
# same constant is written into the form's parameter sheet.
CLEAN_PLACES = 10


# The numbers a form can hold: spreadsheets keep 15 significant digits, so an amount,
# count or weight of 10^15 or more cannot be what was meant; and a target or budget
# nearer 0 than 10^-10 (the places differences are rounded to) is no divisor. Inside
# these bounds every quotient the engine rounds fits CONTEXT's 34 digits.
MAX_MAGNITUDE = Decimal("1e15")
MIN_DIVISOR = Decimal(1).scaleb(-CLEAN_PLACES)


def out_of_range(value: Decimal | None, divisor: bool = False) -> str | None:
    """Why ``value`` is beyond what the engine computes with ("过大"/"过小"), or None."""
    if value is None:
        return None
    if abs(value) >= MAX_MAGNITUDE:
        return "过大"
    if divisor and value != 0 and abs(value) < MIN_DIVISOR:
        return "过小"
    return None


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as a Decimal of the digits a person typed.

    Floats go through ``repr`` (the shortest string that reads back as the
    same float), so 0.95 becomes Decimal("0.95"), not 0.9499999999999999555….
    Raises ``ValueError`` for anything that is not a finite number.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    else:
        raise ValueError(f"not a number: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def round_half_away(value: Decimal, places: int) -> Decimal:
    """Round to ``places`` decimals, halves away from zero (Excel's ROUND)."""
    quantum = Decimal(1).scaleb(-places)
    context = CONTEXT
    if value.is_finite() and value.adjusted() + places + 1 > CONTEXT.prec:
        # a number far beyond any form's (see out_of_range, which the engine reports):
        # rounded all the same rather than raising InvalidOperation
        context = Context(prec=value.adjusted() + places + 1)
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=context)


def clean(value: Decimal) -> Decimal:
    """Round a difference to CLEAN_PLACES, as the form's formulas do."""
    return round_half_away(value, CLEAN_PLACES)


def div(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Divide with the engine's precision."""
    return CONTEXT.divide(numerator, denominator)


def mul(a: Decimal, b: Decimal) -> Decimal:
    """Multiply with the engine's precision."""
    return CONTEXT.multiply(a, b)


def as_float(value: Decimal | None) -> float | None:
    """A Decimal as the float JSON and spreadsheets carry (None stays None)."""
    return None if value is None else float(value)
