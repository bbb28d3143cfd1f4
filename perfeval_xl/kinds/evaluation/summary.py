"""The bottom of the 评分表 form: a subtotal row per 一级指标, 总分, 评价等级 and 填报状态."""

from __future__ import annotations

from ...form.recording import RecordingSheet
from ...form.styles import SCORE, Styles
from ..self.summary import GRADE_COLOURS
from .formulas import SheetFormulas
from .layout import ECol
from .plan import EvaluationPlan

BLOCK_LABEL = "小计：{name}"


def write_summary(sheet: RecordingSheet, calc: RecordingSheet, plan: EvaluationPlan, styles: Styles) -> None:
    layout, values = plan.layout, plan.values
    f = SheetFormulas(layout)
    label, blank = styles.label(), styles.label()
    for block in layout.blocks:
        row = block.row
        sheet.merge_range(row, ECol.LEVEL1, row, ECol.NAME, BLOCK_LABEL.format(name=block.name), label)
        sheet.write_formula(row, ECol.WEIGHT, f.block_weight(block.level1), styles.computed(),
                            values[f"block_weight:{block.level1}"])
        sheet.write_blank(row, ECol.CRITERIA, None, blank)
        sheet.write_formula(row, ECol.SCORE, f.block_score(block.level1), styles.computed(SCORE),
                            values[f"block_score:{block.level1}"])
        sheet.write_blank(row, ECol.BASIS, None, blank)
        sheet.set_row(row, 20)

    bold = styles.label(bold=True)
    row = layout.total
    sheet.merge_range(row, ECol.LEVEL1, row, ECol.NAME, "总分", bold)
    sheet.write_formula(row, ECol.WEIGHT, f.weight_total(), styles.computed(bold=True), values["weight_total"])
    sheet.write_blank(row, ECol.CRITERIA, None, blank)
    sheet.write_formula(row, ECol.SCORE, f.total(), styles.computed(SCORE, bold=True), values["total"])
    sheet.write_blank(row, ECol.BASIS, None, blank)
    sheet.set_row(row, 22)

    row = layout.grade
    sheet.merge_range(row, ECol.LEVEL1, row, ECol.NAME, "评价等级", bold)
    sheet.merge_range(row, ECol.WEIGHT, row, ECol.BASIS, "", styles.computed(bold=True))
    sheet.write_formula(row, ECol.WEIGHT, f.grade(), styles.computed(bold=True), values["grade"])
    sheet.set_row(row, 22)

    row = layout.status
    sheet.merge_range(row, ECol.LEVEL1, row, ECol.NAME, "填报状态", label)
    sheet.merge_range(row, ECol.WEIGHT, row, ECol.BASIS, "", styles.computed(align="left"))
    sheet.write_formula(row, ECol.WEIGHT, f.status(), styles.computed(align="left"), values["status"])
    calc.write_formula(row, ECol.STATUS_PARTS, f.status_parts(), styles.helper(), values["status_parts"])
    sheet.set_row(row, 30)
    _conditional_formats(sheet, plan, styles)


def _conditional_formats(sheet: RecordingSheet, plan: EvaluationPlan, styles: Styles) -> None:
    """Grade colours on 总分 and 评价等级; the status line green when complete, amber otherwise (as
    the 自评表)."""
    from ...form.addresses import cell

    layout = plan.layout
    wb = styles.workbook
    grade = cell(layout.grade, ECol.WEIGHT, True)
    for label, colour in GRADE_COLOURS.items():
        fmt = wb.add_format({"bg_color": colour})
        for target in (cell(layout.total, ECol.SCORE),
                       f"{cell(layout.grade, ECol.WEIGHT)}:{cell(layout.grade, ECol.BASIS)}"):
            sheet.conditional_format(target, {"type": "formula", "criteria": f"={grade}=\"{label}\"", "format": fmt})
    status = cell(layout.status, ECol.WEIGHT, True)
    done = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
    todo = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
    target = f"{cell(layout.status, ECol.WEIGHT)}:{cell(layout.status, ECol.BASIS)}"
    sheet.conditional_format(target, {"type": "formula", "criteria": f"={status}=\"已填写完整\"", "format": done})
    sheet.conditional_format(target, {"type": "formula", "criteria": f"={status}<>\"已填写完整\"", "format": todo})
