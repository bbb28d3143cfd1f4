"""The budget system's three-part targets as one official-notation text.

Budget systems (预算管理一体化) store every indicator's target as 指标性质 (≥ ＞ ＝ ＜ ≤ or
定性), 指标值 and 度量单位, and export lists and forms with three columns. The 自评表
shows the target as the one text of the official form (``≥95%``, ``≤87.65万元``,
``达成预期指标``), which every reader parses alike; :func:`compose_target` builds it,
and :func:`parts_disagree` says when the parts contradict what the text reads as.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .notation import format_number, normalize, notation, parse_target

QUALITATIVE, NO_SIGN = "qualitative", "none"
QUALITATIVE_WORD = "定性"  # what the template's 指标性质 dropdown offers for a qualitative target


class UnknownNature(ValueError):
    """A 指标性质 that is neither a sign nor one of the nature words."""


def nature_of(text: str) -> str:
    """The 指标性质 cell read: a sign (≥ ＞ ＝ ＜ ≤), QUALITATIVE, or NO_SIGN for an empty cell
    or 定量. Raises :class:`UnknownNature`."""
    key = normalize(text)
    nota = notation()
    if not key:
        return NO_SIGN
    for table in (nota.nature_words, nota.sign_prefixes, nota.sign_suffixes):
        if key in table:
            return table[key]
    raise UnknownNature(text)


def direction_word(text: str) -> str:
    """Which way a sign or a nature word (正向, 反向) points: "higher", "lower", "equal", or "" for
    定性 and an empty cell. Raises :class:`UnknownNature`."""
    direction = notation().directions.get(nature_of(text))
    return direction.value if direction is not None else ""


def unit_of(text: str) -> str:
    """The 度量单位 cell as a unit written after the number (百分比 is %)."""
    key = normalize(text)
    return notation().unit_aliases.get(key, key)


@dataclass(frozen=True)
class Composed:
    """A target made from its parts, and how the 指标性质 read."""

    target: object  # the one text (or a bare number), as a spec or a form holds it
    nature: str  # a sign, QUALITATIVE or NO_SIGN


def compose_target(nature_text: str, value: object, unit_text: str) -> Composed:
    """The one text of ``指标性质 | 指标值 | 度量单位``: ≥ | 95 | % -> "≥95%"; 定性 | 达成预期指标 | ->
    "达成预期指标"; | 3500 | 批次 -> "3500批次"; | 20000 | -> 20000. A 指标值 that already carries
    the sign or the unit keeps them (≥ | ≥95 | %, | 95% | %). Raises :class:`UnknownNature`."""
    nature = nature_of(nature_text)
    if value is None or (isinstance(value, str) and not value.strip()):
        return Composed(None, nature)
    unit = unit_of(unit_text)
    if isinstance(value, Decimal):
        if nature in (QUALITATIVE, NO_SIGN) and not unit:
            return Composed(value, nature)
        text = format_number(value)
    else:
        text = str(value).strip()
    written = parse_target(text)
    if unit and not normalize(text).endswith(unit):
        text += unit
    # a sign goes before a number that has none; words stay as they are (parts_disagree says so)
    if nature not in (QUALITATIVE, NO_SIGN) and written is not None and not written.qualitative \
            and written.sign is None:
        text = nature + text
    return Composed(text, nature)


def parts_disagree(composed: Composed, nature_text: str) -> str | None:
    """What a reader should be told when the 指标性质 says one thing and the text reads as
    another: 定性 with a number (read as quantitative), a sign with words (read as qualitative)."""
    target = parse_target(composed.target)
    if target is None:
        return None
    if composed.nature == QUALITATIVE and not target.qualitative:
        return (f"指标性质为“{nature_text.strip()}”，但指标值是数值，年度指标值“{target.text}”已按定量指标计分；"
                "如确为定性指标，请把指标值写成文字（如 达成预期指标）")
    if composed.nature not in (QUALITATIVE, NO_SIGN) and target.qualitative:
        return (f"指标性质为“{nature_text.strip()}”，但指标值不是数值，年度指标值“{target.text}”已按定性指标处理："
                "实际完成值须选择评价档次；定量指标的指标值请只填数字（如 95）")
    return None


def split_target(target: object) -> tuple[str, object, str]:
    """A target as (指标性质, 指标值, 度量单位): "≥95%" -> ("≥", 95, "%"); "达成预期指标" ->
    ("定性", "达成预期指标", ""); 20000 -> ("", 20000, ""). The inverse of :func:`compose_target`."""
    parsed = parse_target(target)
    if parsed is None:
        return "", None, ""
    if parsed.qualitative:
        return QUALITATIVE_WORD, parsed.text, ""
    assert parsed.value is not None
    value = Decimal(format((parsed.value * parsed.display_scale).normalize(), "f"))
    return parsed.sign or "", value, parsed.unit
