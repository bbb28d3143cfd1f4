"""The table of the 评分表 form: one row per 三级指标, 一级/二级 merged down, the score of each
row by its method, the inputs beside the table for rows scored against a target, and each row's
helpers on the hidden 计算 sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from xlsxwriter.utility import xl_col_to_name

from ... import display
from ...form.addresses import CALC_SHEET, cell
from ...form.recording import RecordingSheet
from ...form.styles import SCORE, Styles
from ...form.textfit import row_height
from ..self.formulas import RowFormulas
from ..self.indicators import (
    HELPER_HEADERS,
    PROMPT_LIMIT,
    TEMPLATE_ROW,
    Validations,
    actual_format,
    band_guidance,
    rating_guidance,
    row_templates,
)
from ..self.layout import Col
from ..self.plan import FormPlan
from .formulas import JudgementRowFormulas, RateRowFormulas, TargetRowFormulas, target_counted
from .layout import COLUMN_WIDTHS, HEADERS, SIDE_HEADERS, ECol, EvaluationLayout
from .plan import EvaluationPlan, PlannedRow
from .profile import FUND_FIELDS
from .spec import JUDGEMENT, RULE

OWN_HELPER_HEADERS = {ECol.COUNTED: "counted score", ECol.BASIS_MISSING: "basis missing"}
RATE_PERCENT = "0.0%"


@dataclass
class _TargetRows:
    """What :func:`perfeval_xl.kinds.self.indicators.row_templates` needs of a plan: the 自评表's row
    formulas as templates, built once per form, here pointed at the 评分表's cells."""

    mode: str = "native"
    row_templates: dict[tuple[str, bool], Any] = field(default_factory=dict)

    def row_formulas(self, row: int) -> RowFormulas:
        return TargetRowFormulas(row)


def write_table(sheet: RecordingSheet, calc: RecordingSheet, plan: EvaluationPlan, styles: Styles) -> None:
    """The table on the 评分表; each row's helpers on the 计算 sheet, in the same row."""
    layout = plan.layout
    head = layout.table_header
    for col, title in HEADERS.items():
        sheet.write(head, col, title, styles.label(bold=True))
    for col, title in SIDE_HEADERS.items():
        sheet.write(head, col, title, styles.side_head())
    for col, title in {**HELPER_HEADERS, **OWN_HELPER_HEADERS}.items():
        calc.write(head, col, title, styles.helper())
    calc.set_column(0, Col.LAST, 12)
    sheet.set_row(head, 30)
    for col, spans in ((ECol.LEVEL1, layout.level1_spans), (ECol.LEVEL2, layout.level2_spans)):
        for text, first, last in spans:
            if last > first:
                sheet.merge_range(first, col, last, col, text, styles.label())
            else:
                sheet.write(first, col, text, styles.label())
    single = {first for spans in (layout.level1_spans, layout.level2_spans) for _, first, last in spans
              if first == last}
    targets = _TargetRows()
    validations = Validations()
    for planned in plan.rows:
        _write_row(sheet, calc, planned, plan, styles, targets)
        _validations(validations, planned, plan)
        # not a fixed height: the row grows when a longer 得分依据 is typed
        sheet.set_row_growing(planned.row, table_row_height(planned.cells, planned.row in single))
    validations.write(sheet)
    _conditional_formats(sheet, layout, styles)


TEXT_COLUMNS = (ECol.NAME, ECol.CRITERIA, ECol.BASIS, ECol.TARGET, ECol.ACTUAL)


def table_row_height(cells: dict[int, object], levels: bool) -> float:
    """Height (points) of a table row for the text in its wrapped cells (with its 一级/二级 names
    when no other row shares their merged cells)."""
    columns = TEXT_COLUMNS + ((ECol.LEVEL1, ECol.LEVEL2) if levels else ())
    # a tenth more than textfit's estimate: several lines of CJK text at 10 points (the 评分标准) take
    # a little more than its 12.5 points a line when LibreOffice prints them, and clip otherwise
    return 1.1 * row_height([(str(cells.get(col) or ""), COLUMN_WIDTHS[col]) for col in columns], minimum=18)


def fit_table_rows(ws: Any, layout: EvaluationLayout) -> None:
    """Make every table row of a filled form (an openpyxl worksheet) at least as tall as its text
    needs: for the exports (a file saved by a program keeps the blank form's heights, and
    LibreOffice, printing it, does not fit rows to their text)."""
    for place in layout.rows:
        cells = {col: ws.cell(place.row + 1, col + 1).value for col in TEXT_COLUMNS}
        dimension = ws.row_dimensions[place.row + 1]
        dimension.height = max(float(dimension.height or 15), table_row_height(cells, levels=False))


