"""Reading 年度指标值 and 实际完成值 as people write them.

A target is a comparison sign, a number and a unit (``≥95%``, ``≤420元/次``,
``87.65万元``) or it is qualitative (``达成预期指标``, ``年底前完成``). The grammar
is deliberately small, and the form's parsing formulas implement the same one
(:mod:`perfeval_xl.kinds.self.formulas`), so a target typed into an editable form and
the same target in a spec are read alike:

1. normalise (NFKC; drop spaces and thousands separators);
2. a sign prefix from ``notation.yaml`` (longest match: ``大于等于`` before ``大于``);
3. a number: an optional ``-`` and the run of ``0-9.`` that follows;
4. the rest is the unit; ``%`` divides by 100; limit marks (``（含）``) are
   dropped; a sign suffix (``以上``) decides the sign when there is one, else the
   prefix does;
5. no number, a unit holding another number, or a bare date (``12月底前``)
   makes the target qualitative (:attr:`Target.reading` says which).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from . import yamlfile
from .datafiles import templates_dir
from .errors import RuleDataError
from .rounding import div, to_decimal

PERCENT = "%"
# The error values a spreadsheet cell can hold (a formula gone wrong).
ERROR_VALUES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"))
_NUMBER_CHARS = "0123456789."


class Direction(enum.Enum):
    """Which way an indicator is better."""

    HIGHER = "higher"  # 正向指标: ≥ ＞
    LOWER = "lower"  # 反向指标: ≤ ＜
    EQUAL = "equal"  # ＝

    @property
    def label(self) -> str:
        return {"higher": "正向", "lower": "反向", "equal": "等于"}[self.value]


@dataclass(frozen=True)
class Notation:
    """The tables of notation.yaml."""

    sign_prefixes: dict[str, str]
    sign_suffixes: dict[str, str]
    directions: dict[str, Direction]
    multipliers: dict[str, Decimal]
    date_units: tuple[str, ...]
    approximate_before: tuple[str, ...]  # 约200
    approximate_after: tuple[str, ...]  # 200余人
    approximate_end: tuple[str, ...]  # 30天左右
    empty_values: frozenset[str]
    limit_marks: dict[str, str]  # normalised mark -> "inclusive" / "exclusive"
    not_unit_start: str  # characters a unit cannot begin with (100-, 1e3, 5.5.5)
    money_base: str  # 元
    amount_unit: str  # 万元: what amounts are in
    money_short_prefixes: tuple[str, ...]  # 万, 亿: "86.54万" is 86.54万元
    nature_words: dict[str, str]  # 指标性质 word -> "qualitative", "none" or a sign
    unit_aliases: dict[str, str]
    limit_signs: dict[str, dict[str, str]]  # kind -> written sign -> sign meant
    percent_scale: PercentScale
    duration_level2: tuple[str, ...]  # an unsigned duration of these 二级指标 is a limit (≤)
    duration_units: tuple[str, ...]

    @property
    def longest_prefix(self) -> int:
        return max(len(k) for k in self.sign_prefixes)


@dataclass(frozen=True)
class PercentScale:
    """When a number is a percentage written without its % (notation.yaml ``percent_scale``)."""

    ratio: Decimal
    bare_target_min: Decimal
    bare_target_max: Decimal
    bare_actual_max: Decimal


_NOTATION_KEYS = {
    "percent_scale",
    "duration_limit",
    "sign_prefixes",
    "sign_suffixes",
    "limit_marks",
    "limit_signs",
    "not_unit_start",
    "money_base",
    "amount_unit",
    "money_short_prefixes",
    "nature_words",
    "unit_aliases",
    "directions",
    "multipliers",
    "date_units",
    "approximate_before",
    "approximate_after",
    "approximate_end",
    "empty_values",
}


@lru_cache(maxsize=1)
def notation() -> Notation:
    """Load notation.yaml (once)."""
    source = templates_dir().joinpath("notation.yaml")
    root = yamlfile.parse(source.read_text(encoding="utf-8"), "notation.yaml", RuleDataError)
    data = yamlfile.plain(root)
    unknown = set(data) - _NOTATION_KEYS
    missing = _NOTATION_KEYS - set(data)
    if unknown or missing:
        raise RuleDataError(
            f"notation.yaml 字段不正确：多出 {sorted(unknown)}，缺少 {sorted(missing)}"
        )
    try:
        directions = {k: Direction(v) for k, v in data["directions"].items()}
    except ValueError as exc:
        raise RuleDataError(f"notation.yaml 的 directions 有未知方向：{exc}") from None
    for table in ("sign_prefixes", "sign_suffixes"):
        for key, sign in data[table].items():
            if sign not in directions:
                raise RuleDataError(f"notation.yaml 的 {table}“{key}”指向未定义的符号“{sign}”")
    limit_signs = {str(kind): {str(a): str(b) for a, b in table.items()}
                   for kind, table in data["limit_signs"].items()}
    for key, kind in data["limit_marks"].items():
        if kind not in limit_signs:
            raise RuleDataError(f"notation.yaml 的 limit_marks“{key}”指向未定义的种类“{kind}”")
    for word, nature in data["nature_words"].items():
        if nature not in ("qualitative", "none") and nature not in directions:
            raise RuleDataError(f"notation.yaml 的 nature_words“{word}”指向未定义的符号“{nature}”")
    for kind, signs in limit_signs.items():
        for sign in (*signs, *signs.values()):
            if sign not in directions:
                raise RuleDataError(f"notation.yaml 的 limit_signs.{kind} 中有未定义的符号“{sign}”")
    for prefix in data["money_short_prefixes"]:
        if str(prefix) not in data["multipliers"]:
            raise RuleDataError(f"notation.yaml 的 money_short_prefixes“{prefix}”不在 multipliers 中")
    return Notation(
        sign_prefixes={normalize(str(k)): str(v) for k, v in data["sign_prefixes"].items()},
        sign_suffixes={normalize(str(k)): str(v) for k, v in data["sign_suffixes"].items()},
        directions=directions,
        multipliers={str(k): to_decimal(v) for k, v in data["multipliers"].items()},
        date_units=tuple(str(u) for u in data["date_units"]),
        approximate_before=tuple(str(w) for w in data["approximate_before"]),
        approximate_after=tuple(str(w) for w in data["approximate_after"]),
        approximate_end=tuple(str(w) for w in data["approximate_end"]),
        empty_values=frozenset(normalize(str(v)) for v in data["empty_values"]),
        limit_marks={normalize(str(k)): str(v) for k, v in data["limit_marks"].items()},
        limit_signs=limit_signs,
        not_unit_start=str(data["not_unit_start"]),
        money_base=str(data["money_base"]),
        amount_unit=str(data["amount_unit"]),
        money_short_prefixes=tuple(str(p) for p in data["money_short_prefixes"]),
        nature_words={normalize(str(k)): str(v) for k, v in data["nature_words"].items()},
        unit_aliases={normalize(str(k)): str(v) for k, v in data["unit_aliases"].items()},
        percent_scale=_percent_scale(data["percent_scale"]),
        duration_level2=tuple(str(v) for v in data["duration_limit"]["level2"]),
        duration_units=tuple(str(v) for v in data["duration_limit"]["units"]),
    )


def _percent_scale(data: object) -> PercentScale:
    keys = ("ratio", "bare_target_min", "bare_target_max", "bare_actual_max")
    if not isinstance(data, dict) or set(data) != set(keys):
        raise RuleDataError(f"notation.yaml 的 percent_scale 须有且只有 {', '.join(keys)}")
    try:
        values = [to_decimal(data[k]) for k in keys]
    except (TypeError, ValueError, ArithmeticError):
        raise RuleDataError("notation.yaml 的 percent_scale 各项须为数值") from None
    if not all(v > 0 for v in values) or values[1] >= values[2]:
        raise RuleDataError("notation.yaml 的 percent_scale 各项须为正数，且 bare_target_min < bare_target_max")
    return PercentScale(*values)


_DROPPED = re.compile(r"[\s,]")
# Kept through NFKC (which would make m² "m2", a unit holding a digit): square and cubic metres.
_UNIT_SIGNS = str.maketrans({"㎡": "m\ue002", "㎥": "m\ue003", "²": "\ue002", "³": "\ue003"})
_UNIT_SIGNS_BACK = str.maketrans({"\ue002": "²", "\ue003": "³"})
DIGITS = frozenset("0123456789")


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Half-width digits and signs, no spaces or thousands separators (㎡ and m² stay m²)."""
    text = unicodedata.normalize("NFKC", text.translate(_UNIT_SIGNS)).translate(_UNIT_SIGNS_BACK)
    return _DROPPED.sub("", text)


