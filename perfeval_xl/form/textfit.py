"""Row heights for wrapped Chinese text.

Excel does not grow a row for wrapped text in merged cells, and LibreOffice and
Excel disagree on automatic heights, so the form sets each row's height from an
estimate of how many lines its longest text needs. Widths are in Excel's
character units (the width of "0"); a CJK character is about two of them.
"""

from __future__ import annotations

import math
import unicodedata

LINE_HEIGHT = 12.5  # points per line of 10-point text
PADDING = 3.0
MIN_HEIGHT = 15.5


def text_width(text: str) -> float:
    """Width of ``text`` in character units."""
    return sum(1.8 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def lines_needed(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a cell ``width`` units wide."""
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in str(text).split("\n"))


def row_height(cells: list[tuple[str, float]], minimum: float = MIN_HEIGHT) -> float:
    """Height (points) for a row whose cells hold (text, width) pairs."""
    lines = max((lines_needed(text, width) for text, width in cells if text), default=1)
    return max(minimum, lines * LINE_HEIGHT + PADDING)