def _write_value(sheet: RecordingSheet, row: int, col: int, value: object, fmt: object) -> None:
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt)
    elif value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _write_row(sheet: RecordingSheet, calc: RecordingSheet, planned: PlannedRow, plan: EvaluationPlan,
               styles: Styles, targets: _TargetRows) -> None:
    r, cells, inputs = planned.row, planned.cells, planned.inputs
    number = str(r + 1)
    for col in (ECol.NAME, ECol.CRITERIA, ECol.BASIS):
        align = "center" if col == ECol.NAME else "left"
        _write_value(sheet, r, col, cells.get(col), styles.text(col in inputs, align=align))
    _write_value(sheet, r, ECol.WEIGHT, cells.get(ECol.WEIGHT), styles.number("General", ECol.WEIGHT in inputs))
    side_blank = styles.side()
    helper = styles.helper()
    row_calc = dict(planned.calc)
    if planned.method == JUDGEMENT:
        _write_value(sheet, r, ECol.SCORE, cells.get(ECol.SCORE), styles.number(SCORE, editable=True))
        for col in (ECol.TARGET, ECol.ACTUAL, ECol.QSCORE):
            sheet.write_blank(r, col, None, side_blank)
        judged = JudgementRowFormulas(r)
        formulas = {ECol.COUNTED: judged.counted(), Col.STATE: judged.state(),
                    ECol.BASIS_MISSING: judged.basis_missing()}
    elif planned.method == RULE:
        rate = plan.rules.rates[planned.place.rule or ""]
        rated = RateRowFormulas(r, plan.layout.fund_cell(rate.amount), plan.layout.fund_cell(rate.base))
        sheet.write_formula(r, ECol.SCORE, rated.score(), styles.computed(SCORE), planned.sheet[ECol.SCORE])
        sheet.write(r, ECol.TARGET, f"{FUND_FIELDS[rate.amount]}÷{FUND_FIELDS[rate.base]}", styles.side())
        sheet.write_formula(r, ECol.ACTUAL, rated.rate(), styles.side(RATE_PERCENT), planned.sheet[ECol.ACTUAL])
        sheet.write_blank(r, ECol.QSCORE, None, side_blank)
        formulas = {ECol.COUNTED: rated.counted(), Col.STATE: rated.state()}
    else:
        (score, _), helpers = row_templates(cast(FormPlan, targets), editable_target=False)
        sheet.write_formula(r, ECol.SCORE, score.replace(TEMPLATE_ROW, number), styles.computed(SCORE),
                            planned.sheet[ECol.SCORE])
        sheet.write(r, ECol.TARGET, cells[ECol.TARGET], styles.side())
        _write_value(sheet, r, ECol.ACTUAL, cells.get(ECol.ACTUAL),
                     styles.number(actual_format(planned.target), editable=True))
        if ECol.QSCORE in inputs:
            _write_value(sheet, r, ECol.QSCORE, cells.get(ECol.QSCORE), styles.side("0.00", editable=True))
        else:
            sheet.write_blank(r, ECol.QSCORE, None, side_blank)
        formulas = {col: template.replace(TEMPLATE_ROW, number) for col, template in helpers}
        formulas[ECol.COUNTED] = target_counted(r)
    for col, formula in formulas.items():
        calc.write_formula(r, col, formula, helper, row_calc.pop(col))
    for col, value in row_calc.items():  # literals: the framework's levels, a declared target's parts
        _write_value(calc, r, col, value, helper)