def has_digit(text: str) -> bool:
    """Whether text holds a digit 0-9 (the form's formulas look for these ten only)."""
    return not DIGITS.isdisjoint(text)


def approximate_word(text: str) -> str | None:
    """The word that makes the number in ``text`` approximate (约200, 1000余人, 30天左右), if any:
    only where notation.yaml places such words — before a number, right after one, or at the end
    after one — so that 多媒体, 合约 or 节约 beside a number leave it exact."""
    match = _approximate_pattern().search(normalize(text))
    return next(group for group in match.groups() if group) if match else None


@lru_cache(maxsize=1)
def _approximate_pattern() -> re.Pattern[str]:
    nota = notation()

    def words(items: tuple[str, ...]) -> str:
        return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))

    return re.compile(f"({words(nota.approximate_before)})(?=[0-9.])"
                      f"|(?<=[0-9%])({words(nota.approximate_after)})"
                      f"|[0-9][^0-9]*?({words(nota.approximate_end)})$")


def is_empty(value: object) -> bool:
    """True for None and for the cells that mean "nothing here" (—, 无, …)."""
    if value is None:
        return True
    if isinstance(value, str):
        return normalize(value) in notation().empty_values
    return False


# Why a target is qualitative (Target.reading); "quantity" for the others.
QUANTITY, WORDS, DEADLINE, COMPOUND = "quantity", "words", "deadline", "compound"


