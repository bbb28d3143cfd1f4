"""What a person reads in the labels and texts of real forms and targets lists, beyond the
official layout: shared by the hand-made form reader and the targets-list reader.

The word lists are data (form_labels.yaml): 小计/合计 rows, the words that place a 三级指标
under its 二级指标 when a table has no 二级指标 column, the units of a duration that make an
unsigned 时效指标 target a limit, and Chinese numerals that are no number to a spreadsheet.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from ..notation import ParseProblem, amount_scale, money_units, normalize, parse_quantity, parse_target
from ..profiles import Rules
from ..targetparts import UnknownNature, direction_word
from .cells import label_key, labels

# 一、产出指标 / （一）产出指标 / 1. 产出指标 / 产出指标（50分） / 产出指标 50分 / 产出指标50分
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)[、.]?|\d+[、.](?!\d))")
_WEIGHT = re.compile(r"\(?\d+(?:\.\d+)?分\)?$")
_MONEY_NOTE = re.compile(r"\(([^()]*)\)")


def clean_level(text: str) -> str:
    """An 一级/二级指标 label without its numbering or points: "一、产出指标（50分）" -> "产出指标"."""
    key = unicodedata.normalize("NFKC", text).strip()
    key = re.sub(r"\s+", "", key)
    key = _NUMBERING.sub("", key)
    key = _WEIGHT.sub("", key)
    return key or text.strip()


def is_subtotal(text: object) -> bool:
    """A 小计/合计 label (its points note removed): a row that adds up others."""
    key = label_key(text)
    key = _WEIGHT.sub("", key)
    return bool(key) and key in labels().subtotal_rows


def infer_level2(level1: str, name: str, target: object, rules: Rules) -> str | None:
    """The 二级指标 a row with none belongs to, from its 三级指标 name and target; None if unsure."""
    options = rules.hierarchy.get(level1, ())
    if len(options) == 1:
        return options[0]
    words = normalize(f"{name}{target if isinstance(target, str) else ''}")
    for level2, hints in labels().level2_hints.items():
        if level2 in options and any(normalize(h) in words for h in hints):
            return level2
    return None


def duration_limit(level2: str, target: object) -> str | None:
    """``target`` with ≤ before it when it is an unsigned duration of a 时效指标 ("30天" ->
    "≤30天"), as a person reads a deadline; None when it is not one."""
    lab = labels()
    if level2 not in lab.duration_level2 or not isinstance(target, str):
        return None
    parsed = parse_target(target)
    if parsed is None or parsed.qualitative or parsed.sign is not None:
        return None
    if parsed.unit not in lab.duration_units:
        return None
    return "≤" + target.strip()


_TRAILING_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def target_without_note(target: object) -> str | None:
    """A quantitative target whose unit was read with a bracketed note after it ("≥3500批次（全年）",
    unit 批次(全年)) without the note ("≥3500批次"); None when there is none to drop."""
    if not isinstance(target, str):
        return None
    parsed = parse_target(target)
    if parsed is None or parsed.qualitative or "(" not in parsed.unit:
        return None
    plain = _TRAILING_NOTE.sub("", target)
    again = parse_target(plain)
    if plain == target or again is None or again.qualitative or "(" in again.unit:
        return None
    return plain


def actual_in_target_unit(target: object, actual: object) -> str | None:
    """An actual value whose unit is a synonym of the target's ("10场" against "12场次") written in
    the target's unit ("10场次"); "无" against a target of 0 as 0 in its unit. None otherwise."""
    parsed = parse_target(target)
    if parsed is None or parsed.qualitative or parsed.value is None or not isinstance(actual, str):
        return None
    if parsed.value == 0 and normalize(actual) == "无":
        return f"0{parsed.unit}"
    try:
        quantity = parse_quantity(actual)
    except ParseProblem:
        return None
    if quantity is None or not quantity.unit or quantity.unit == parsed.unit or quantity.sign is not None:
        return None
    if not any({quantity.unit, parsed.unit} <= group for group in labels().unit_synonyms):
        return None
    return f"{format(quantity.value.normalize(), 'f')}{parsed.unit}"


def chinese_numeral(text: object) -> str | None:
    """The quantity written in Chinese numerals in ``text`` ("三次", "十二个月"), or None."""
    if not isinstance(text, str):
        return None
    lab = labels()
    numerals = re.escape(lab.chinese_numerals)
    measures = "|".join(re.escape(m) for m in sorted(lab.numeral_measures, key=len, reverse=True))
    found = re.search(f"[{numerals}]+(?:{measures})", unicodedata.normalize("NFKC", text))
    return found.group(0) if found else None


def numeral_message(what: str, text: str, found: str) -> str:
    """The warning for a Chinese numeral in a target or an actual value."""
    part = "" if found == text.strip() else f"中的“{found}”"
    return (f"{what}“{text.strip()}”{part}是用中文数字写的，电子表格和计分程序都不能按数值读取；"
            "如为定量指标，请改用阿拉伯数字（如 3次、12个月）")


def direction_conflict(target: object, words: list[str]) -> str | None:
    """What to say when the sign written in the target, its 指标性质 and its 指标方向 (``words``)
    do not point the same way (≥95% with 反向); the target's own sign is what is scored."""
    parsed = parse_target(target)
    said = [(parsed.sign, direction_word(parsed.sign))] if parsed is not None and parsed.sign else []
    for word in words:
        try:
            said.append((word.strip(), direction_word(word)))
        except UnknownNature:
            continue
    pointing = [(word, way) for word, way in said if way]
    for word, way in pointing[1:]:
        if way != pointing[0][1]:
            return f"指标方向“{word}”与“{pointing[0][0]}”不一致，已按“{pointing[0][0]}”计分；请核对指标方向"
    return None


def money_scale(text: object) -> tuple[str, Decimal] | None:
    """The unit of money a header names in its note, and the factor to 万元: "全年预算数（元）" ->
    ("元", 0.0001); None when it names none (the form's 万元 stands)."""
    if not isinstance(text, str):
        return None
    for note in _MONEY_NOTE.findall(unicodedata.normalize("NFKC", text).replace(" ", "")):
        scale = money_units().get(note.removeprefix("单位:"))
        if scale is not None:
            return note.removeprefix("单位:"), scale / amount_scale()
    return None


def has_money_unit(value: object) -> bool:
    """Whether a text amount says its own unit ("876500元", "87.65万")."""
    if not isinstance(value, str):
        return False
    try:
        quantity = parse_quantity(value)
    except ParseProblem:
        return False
    return quantity is not None and quantity.unit is not None


__all__ = [
    "actual_in_target_unit",
    "chinese_numeral",
    "clean_level",
    "direction_conflict",
    "duration_limit",
    "has_money_unit",
    "infer_level2",
    "is_subtotal",
    "money_scale",
    "numeral_message",
    "target_without_note",
]
