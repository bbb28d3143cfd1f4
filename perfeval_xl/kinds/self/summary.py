"""The bottom of the form (总分, 评价等级, 填报状态) and the 分项得分 panel beside it."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ...form.addresses import cell
from ...form.styles import SCORE, Styles
from .formulas import STATUS_PARTS, ProjectFormulas
from .layout import Col
from .plan import FormPlan

GRADE_COLOURS = {"优": "#C6EFCE", "良": "#DDEBF7", "中": "#FFEB9C", "差": "#FFC7CE"}


def write_summary(sheet: Worksheet, calc: Worksheet, plan: FormPlan, styles: Styles) -> None:
    layout, values = plan.layout, plan.project
    f = plan.project_formulas()

    row = layout.total
    sheet.merge_range(row, Col.BLOCK, row, Col.ACTUAL, "总分", styles.label(bold=True))
    sheet.write_formula(row, Col.WEIGHT, f.weight_total(), styles.computed(bold=True), values["weight_total"])
    sheet.write_formula(row, Col.SCORE, f.total(), styles.computed(SCORE, bold=True), values["total"])
    sheet.write_blank(row, Col.REASON, None, styles.label())
    sheet.set_row(row, 22)

    row = layout.grade
    sheet.merge_range(row, Col.BLOCK, row, Col.ACTUAL, "评价等级", styles.label(bold=True))
    sheet.merge_range(row, Col.WEIGHT, row, Col.REASON, "", styles.computed(bold=True))
    sheet.write_formula(row, Col.WEIGHT, f.grade(), styles.computed(bold=True), values["grade"])
    sheet.set_row(row, 22)

    row = layout.status
    sheet.merge_range(row, Col.BLOCK, row, Col.LEVEL1, "填报状态", styles.label())
    sheet.merge_range(row, Col.LEVEL2, row, Col.REASON, "", styles.computed(align="left"))
    sheet.write_formula(row, Col.LEVEL2, f.status(), styles.computed(align="left"), values["status"])
    calc.write_formula(row, STATUS_PARTS, f.status_parts(), styles.helper(), values["status_parts"])
    sheet.set_row(row, 30)

    _conditional_formats(sheet, plan, styles)
    _panel(sheet, plan, styles, f)


def _conditional_formats(sheet: Worksheet, plan: FormPlan, styles: Styles) -> None:
    layout = plan.layout
    wb = styles.workbook
    grade = cell(layout.grade, Col.WEIGHT, True)
    for label, colour in GRADE_COLOURS.items():
        fmt = wb.add_format({"bg_color": colour})
        for target in (cell(layout.total, Col.SCORE), f"{cell(layout.grade, Col.WEIGHT)}:"
                       f"{cell(layout.grade, Col.REASON)}"):
            sheet.conditional_format(target, {"type": "formula", "criteria": f"={grade}=\"{label}\"",
                                              "format": fmt})
    status = cell(layout.status, Col.LEVEL2, True)
    done = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
    todo = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
    target = f"{cell(layout.status, Col.LEVEL2)}:{cell(layout.status, Col.REASON)}"
    sheet.conditional_format(target, {"type": "formula", "criteria": f"={status}=\"已填写完整\"", "format": done})
    sheet.conditional_format(target, {"type": "formula", "criteria": f"={status}<>\"已填写完整\"", "format": todo})


def _panel(sheet: Worksheet, plan: FormPlan, styles: Styles, f: ProjectFormulas) -> None:
    """分项得分 beside the funds block: execution score, each block's subtotal, the total."""
    layout, values = plan.layout, plan.project
    row = layout.panel_first
    head, fmt = styles.side_head(), styles.side(SCORE)
    sheet.write(row, Col.DEVIATION, "分项", head)
    sheet.write(row, Col.QSCORE, "得分", head)
    row += 1
    sheet.write_formula(row, Col.DEVIATION, f'="预算执行率（"&{cell(layout.funds["total"], Col.WEIGHT)}&"分）"',
                        styles.side(), f"预算执行率（{_text(float(plan.funds.weight))}分）")
    sheet.write_formula(row, Col.QSCORE, f"={cell(layout.funds['total'], Col.REASON)}", fmt,
                        values["exec_score"])
    for index, (name, levels) in enumerate(plan.blocks):
        row += 1
        sheet.write_formula(row, Col.DEVIATION, f.block_label(name, levels), styles.side(),
                            values[f"block_label_{index}"])
        sheet.write_formula(row, Col.QSCORE, f.block_score(levels), fmt, values[f"block_score_{index}"])
    row += 1
    sheet.write(row, Col.DEVIATION, "合计", styles.side())
    sheet.write_formula(row, Col.QSCORE, "=pe_total", fmt, values["total"])


def _text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