@dataclass(frozen=True)
class Target:
    """A parsed 年度指标值."""

    text: str
    qualitative: bool
    sign: str | None = None  # "≥", "＞", "＝", "≤", "＜"; None when not written
    value: Decimal | None = None  # percentages as fractions: 95% -> 0.95
    unit: str = ""  # "%" for percentages
    # how it was read: QUANTITY; or, qualitative, WORDS (no number at the start: 达成预期指标,
    # 完成3500批次), DEADLINE (a date: 12月底前) or COMPOUND (more than one number: 90%-100%)
    reading: str = QUANTITY

    @property
    def digits_as_qualitative(self) -> bool:
        """A qualitative target with digits in it that is not a plain deadline: a quantity
        people may have meant, which the parser could not read as one."""
        return self.qualitative and self.reading != DEADLINE and has_digit(normalize(self.text))

    @property
    def is_percent(self) -> bool:
        return self.unit == PERCENT

    @property
    def display_scale(self) -> Decimal:
        """Factor from the stored value to the number people read (100 for %)."""
        return Decimal(100) if self.is_percent else Decimal(1)


@dataclass(frozen=True)
class Quantity:
    """A number read from a cell or a spec, with its unit if one was written."""

    value: Decimal
    unit: str | None  # None: no unit written; "%": a percentage (value is the fraction)
    text: str
    sign: str | None = None  # a comparison sign written in an actual value (a slip)


class ParseProblem(Exception):
    """A value that cannot be read as a number; the message is for the user."""


def _split_sign(text: str) -> tuple[str | None, str]:
    nota = notation()
    table = nota.sign_prefixes
    for length in range(min(nota.longest_prefix, len(text)), 0, -1):
        sign = table.get(text[:length])
        if sign is not None:
            return sign, text[length:]
    return None, text


def _split_number(text: str) -> tuple[Decimal | None, str]:
    """The leading number of ``text`` (the form's formulas do exactly this)."""
    negative = text.startswith("-")
    body = text[1:] if negative else text
    run = 0
    while run < len(body) and body[run] in _NUMBER_CHARS:
        run += 1
    if run == 0:
        return None, text
    try:
        number = Decimal(body[:run])
    except InvalidOperation:
        return None, text
    return (-number if negative else number), body[run:]


@lru_cache(maxsize=1)
def _suffixes_longest_first() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(notation().sign_suffixes.items(), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=1)
def _multipliers_longest_first() -> tuple[tuple[str, Decimal], ...]:
    return tuple(sorted(notation().multipliers.items(), key=lambda kv: -len(kv[0])))


