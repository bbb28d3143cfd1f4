"""The Word documents of the exports, as a government report sets them out: said once for every
form kind's report section (:attr:`perfeval_xl.kinds.FormKind.write_report`).

The text in 仿宋 三号 on a fixed 28-point line, headings 黑体 / 楷体 / 仿宋加粗 三号, titles 小标宋 二号,
everything black (GB/T 9704 for 党政机关公文); A4 portrait for the analysis, the form's table on a
landscape page of its own in 宋体 小五. A document is saved under a temporary name and renamed
when complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..atomic import atomic_output
from ..findings import Finding

# How the section looks: a government report's conventions (GB/T 9704 for 党政机关公文): the
# text in 仿宋 三号 on a fixed 28-point line, headings 黑体 / 楷体 / 仿宋加粗 三号, titles 小标宋 二号,
# everything black; A4 portrait, the 自评表 on a landscape page of its own in 宋体 小五, so that a
# typical form's table fits on that one page.
FONTS = {  # role: (East Asian font, size in points, bold)
    "title": ("方正小标宋简体", 22, False),
    "subtitle": ("楷体", 16, False),
    "heading1": ("黑体", 16, False),
    "heading2": ("楷体", 16, False),
    "heading3": ("仿宋", 16, True),
    "body": ("仿宋", 16, False),
    "table": ("宋体", 9, False),
    "table_head": ("黑体", 9, False),
    "note": ("仿宋", 12, False),
}
LINE_SPACING = 28  # points, exactly
PORTRAIT_MARGINS = (3.7, 3.5, 2.8, 2.6)  # cm: top, bottom, left, right (GB/T 9704)
LANDSCAPE_MARGINS = (1.5, 1.3, 2.0, 2.0)
HEADINGS = {"heading1": "Heading 1", "heading2": "Heading 2", "heading3": "Heading 3"}
TABLE_STYLE = "表格文字"  # the table's paragraphs: 宋体 小五, single spacing, no indent (empty ones too)


def fonts(target: Any, role: str) -> None:
    """Set a style's or run's fonts: the East Asian and Latin faces, size, weight; black; no theme fonts
    (Word's heading styles name theme fonts, which would win over the faces set here)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    name, size, bold = FONTS[role]
    font = target.font
    font.name = name
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def paragraph_format(layout: Any, indent: bool, align: Any = None) -> None:
    """A paragraph's spacing and indent (``layout``: its paragraph_format)."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(LINE_SPACING)
    layout.space_before = Pt(0)
    layout.space_after = Pt(0)
    layout.first_line_indent = Pt(2 * FONTS["body"][1]) if indent else Pt(0)
    if align is not None:
        layout.alignment = align


def styles(document: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    normal = document.styles["Normal"]
    fonts(normal, "body")
    paragraph_format(normal.paragraph_format, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for role, name in HEADINGS.items():
        style = document.styles[name]
        fonts(style, role)
        paragraph_format(style.paragraph_format, indent=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        style.paragraph_format.keep_with_next = True
    fonts(document.styles["List Bullet"], "note")
    table = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table.base_style = normal
    fonts(table, "table")
    table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table.paragraph_format.first_line_indent = Pt(0)
    table.paragraph_format.space_before = table.paragraph_format.space_after = Pt(0)


def section(page: Any, landscape: bool) -> None:
    """A section's page: A4, portrait or landscape, with the margins of a government report."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    width, height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
    page.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = width, height
    top, bottom, left, right = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    page.top_margin, page.bottom_margin = Cm(top), Cm(bottom)
    page.left_margin, page.right_margin = Cm(left), Cm(right)


def text(document: Any, words: str, role: str, align: Any = None, indent: bool = True) -> Any:
    """A paragraph of ``words`` in the font of ``role``."""
    paragraph = document.add_paragraph()
    paragraph_format(paragraph.paragraph_format, indent, align)
    run = paragraph.add_run(words)
    fonts(run, role)
    return paragraph


def element(tag: str) -> Any:
    from docx.oxml import OxmlElement

    return OxmlElement(tag)


def merged_runs(spans: list[tuple[int, str, str]], key: Callable[[tuple[int, str, str]], object],
          col: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges over consecutive rows with the same key, in column ``col``."""
    out = []
    start = 0
    for i in range(1, len(spans) + 1):
        if i == len(spans) or key(spans[i]) != key(spans[start]):
            if i - start > 1:
                out.append((spans[start][0], col, spans[i - 1][0], col))
            start = i
    return out




def problems_page(document: Any, problems: Sequence[Finding]) -> None:
    """What still needs fixing, on a portrait page of its own (not for pasting into the report)."""
    from docx.enum.section import WD_SECTION

    if not problems:
        return
    section(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)
    document.add_heading("提交前请处理的问题（本节不要粘贴进报告）", level=1)
    for finding in problems:
        paragraph = document.add_paragraph(finding.render_typed(), style="List Bullet")
        paragraph_format(paragraph.paragraph_format, indent=False)


def save(document: Any, dest: Path) -> Path:
    """Save ``document`` to ``dest`` (written beside it and renamed when complete)."""
    with atomic_output(dest) as temporary:
        document.save(str(temporary))
    return dest