def _validations(validations: Validations, planned: PlannedRow, plan: EvaluationPlan) -> None:
    r, res = planned.row, planned.result
    rules = plan.rules
    weight = res.weight
    shown = display.number(weight) if weight is not None else "本行分值"
    if planned.method == JUDGEMENT:
        below = "；得分低于分值时请在“得分依据”中写明扣分理由" if rules.basis_below_full else ""
        if planned.allowed:
            listed = "、".join(f"{label} {display.number(value)}" for label, value in planned.allowed)
            values = ",".join(dict.fromkeys(display.number(value) for _, value in planned.allowed))
            validations.data_validation(r, ECol.SCORE, r, ECol.SCORE, {
                "validate": "list", "source": f'"{values}"',
                "input_title": "得分（按评分标准）", "input_message": _prompt(f"按评分标准取值：{listed}{below}。"),
                "error_title": "得分不是评分标准所列的分值",
                "error_message": _prompt(f"本行评分标准只允许这些得分：{listed}。如评分标准有误，请联系制表单位。"),
            })
        else:
            limit: object = _number(weight) if weight is not None else f"={cell(r, ECol.WEIGHT, True)}"
            validations.data_validation(r, ECol.SCORE, r, ECol.SCORE, {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": limit,
                "input_title": "得分", "input_message": _prompt(f"按评分标准在 0 至 {shown} 分之间评分{below}。"),
                "error_title": "得分超出分值",
                "error_message": f"得分须为 0 到 {shown} 之间的数字（可保留两位小数）。",
            })
    elif planned.method != RULE:
        target = planned.target
        assert target is not None
        if target.qualitative:
            labels = " / ".join(plan.params.band_label)
            validations.data_validation(r, ECol.ACTUAL, r, ECol.ACTUAL, {
                "validate": "list", "source": "=pe_p_band_label",
                "input_title": "评价档次", "input_message": rating_guidance(rules.target_rules),
                "error_title": "请选择评价档次", "error_message": _prompt(f"定性指标的实际完成值只能是：{labels}"),
            })
            validations.data_validation(r, ECol.QSCORE, r, ECol.QSCORE, {
                "validate": "custom", "value": TargetRowFormulas(r).qscore_valid(),
                "input_title": "定性评分（可选）", "input_message": band_guidance(rules.target_rules),
                "error_title": "评分不在档次区间内",
                "error_message": "请先选择评价档次，再在该档次的分值区间内给分（区间见本列的提示）。",
            })
        else:
            if target.is_percent:
                hint = "填写百分比，如 95%（输入 95% 或 0.95 均可）。"
            elif target.unit:
                hint = f"填写数值，单位为“{target.unit}”（只填数字，如 {display.number(target.value)}）。"
            else:
                hint = "填写数值。"
            validations.data_validation(r, ECol.ACTUAL, r, ECol.ACTUAL, {
                "validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                "input_title": "实际完成值", "input_message": f"{hint}得分按年度指标值 {target.text} 计算。",
                "error_title": "实际完成值须为数字",
                "error_message": "请只填写数字（单位已在格式中显示），不要写“约”“余”等文字。",
            })
    validations.data_validation(r, ECol.BASIS, r, ECol.BASIS, {
        "validate": "length", "criteria": "<=", "value": 1000,
        "input_title": "得分依据", "input_message": "写明评分的依据（数据来源、核查情况）；得分低于分值时写明扣分理由。",
        "error_title": "文字过长", "error_message": "请控制在 1000 字以内。",
    })
    if ECol.WEIGHT in planned.inputs:
        full = display.number(rules.total_points)
        validations.data_validation(r, ECol.WEIGHT, r, ECol.WEIGHT, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": _number(rules.total_points),
            "input_title": "分值", "input_message": f"该指标的分值（0–{full}），各指标分值合计应为 {full}。",
            "error_title": "分值不正确", "error_message": f"分值须为 0 到 {full} 之间的数字。",
        })
    for col, what in ((ECol.NAME, "三级指标"), (ECol.CRITERIA, "评分标准")):
        if col in planned.inputs:
            validations.data_validation(r, col, r, col, {
                "validate": "length", "criteria": "<=", "value": 1000,
                "input_title": what, "input_message": f"填写{what}。",
                "error_title": "文字过长", "error_message": "请控制在 1000 字以内。",
            })


def _number(value: Decimal) -> int | float:
    """A number as a validation limit is best written: 2, not 2.0."""
    return int(value) if value == value.to_integral_value() else float(value)


def _prompt(text: str) -> str:
    return text if len(text) <= PROMPT_LIMIT else text[:PROMPT_LIMIT - 1] + "…"


def _conditional_formats(sheet: RecordingSheet, layout: EvaluationLayout, styles: Styles) -> None:
    first, last = layout.first_row, layout.last_row_of_table
    wb = styles.workbook

    def rng(col: int) -> str:
        return f"{cell(first, col)}:{cell(last, col)}"

    def row_relative(col: int, sheet_name: str | None = None) -> str:
        prefix = f"{sheet_name}!" if sheet_name else ""
        return f"{prefix}${xl_col_to_name(col)}{first + 1}"

    pink = wb.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
    invalid = wb.add_format({"bg_color": "#FFC7CE"})
    below = wb.add_format({"font_color": "#C00000", "bold": True})
    state = row_relative(Col.STATE, CALC_SHEET)
    f, d = row_relative(ECol.SCORE), row_relative(ECol.WEIGHT)
    sheet.conditional_format(rng(ECol.SCORE), {"type": "formula", "criteria": f"={state}=\"out-of-range\"",
                                               "format": invalid})
    sheet.conditional_format(rng(ECol.SCORE), {"type": "formula",
                                               "criteria": f"=AND(ISNUMBER({f}),ISNUMBER({d}),{f}<{d})",
                                               "format": below})
    sheet.conditional_format(rng(ECol.BASIS), {
        "type": "formula", "criteria": f"={row_relative(ECol.BASIS_MISSING, CALC_SHEET)}=TRUE", "format": pink})
    sheet.conditional_format(rng(ECol.ACTUAL), {"type": "formula", "criteria": f"={state}=\"invalid\"",
                                                "format": invalid})
    sheet.conditional_format(rng(ECol.QSCORE), {"type": "formula", "criteria": f"={state}=\"needs-score\"",
                                                "format": pink})
