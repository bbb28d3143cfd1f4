"""What a 评分标准 text says that can be checked.

Most 评分标准 are prose for the evaluator ("完成得满分，否则按比例扣分"). Four shapes can be read
reliably, and are, because they let the engine check the evaluator's arithmetic:

- sub-criteria worth points each, "1、……（1分）2、……（1分）": their points should add up to the
  row's 分值;
- a full-mark line, "达成90%得满分": a target (≥90%) a row with an actual value is scored against;
- a ladder, "持久，得满分；一般，得80分；较短暂，得70分；短暂，得60分": the only scores allowed;
  points above the row's 分值 are read as percentages of it (the ladder is written on the 100-point
  scale: 80 of a 4-point row is 3.2) — perfeval-xl's reading, said in the message;
- all or nothing, "是则得分", "正确得满分，否则不得分": 0 or the full 分值.

A text that mentions proportional deduction ("按比例扣分", "相应扣分") allows any score in between
and is never read as all or nothing. Anything else is left to the evaluator: no check, no finding.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from ...notation import Target, parse_target
from ...rounding import div

_POINTS = re.compile(r"\((\d+(?:\.\d+)?)分\)")
_FULL_LINE = re.compile(r"(?:达成|达到|不低于|>=|≥)?(\d+(?:\.\d+)?)%(?:及以上|以上)?(?:的)?得满分")
_LADDER_STEP = re.compile(r"([^,;:。]*?),?得(满分|\d+(?:\.\d+)?分)")
_PROPORTIONAL = ("按比例", "扣分", "酌情", "相应")
_ALL_OR_NOTHING = ("是则得分", "不得分", "否则0分", "否则得0分")
FULL = "满分"


@dataclass(frozen=True)
class Step:
    """One score the criteria allow: its label and its share of the row's 分值."""

    label: str
    share: Decimal


@dataclass(frozen=True)
class Criteria:
    """What a 评分标准 text says that can be checked."""

    text: str
    points: tuple[Decimal, ...] = ()  # the sub-criteria's "（N分）", in order
    full_line: Target | None = None  # "达成90%得满分" -> ≥90%
    full_line_phrase: str = ""  # the words that set it, as normalised: "达成90%得满分"
    steps: tuple[Step, ...] = ()  # the allowed scores (a ladder, or all or nothing)
    as_percent: bool = False  # the ladder's points were read as percentages of the 分值

    def allowed(self, weight: Decimal) -> tuple[tuple[str, Decimal], ...]:
        """The scores the criteria allow for a row of ``weight`` (empty: any score)."""
        return tuple((step.label, step.share * weight) for step in self.steps)


def _plain(text: str) -> str:
    """Half-width punctuation, no spaces (the patterns are written for it)."""
    text = unicodedata.normalize("NFKC", text).replace("；", ";").replace("、", ",")
    return re.sub(r"\s", "", text)


def read_criteria(text: str, weight: Decimal | None) -> Criteria:
    """Read a 评分标准 text for a row of ``weight`` (the ladder needs it to tell points from percentages)."""
    plain = _plain(text)
    if not plain:
        return Criteria(text)
    points = tuple(Decimal(p) for p in _POINTS.findall(plain))
    line = _FULL_LINE.search(plain)
    full_line = parse_target(f"≥{line.group(1)}%") if line else None
    steps, as_percent = _steps(plain, weight)
    return Criteria(text, points, full_line, line.group(0) if line else "", steps, as_percent)


def _steps(plain: str, weight: Decimal | None) -> tuple[tuple[Step, ...], bool]:
    if any(word in plain for word in _PROPORTIONAL):
        return (), False
    ladder = [(label.split(":")[-1].strip(",") or f"第 {i} 档", score)
              for i, (label, score) in enumerate(_LADDER_STEP.findall(plain), start=1)]
    if len(ladder) >= 2 and weight is not None and weight > 0:
        numbers = [Decimal(score[:-1]) for _, score in ladder if score != FULL]
        as_percent = any(n > weight for n in numbers)
        if as_percent and any(n > 100 for n in numbers):
            return (), False
        steps = tuple(
            Step(label, Decimal(1) if score == FULL
                 else div(Decimal(score[:-1]), Decimal(100) if as_percent else weight))
            for label, score in ladder
        )
        return steps, as_percent
    if any(word in plain for word in _ALL_OR_NOTHING):
        return (Step("满分", Decimal(1)), Step("不得分", Decimal(0))), False
    return (), False