def _split_suffix(unit: str) -> tuple[str | None, str]:
    for suffix, sign in _suffixes_longest_first():
        if unit.endswith(suffix):
            return sign, unit[: -len(suffix)]
    return None, unit


@lru_cache(maxsize=1)
def _marks_longest_first() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(notation().limit_marks.items(), key=lambda kv: -len(kv[0])))


def _drop_marks(unit: str) -> tuple[str | None, str]:
    """The unit without its limit marks (the form's formulas remove them the same way, longest
    first), and the kind of the last one removed."""
    kind = None
    for mark, mark_kind in _marks_longest_first():
        if mark in unit:
            unit = unit.replace(mark, "")
            kind = mark_kind
    return kind, unit


def parse_target(text: object) -> Target | None:
    """Parse a 年度指标值; None when the cell is empty.

    A number (from a spreadsheet cell) is a target without sign or unit.
    """
    if is_empty(text):
        return None
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        return Target(text=_number_text(to_decimal(text)), qualitative=False,
                      value=to_decimal(text))
    return _parse_target_text(str(text).strip())


@lru_cache(maxsize=4096)
def _parse_target_text(raw: str) -> Target:
    norm = normalize(raw)
    prefix, rest = _split_sign(norm)
    number, unit = _split_number(rest)
    if number is None:
        return Target(text=raw, qualitative=True, reading=WORDS)
    if unit.startswith(PERCENT):
        number = div(number, Decimal(100))
        unit_tail = unit[1:]
        unit = PERCENT
    else:
        unit_tail = unit
    mark, unit_tail = _drop_marks(unit_tail)
    suffix_sign, unit_tail = _split_suffix(unit_tail)
    if unit != PERCENT:
        unit = unit_tail
    sign = suffix_sign or prefix
    if sign is not None and mark is not None:
        sign = notation().limit_signs[mark].get(sign, sign)
    nota = notation()
    if sign is None and unit[:1] in nota.date_units:  # 12月底前, 2020年12月31日前完成
        return Target(text=raw, qualitative=True, reading=DEADLINE)
    if has_digit(unit_tail) or (unit_tail and unit_tail[0] in nota.not_unit_start):  # 90%-100%, 100-
        return Target(text=raw, qualitative=True, reading=COMPOUND)
    return Target(text=raw, qualitative=False, sign=sign, value=number, unit=unit)


def parse_quantity(value: object) -> Quantity | None:
    """Parse a 实际完成值 written as a number; None when empty.

    Raises :class:`ParseProblem` when the text is not an exact number.
    """
    if is_empty(value):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        exact = to_decimal(value)
        return Quantity(exact, None, _number_text(exact))
    raw = str(value).strip()
    norm = normalize(raw)
    sign, rest = _split_sign(norm)
    parsed, unit = _split_number(rest)
    if parsed is None or approximate_word(norm) is not None or (unit and unit[0] in notation().not_unit_start):
        raise ParseProblem(raw)
    number: Decimal = parsed
    if unit.startswith(PERCENT):
        if unit[1:]:
            raise ParseProblem(raw)
        return Quantity(div(number, Decimal(100)), PERCENT, raw, sign)
    if has_digit(unit):
        raise ParseProblem(raw)
    return Quantity(number, unit or None, raw, sign)


def split_unit(unit: str) -> tuple[Decimal, str]:
    """A unit as (multiplier, base): 万元 -> (10000, 元), 次 -> (1, 次)."""
    for prefix, factor in _multipliers_longest_first():
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return factor, unit[len(prefix):]
    return Decimal(1), unit


@lru_cache(maxsize=1)
def money_units() -> dict[str, Decimal]:
    """Every unit of money and how many 元 it is: 元 1, 千元 1000, 万元 10000, 亿元 10^8 …"""
    nota = notation()
    units = {nota.money_base: Decimal(1)}
    units.update({prefix + nota.money_base: factor for prefix, factor in nota.multipliers.items()})
    units.update({prefix: nota.multipliers[prefix] for prefix in nota.money_short_prefixes})
    return units


def amount_scale() -> Decimal:
    """How many 元 one unit of an amount (万元) is."""
    return money_units()[notation().amount_unit]


