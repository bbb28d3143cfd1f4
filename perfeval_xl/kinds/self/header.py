"""The top of the form: title, year, project, departments, and the 年度总体目标 block."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ...form.styles import Styles
from ...form.textfit import row_height
from ...spec import ProjectSpec
from .layout import COLUMN_WIDTHS, Col, FormLayout

TITLE = "项目支出绩效自评表"


def write_header(sheet: Worksheet, layout: FormLayout, styles: Styles, spec: ProjectSpec) -> None:
    """Title, （年度）, 项目名称, 主管部门 / 实施单位."""
    sheet.set_row(layout.title, 26)
    sheet.merge_range(layout.title, Col.BLOCK, layout.title, Col.REASON, TITLE, styles.title())
    sheet.set_row(layout.year, 20)
    sheet.merge_range(layout.year, Col.BLOCK, layout.year, Col.REASON, spec.year, styles.year())

    row = layout.project
    sheet.merge_range(row, Col.BLOCK, row, Col.LEVEL1, "项目名称", styles.label())
    sheet.merge_range(row, Col.LEVEL2, row, Col.REASON, spec.project, styles.text(False))
    row = layout.department
    sheet.merge_range(row, Col.BLOCK, row, Col.LEVEL1, "主管部门", styles.label())
    sheet.merge_range(row, Col.LEVEL2, row, Col.TARGET, spec.department, styles.text(not spec.department))
    sheet.merge_range(row, Col.ACTUAL, row, Col.WEIGHT, "实施单位", styles.label())
    sheet.merge_range(row, Col.SCORE, row, Col.REASON, spec.unit, styles.text(not spec.unit))
    width_dept = sum(COLUMN_WIDTHS[c] for c in (Col.LEVEL2, Col.NAME, Col.TARGET))
    width_unit = COLUMN_WIDTHS[Col.SCORE] + COLUMN_WIDTHS[Col.REASON]
    sheet.set_row(row, row_height([(spec.department, width_dept), (spec.unit, width_unit)]))


def write_goals(sheet: Worksheet, layout: FormLayout, styles: Styles, spec: ProjectSpec) -> None:
    """年度总体目标: 预期目标 | 实际完成情况, one row of free text under each (inputs)."""
    head, text = layout.goals_header, layout.goals_text
    sheet.merge_range(head, Col.BLOCK, text, Col.LEVEL1, "年度总体目标", styles.label())
    sheet.merge_range(head, Col.LEVEL2, head, Col.TARGET, "预期目标", styles.label())
    sheet.merge_range(head, Col.ACTUAL, head, Col.REASON, "实际完成情况", styles.label())
    expected_width = sum(COLUMN_WIDTHS[c] for c in (Col.LEVEL2, Col.NAME, Col.TARGET))
    actual_width = sum(COLUMN_WIDTHS[c] for c in range(Col.ACTUAL, Col.REASON + 1))
    sheet.merge_range(text, Col.LEVEL2, text, Col.TARGET, spec.goal_expected, styles.text(True))
    sheet.merge_range(text, Col.ACTUAL, text, Col.REASON, spec.goal_actual, styles.text(True))
    sheet.set_row(text, row_height([(spec.goal_expected, expected_width),
                                    (spec.goal_actual, actual_width)], minimum=36))
    for col in (Col.LEVEL2, Col.ACTUAL):
        sheet.data_validation(text, col, text, col, {
            "validate": "length", "criteria": "<=", "value": 2000,
            "input_title": "年度总体目标",
            "input_message": "填写年度总体目标的预期目标和实际完成情况（文字）。",
            "error_title": "文字过长", "error_message": "请控制在 2000 字以内。",
        })
