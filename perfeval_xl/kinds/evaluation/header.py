"""The top of the 评分表 form: title, （年度）, 项目名称 and 评价方式, 主管部门 and 实施单位, and the
项目资金 block (预算资金, 实际到位资金, 执行数: typed amounts, each read on the 计算 sheet)."""

from __future__ import annotations

from ...form.recording import RecordingSheet
from ...form.styles import AMOUNT, Styles
from ...form.textfit import row_height
from . import formulas
from .layout import COLUMN_WIDTHS, FUND_SPANS, FUND_TEXT_COLUMNS, ECol
from .plan import EvaluationPlan
from .profile import FUND_FIELDS

TITLE = "项目支出绩效评分表"

AMOUNT_VALIDATION = {
    "validate": "decimal", "criteria": ">=", "value": 0,
    "input_title": "金额（万元）",
    "input_message": "填写以万元为单位的金额，如 2154.81。资金到位率、预算执行率的得分按金额计算。",
    "error_title": "金额不正确", "error_message": "金额须为不小于 0 的数字（单位：万元），不要带“万元”等文字。",
}


def _merge(sheet: RecordingSheet, row: int, first: int, last: int, value: object, fmt: object) -> None:
    if last > first:
        sheet.merge_range(row, first, row, last, value, fmt)
    else:
        sheet.write(row, first, value, fmt)


def write_header(sheet: RecordingSheet, plan: EvaluationPlan, styles: Styles) -> None:
    """Title, year, project and 评价方式, departments."""
    layout, spec = plan.layout, plan.spec
    last = ECol.LAST_PRINTED
    sheet.set_row(layout.title, 26)
    sheet.merge_range(layout.title, ECol.LEVEL1, layout.title, last, TITLE, styles.title())
    sheet.set_row(layout.year, 20)
    sheet.merge_range(layout.year, ECol.LEVEL1, layout.year, last, spec.year, styles.year())

    value_width = sum(COLUMN_WIDTHS[c] for c in (ECol.NAME, ECol.WEIGHT, ECol.CRITERIA))
    rows = ((layout.project, "项目名称", spec.project, "评价方式", spec.evaluation_type),
            (layout.department, "主管部门", spec.department, "实施单位", spec.unit))
    for row, label, value, label2, value2 in rows:
        sheet.merge_range(row, ECol.LEVEL1, row, ECol.LEVEL2, label, styles.label())
        sheet.merge_range(row, ECol.NAME, row, ECol.CRITERIA, value, styles.text(not value))
        sheet.write(row, ECol.SCORE, label2, styles.label())
        sheet.write(row, ECol.BASIS, value2, styles.text(not value2))
        sheet.set_row(row, row_height([(value, value_width), (value2, COLUMN_WIDTHS[ECol.BASIS])]))
    if not spec.evaluation_type:
        sheet.data_validation(layout.project, ECol.BASIS, layout.project, ECol.BASIS, {
            "validate": "list", "source": "=pe_e_types",
            "input_title": "评价方式", "input_message": "选择本评分表的评价方式。",
            "error_title": "评价方式", "error_message": "请从下拉列表中选择评价方式。",
        })


def write_funds(sheet: RecordingSheet, calc: RecordingSheet, plan: EvaluationPlan, styles: Styles) -> None:
    """项目资金（万元）: a row of labels and a row of amounts; each amount read on 计算."""
    layout, funds = plan.layout, plan.held.funds
    head, row = layout.funds_header, layout.funds_values
    sheet.merge_range(head, ECol.LEVEL1, row, ECol.LEVEL2, "项目资金\n（万元）", styles.label())
    helper = styles.helper()
    for key, label in FUND_FIELDS.items():
        first, last = FUND_SPANS[key]
        _merge(sheet, head, first, last, label, styles.label())
        amount = getattr(funds, key)
        _merge(sheet, row, first, last, None if amount is None else float(amount),
               styles.number(AMOUNT, editable=True))
        sheet.data_validation(row, first, row, first, AMOUNT_VALIDATION)
        # the amount as read: the form is written with numbers, so the cached text is "" and the
        # amount the number itself
        calc.write_formula(row, FUND_TEXT_COLUMNS[key], formulas.amount_text(row, key), helper, "")
        calc.write_formula(row, first, formulas.amount(row, key), helper,
                           "" if amount is None else float(amount))
    sheet.set_row(head, 20)
    sheet.set_row(row, 20)