def parse_amount(value: object) -> Decimal | None:
    """An amount, in 万元: a number is one; a text is a number with or without a unit of money
    ("87.65", "87.65万元" -> 87.65, "876500元" -> 86.54, "1.2亿元" -> 12000). None when the value
    means empty; :class:`ParseProblem` when it is not an amount (约86, 86.54万人, ≥80, a logical)."""
    if is_empty(value):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return to_decimal(value)
    if not isinstance(value, str):
        raise ParseProblem(str(value))
    quantity = parse_quantity(value)
    if quantity is None:
        return None
    scale = money_units().get(quantity.unit or notation().amount_unit)
    if scale is None or quantity.sign is not None:
        raise ParseProblem(value)
    return quantity.value * scale / amount_scale()


class UnitMismatch(Exception):
    """An actual value's unit cannot be converted to the target's."""


def convert(quantity: Quantity, target: Target) -> tuple[Decimal, bool]:
    """The actual value in the target's unit, and whether a conversion happened.

    Raises :class:`UnitMismatch` when the units are of different kinds.
    """
    unit = quantity.unit
    if unit is None or unit == target.unit or not target.unit:
        if unit == PERCENT and target.unit and not target.is_percent:
            raise UnitMismatch()
        return quantity.value, False
    if unit == PERCENT or target.is_percent:
        raise UnitMismatch()
    from_factor, from_base = split_unit(unit)
    to_factor, to_base = split_unit(target.unit)
    if from_base == to_base:
        return div(quantity.value * from_factor, to_factor), from_factor != to_factor
    # "400元" against "≤420元/次": the actual names the numerator of the target's unit.
    numerator = to_base.split("/")[0]
    if "/" in to_base and from_base == numerator:
        return div(quantity.value * from_factor, to_factor), from_factor != to_factor
    raise UnitMismatch()


def percent_rescaled(target_value: Decimal, target_unit: str, actual: Decimal,
                     typed_percent: bool) -> Decimal | None:
    """The actual on the other percentage scale, when a person would read it so; else None.

    Against a target in %, a bare number far above it is a percentage typed without its % (90
    against ≥95% is 90%, not 9000%). Against a target without a unit, a target between the
    bare-target bounds is whole percents (95 against an actual of 97.9% is 97.9), and one below
    1 a fraction (0.95, a % cell read without its format, against 90 is 90%). "Far" is the
    ratio of notation.yaml's ``percent_scale``; the form's AVALUE formula says the same.
    """
    scale = notation().percent_scale
    o, x = target_value, actual
    if target_unit == PERCENT:
        if not typed_percent and x >= 1 and x > scale.ratio * o:
            return x.scaleb(-2)
        return None
    if target_unit:
        return None
    if scale.bare_target_min <= o <= scale.bare_target_max and 0 < x <= 1 and x * scale.ratio < o:
        return x.scaleb(2)
    if 0 < o < 1 and not typed_percent and 1 <= x <= scale.bare_actual_max and x > scale.ratio * o:
        return x.scaleb(-2)
    return None


def infer_direction(target: Target, level2: str, lower_level2: tuple[str, ...]) -> Direction:
    """The direction of a target with no written sign.

    成本指标 (and any 二级 the profile lists), zero targets and a duration of a 时效指标
    ("30天", :func:`is_duration_limit`) are lower-is-better, the rest higher-is-better.
    """
    if level2 in lower_level2 or is_duration_limit(target, level2):
        return Direction.LOWER
    if target.value is not None and target.value == 0:
        return Direction.LOWER
    return Direction.HIGHER


def is_duration_limit(target: Target, level2: str) -> bool:
    """Whether the target's unit is a duration and its 二级指标 one whose durations are limits
    (notation.yaml ``duration_limit``): 完成时限 30天 means within 30 days."""
    nota = notation()
    return level2 in nota.duration_level2 and target.unit in nota.duration_units


def direction_of(sign: str) -> Direction:
    return notation().directions[sign]


def format_number(value: Decimal, unit: str = "") -> str:
    """A value as people write it: 0.95 with unit % -> "95%", 87.65 万元 -> "87.65万元"."""
    if unit == PERCENT:
        return _number_text(value * 100) + PERCENT
    return _number_text(value) + unit


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
