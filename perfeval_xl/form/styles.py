"""Cell formats of the form, made once per distinct combination.

The paper form is plain black on white; on screen, cells the official may type in
are tinted so they stand out (the print is set to black and white, so the tint
does not print). Chinese fonts are named as Excel and WPS know them (宋体, 黑体);
LibreOffice maps them to Noto CJK when rendering (see perfeval_xl/libreoffice.py).
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
INPUT_FILL = "#FFF6D5"
HELPER_FILL = "#F2F2F2"

PERCENT = "0.00%"
AMOUNT = "0.00"
SCORE = "0.00"
DEVIATION = '+0.0%;-0.0%;"0"'
YEAR = '"（"0"年度）"'


class Styles:
    """A cache of xlsxwriter formats keyed by their properties."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._calls: dict[tuple[tuple[str, Any], ...], Format] = {}  # as asked, before sorting

    def get(self, **props: Any) -> Format:
        asked = tuple(props.items())
        found = self._calls.get(asked)
        if found is not None:
            return found
        base: dict[str, Any] = {"font_name": BODY_FONT, "font_size": 10, "valign": "vcenter"}
        base.update(props)
        key = tuple(sorted(base.items()))
        if key not in self._cache:
            self._cache[key] = self.workbook.add_format(base)
        self._calls[asked] = self._cache[key]
        return self._cache[key]

    # The kinds of cells on the form -----------------------------------------

    def title(self) -> Format:
        return self.get(font_name=TITLE_FONT, font_size=16, bold=True, align="center")

    def year(self) -> Format:
        return self.get(align="center", num_format=YEAR, font_size=11)

    def label(self, **extra: Any) -> Format:
        props: dict[str, Any] = {"border": 1, "align": "center", "text_wrap": True}
        props.update(extra)
        return self.get(**props)

    def vertical(self) -> Format:
        return self.get(border=1, align="center", rotation=270, text_wrap=True)

    def text(self, editable: bool, align: str = "left") -> Format:
        if editable:
            return self.get(border=1, align=align, text_wrap=True, locked=False, bg_color=INPUT_FILL)
        return self.get(border=1, align=align, text_wrap=True)

    def number(self, num_format: str, editable: bool, align: str = "center") -> Format:
        if editable:
            return self.get(border=1, align=align, num_format=num_format, locked=False,
                            bg_color=INPUT_FILL)
        return self.get(border=1, align=align, num_format=num_format)

    def computed(self, num_format: str = "General", align: str = "center", **extra: Any) -> Format:
        props: dict[str, Any] = {"border": 1, "align": align, "num_format": num_format, "hidden": True,
                                 "text_wrap": True}
        props.update(extra)
        return self.get(**props)

    def helper(self) -> Format:
        return self.get(hidden=True, font_size=9, font_color="#808080", bg_color=HELPER_FILL)

    def side(self, num_format: str = "General", editable: bool = False) -> Format:
        """Cells beside the printed form (偏差率, 定性评分, the subtotal panel)."""
        if editable:
            return self.get(border=1, align="center", num_format=num_format, locked=False,
                            bg_color=INPUT_FILL, font_size=9)
        return self.get(border=1, align="center", num_format=num_format, hidden=True, font_size=9,
                        font_color="#404040", text_wrap=True)

    def side_head(self) -> Format:
        return self.get(border=1, align="center", text_wrap=True, font_size=9, bold=True,
                        bg_color=HELPER_FILL)
