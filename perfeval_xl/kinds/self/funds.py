"""The 项目资金（万元） block: three funding rows typed by the official, the 年度资金总额
row computed from them, and the budget execution rate and score. Each typed amount is read
on the hidden 计算 sheet, in the same cell: a number, or a text with a unit of money
("87.65万元", "876500元") converted to 万元, or "#" when it is not an amount."""

from __future__ import annotations

from decimal import Decimal

from xlsxwriter.worksheet import Worksheet

from ...form.styles import AMOUNT, PERCENT, SCORE, Styles
from ...form.textfit import row_height
from .layout import COLUMN_WIDTHS, FUND_COLUMNS, FUND_RATE, FUND_SCORE, FUND_TEXT_COLUMNS, FUND_WEIGHT, Col
from .plan import FormPlan

ROW_LABELS = {"total": "年度资金总额", "fiscal": "其中：当年财政拨款", "carryover": "上年结转资金",
              "other": "其他资金"}
HEADERS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")

AMOUNT_VALIDATION = {
    "validate": "decimal", "criteria": ">=", "value": 0,
    "input_title": "金额（万元）",
    "input_message": "填写以万元为单位的金额，如 87.65。年度资金总额按三行之和自动计算。",
    "error_title": "金额不正确", "error_message": "金额须为不小于 0 的数字（单位：万元），不要带“万元”等文字。",
}


def write_funds(sheet: Worksheet, calc: Worksheet, plan: FormPlan, styles: Styles) -> None:
    layout, values = plan.layout, plan.project
    f = plan.project_formulas()
    head = layout.funds_header
    last = layout.funds["other"]
    sheet.merge_range(head, Col.BLOCK, last, Col.LEVEL1, "项目资金\n（万元）", styles.label())
    sheet.write_blank(head, Col.LEVEL2, None, styles.label())
    for offset, title in enumerate(HEADERS):
        sheet.write(head, Col.NAME + offset, title, styles.label())
    sheet.set_row(head, 20)

    total = layout.funds["total"]
    sheet.write(total, Col.LEVEL2, ROW_LABELS["total"], styles.label())
    for key, col in FUND_COLUMNS.items():
        sheet.write_formula(total, col, f.fund_sum(col), styles.computed(AMOUNT), values[f"total_{key}"])
    sheet.write_number(total, FUND_WEIGHT, float(plan.funds.weight), styles.label())
    sheet.write_formula(total, FUND_RATE, f.rate(total), styles.computed(PERCENT), values["exec_rate"])
    sheet.write_formula(total, FUND_SCORE, f.exec_score(), styles.computed(SCORE), values["exec_score"])

    label_width = COLUMN_WIDTHS[Col.LEVEL2]
    sheet.set_row(total, row_height([(ROW_LABELS["total"], label_width)]))
    for key in ("fiscal", "carryover", "other"):
        row = layout.funds[key]
        sheet.write(row, Col.LEVEL2, ROW_LABELS[key], styles.label(align="left"))
        sheet.set_row(row, row_height([(ROW_LABELS[key], label_width)]))
        for col_key, col in FUND_COLUMNS.items():
            amount = plan.funds.rows[key][col_key]
            fmt = styles.number(AMOUNT, editable=True)
            if isinstance(amount, (int, float, Decimal)):
                sheet.write_number(row, col, float(amount), fmt)
            else:
                sheet.write_blank(row, col, None, fmt)
            calc.write_formula(row, FUND_TEXT_COLUMNS[col_key], f.amount_text(row, col_key), styles.helper(),
                               values[f"amount_text_{key}_{col_key}"])
            calc.write_formula(row, col, f.amount(row, col_key), styles.helper(), values[f"amount_{key}_{col_key}"])
        sheet.data_validation(row, Col.NAME, row, Col.ACTUAL, AMOUNT_VALIDATION)
        sheet.write(row, FUND_WEIGHT, "—", styles.label())
        sheet.write_formula(row, FUND_RATE, f.rate(row), styles.computed(PERCENT), values[f"rate_{key}"])
        sheet.write(row, FUND_SCORE, "—", styles.label())
