"""The 绩效指标 table: one row per 三级指标, spare rows in every 二级指标, the live
score, deviation and reason check of each row, and its helper columns on the hidden 计算 sheet."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ... import display
from ...form.addresses import cell
from ...form.metadata import encode_cells
from ...form.styles import DEVIATION, SCORE, Styles
from ...form.textfit import row_height
from ...notation import Target
from ...profiles import Band, Rules
from .layout import COLUMN_WIDTHS, SHEET, Col, FormLayout, sheet_of
from .model import Value
from .plan import FormPlan, PlannedRow

HEADERS = {
    Col.LEVEL1: "一级指标", Col.LEVEL2: "二级指标", Col.NAME: "三级指标", Col.TARGET: "年度\n指标值",
    Col.ACTUAL: "实际\n完成值", Col.WEIGHT: "分值", Col.SCORE: "得分", Col.REASON: "偏差原因分析及改进措施",
}
SIDE_HEADERS = {Col.DEVIATION: "偏差率", Col.QSCORE: "定性指标评分\n（可选）"}
HELPER_HEADERS = {
    Col.USED: "used", Col.KIND: "kind", Col.DIRECTION: "direction", Col.TVALUE: "target",
    Col.SCALE: "scale", Col.UNIT: "unit", Col.AVALUE: "actual", Col.RAW: "raw score",
    Col.REASON_REQ: "reason required", Col.REASON_MISSING: "reason missing", Col.STATE: "state",
    Col.L1: "level1", Col.L2: "level2", Col.BAND_LOW: "band low", Col.BAND_HIGH: "band high",
    Col.NORM: "norm", Col.SIGN_LEN: "sign len", Col.SIGN: "sign", Col.NEG: "neg", Col.BODY: "body",
    Col.RUN: "run", Col.NUM: "number", Col.AFTER: "after", Col.PCT: "pct", Col.SUFFIX_LEN: "suffix len",
    Col.UNIT_TAIL: "unit tail", Col.FINAL_SIGN: "final sign", Col.QUAL: "qualitative",
    Col.ANORM: "actual norm", Col.TNORM: "target norm", Col.ABODY: "actual number", Col.APLAIN: "plain number",
    Col.ARAW: "actual as written",
}

NOTATION_HELP = ("写法如 ≥95%、≤420元/次、87.65万元、0次、3500批次；定性指标直接写文字，"
                 "如 达成预期指标、年底前完成。")


def write_indicators(sheet: Worksheet, calc: Worksheet, plan: FormPlan, styles: Styles) -> None:
    """The table on the 自评表; each row's helpers on the 计算 sheet, in the same row."""
    layout = plan.layout
    head = layout.table_header
    last = layout.last_indicator
    sheet.merge_range(head, Col.BLOCK, last, Col.BLOCK, "绩效指标", styles.vertical())
    for col, title in HEADERS.items():
        sheet.write(head, col, title, styles.label())
    for col, title in SIDE_HEADERS.items():
        sheet.write(head, col, title, styles.side_head())
    for col, title in HELPER_HEADERS.items():
        calc.write(head, col, title, styles.helper())
    calc.set_column(Col.FIRST_HIDDEN, Col.LAST, 12)
    sheet.set_row(head, 30)

    for level1, first, end in layout.level1_spans:
        _merge_or_write(sheet, first, end, Col.LEVEL1, level1, styles.label())
    for _, level2, first, end in layout.level2_spans:
        _merge_or_write(sheet, first, end, Col.LEVEL2, level2, styles.label())

    validations = Validations()
    for planned in plan.rows:
        _write_row(sheet, calc, planned, plan, styles, validations)
    _row_validations(validations, plan)
    validations.write(sheet)
    _conditional_formats(sheet, plan, styles)


def _merge_or_write(sheet: Worksheet, first: int, end: int, col: int, text: str, fmt: object) -> None:
    if end > first:
        sheet.merge_range(first, col, end, col, text, fmt)
    else:
        sheet.write(first, col, text, fmt)


def actual_format(target: Target | None) -> str:
    """Number format of the 实际完成值 cell: the target's unit after the number."""
    if target is None or target.qualitative:
        return "General"
    if target.is_percent:
        digits = 0
        text = target.text
        if "." in text:
            digits = len(text.split(".", 1)[1].split("%")[0].rstrip("以上下内"))
        return "0." + "0" * max(1, min(digits, 4)) + "%"
    unit = target.unit
    if unit and '"' not in unit and "\\" not in unit:
        return f'General"{unit}"'
    return "General"


def _write_row(sheet: Worksheet, calc: Worksheet, planned: PlannedRow, plan: FormPlan, styles: Styles,
               validations: Validations) -> None:
    r = planned.row
    inp, values = planned.input, planned.values
    editable_target = not planned.locked_target

    # inputs and declared values
    sheet.write(r, Col.NAME, inp.name or "", styles.text(not planned.locked_name))
    target_fmt = styles.text(editable_target, align="center")
    if isinstance(inp.target, float):
        sheet.write_number(r, Col.TARGET, inp.target, target_fmt)
    else:
        sheet.write(r, Col.TARGET, inp.target or "", target_fmt)
    fmt_actual = styles.number(actual_format(planned.target), editable=True)
    if isinstance(inp.actual, float):
        sheet.write_number(r, Col.ACTUAL, inp.actual, fmt_actual)
    elif inp.actual is None:
        sheet.write_blank(r, Col.ACTUAL, None, fmt_actual)
    else:
        sheet.write_string(r, Col.ACTUAL, str(inp.actual), fmt_actual)
    weight_fmt = styles.number("General", editable=not planned.locked_weight)
    if isinstance(inp.weight, float):
        sheet.write_number(r, Col.WEIGHT, inp.weight, weight_fmt)
    else:
        sheet.write_blank(r, Col.WEIGHT, None, weight_fmt)
    sheet.write(r, Col.REASON, inp.reason or "", styles.text(True))
    qfmt = styles.side("0.00", editable=True)
    if isinstance(inp.qscore, float):
        sheet.write_number(r, Col.QSCORE, inp.qscore, qfmt)
    else:
        sheet.write_blank(r, Col.QSCORE, None, qfmt)

    # computed cells: the row's formulas are the form's templates with this row's number
    main_formulas, helper_formulas = row_templates(plan, editable_target)
    number = str(r + 1)
    score, deviation = (t.replace(TEMPLATE_ROW, number) for t in main_formulas)
    sheet.write_formula(r, Col.SCORE, score, styles.computed(SCORE), values[Col.SCORE])
    sheet.write_formula(r, Col.DEVIATION, deviation, styles.side(DEVIATION), values[Col.DEVIATION])
    helper = styles.helper()
    for col, template in helper_formulas:
        calc.write_formula(r, col, template.replace(TEMPLATE_ROW, number), helper, values[col])
    literal_cols = [Col.L1, Col.L2]
    if not editable_target:
        literal_cols += [Col.KIND, Col.DIRECTION, Col.TVALUE, Col.SCALE, Col.UNIT, Col.TNORM]
    for col in literal_cols:
        _write_literal(calc, r, col, values[col], helper)

    _validations(validations, planned, plan)
    # not a fixed height: the row grows when longer text is typed (官员 write the reasons later)
    sheet.set_row_growing(r, indicator_row_height(inp.name, inp.target, inp.actual, inp.reason,
                                                  declared=planned.place.spec_index is not None))


# The row number the templates are written for: one no form has, replaced by each row's own.
TEMPLATE_ROW = "987654"


def row_templates(plan: FormPlan, editable_target: bool) -> tuple[tuple[str, str], tuple[tuple[int, str], ...]]:
    """The formulas of an indicator row as templates (row TEMPLATE_ROW): (得分, 偏差率) on the
    自评表 and (column, formula) on the 计算 sheet. Every row has the same formulas but for its
    number, so they are built once per form and mode."""
    key = (plan.mode, editable_target)
    cache = plan.row_templates
    if key not in cache:
        f = plan.row_formulas(int(TEMPLATE_ROW) - 1)
        makers: dict[int, Callable[[], str]] = {
            Col.USED: f.used, Col.AVALUE: f.avalue, Col.RAW: f.raw, Col.REASON_REQ: f.reason_required,
            Col.REASON_MISSING: f.reason_missing, Col.STATE: f.state, Col.BAND_LOW: f.band_low,
            Col.BAND_HIGH: f.band_high, Col.ANORM: f.anorm, Col.ABODY: f.abody, Col.APLAIN: f.aplain,
            Col.ARAW: f.araw,
        }
        if editable_target:
            makers.update({
                Col.NORM: f.norm, Col.SIGN_LEN: f.sign_len, Col.SIGN: f.sign, Col.NEG: f.neg, Col.BODY: f.body,
                Col.RUN: f.run, Col.NUM: f.num, Col.AFTER: f.after, Col.PCT: f.pct,
                Col.SUFFIX_LEN: f.suffix_len, Col.UNIT_TAIL: f.unit_tail, Col.FINAL_SIGN: f.final_sign,
                Col.QUAL: f.qual, Col.KIND: f.kind, Col.TVALUE: f.tvalue, Col.SCALE: f.scale,
                Col.UNIT: f.unit, Col.DIRECTION: f.direction, Col.TNORM: f.tnorm_editable,
            })
        cache[key] = ((f.score(), f.deviation()), tuple((col, make()) for col, make in makers.items()))
    return cache[key]  # type: ignore[no-any-return]


def indicator_row_height(name: object, target: object, actual: object, reason: object, declared: bool) -> float:
    """Height (points) of an indicator row for the text in its wrapped cells."""
    texts = [(str(name or ""), COLUMN_WIDTHS[Col.NAME]), (str(target or ""), COLUMN_WIDTHS[Col.TARGET]),
             (str(reason or ""), COLUMN_WIDTHS[Col.REASON]), (str(actual or ""), COLUMN_WIDTHS[Col.ACTUAL])]
    return row_height(texts, minimum=18 if declared else 15)


def fit_indicator_rows(sheet: Any, layout: FormLayout) -> None:
    """Make every indicator row of a filled form (an openpyxl worksheet) at least as tall as
    its text needs. For the exports: a file saved by a program other than a spreadsheet
    (openpyxl marks every height it saves as fixed) keeps the heights of the blank form,
    and LibreOffice, printing it, does not fit rows to their text."""
    for place in layout.indicators:
        name, target, actual, reason = (sheet.cell(place.row + 1, c + 1).value
                                        for c in (Col.NAME, Col.TARGET, Col.ACTUAL, Col.REASON))
        dimension = sheet.row_dimensions[place.row + 1]
        needed = indicator_row_height(name, target, actual, reason, declared=False)
        dimension.height = max(float(dimension.height or 15), needed)


def _write_literal(sheet: Worksheet, r: int, col: int, value: Value, fmt: object) -> None:
    if isinstance(value, bool):
        sheet.write_boolean(r, col, value, fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(r, col, value, fmt)
    elif value == "":
        sheet.write_blank(r, col, None, fmt)
    else:
        sheet.write_string(r, col, value, fmt)


def _validations(sheet: Validations, planned: PlannedRow, plan: FormPlan) -> None:
    r = planned.row
    labels = " / ".join(plan.params.band_label)
    target = planned.target
    if planned.locked_target and target is not None and target.qualitative:
        sheet.data_validation(r, Col.ACTUAL, r, Col.ACTUAL, {
            "validate": "list", "source": "=pe_p_band_label",
            "input_title": "评价档次", "input_message": rating_guidance(plan.rules),
            "error_title": "请选择评价档次", "error_message": _prompt(f"定性指标的实际完成值只能是：{labels}"),
        })
    elif planned.locked_target and target is not None:
        if target.is_percent:
            hint = "填写百分比，如 95%（输入 95% 或 0.95 均可）。"
        elif target.unit:
            hint = f"填写数值，单位为“{target.unit}”（只填数字，如 {target.value}）。"
        else:
            hint = "填写数值。"
        sheet.data_validation(r, Col.ACTUAL, r, Col.ACTUAL, {
            "validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
            "input_title": "实际完成值", "input_message": hint,
            "error_title": "实际完成值须为数字",
            "error_message": "请只填写数字（单位已在格式中显示），不要写“约”“余”等文字。",
        })
    else:
        sheet.data_validation(r, Col.ACTUAL, r, Col.ACTUAL, {
            "validate": "list", "source": "=pe_p_band_label", "error_type": "information",
            "ignore_blank": True,
            "input_title": "实际完成值",
            "input_message": "定量指标填写数值（可带与年度指标值相同的单位，如 3600批次、95%）；定性指标从下拉列表选择评价档次。",
            "error_title": "不是评价档次",
            "error_message": "若这是定量指标的数值，请点“确定”保留；若是定性指标，请从下拉列表选择。",
        })
    if not planned.locked_target:
        sheet.data_validation(r, Col.TARGET, r, Col.TARGET, {
            "validate": "length", "criteria": "<=", "value": 100,
            "input_title": "年度指标值", "input_message": NOTATION_HELP,
            "error_title": "指标值过长", "error_message": "年度指标值请控制在 100 字以内。",
        })
    if not planned.locked_weight:
        full = display.number(plan.params.total)
        sheet.data_validation(r, Col.WEIGHT, r, Col.WEIGHT, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": full,
            "input_title": "分值", "input_message": f"该指标的分值（0–{full}），各指标与预算执行率分值合计应为 {full}。",
            "error_title": "分值不正确", "error_message": f"分值须为 0 到 {full} 之间的数字。",
        })
    if not planned.locked_name:
        sheet.data_validation(r, Col.NAME, r, Col.NAME, {
            "validate": "length", "criteria": "<=", "value": 200,
            "input_title": "三级指标", "input_message": "在本二级指标下增加一个三级指标：填写名称、年度指标值和分值。",
            "error_title": "名称过长", "error_message": "指标名称请控制在 200 字以内。",
        })


def _row_validations(validations: Validations, plan: FormPlan) -> None:
    """The validations every indicator row has, as one range each."""
    first = plan.layout.first_indicator
    rows = [p.row for p in plan.rows]
    score = {
        # the score formula's own test (formulas.in_band): what it accepts is what gets scored
        "validate": "custom", "value": plan.row_formulas(first).qscore_valid(),
        "input_title": "定性指标评分（可选）", "input_message": band_guidance(plan.rules),
        "error_title": "评分不在档次区间内",
        "error_message": "请先选择评价档次，再在该档次的分值区间内给分（区间见本列的提示）。",
    }
    reason = {
        "validate": "length", "criteria": "<=", "value": 1000,
        "input_title": "偏差原因分析及改进措施", "input_message": reason_guidance(plan.rules),
        "error_title": "文字过长", "error_message": "请控制在 1000 字以内。",
    }
    for r in rows:
        validations.data_validation(r, Col.QSCORE, r, Col.QSCORE, score)
        validations.data_validation(r, Col.REASON, r, Col.REASON, reason)


# Prompts that state rule numbers are written from the profile, never typed here.

PROMPT_LIMIT = 255  # characters Excel keeps of a validation's input or error message


def _prompt(text: str) -> str:
    return text if len(text) <= PROMPT_LIMIT else text[:PROMPT_LIMIT - 1] + "…"


def _percent(fraction: Decimal) -> str:
    return "0" if fraction == 0 else display.number(fraction * 100) + "%"


def band_guidance(rules: Rules) -> str:
    """The 定性指标评分 prompt: each band's share of the weight, its limits included or not."""
    def limit(value: Decimal, included: bool) -> str:
        return f"{_percent(value)}（{'含' if included else '不含'}）"

    def text(short: bool) -> str:
        bands = "；".join(
            f"{(b.aliases[0] if short and b.aliases else b.label)} {limit(b.low, b.low_inclusive)}至"
            f"{limit(b.high, b.high_inclusive)}" for b in rules.bands)
        defaults = "；".join(
            f"{(b.aliases[0] if short and b.aliases else b.label)}且不填时记"
            f"{'满分' if b.default == 1 else '分值的 ' + _percent(b.default)}"
            for b in rules.bands if b.default is not None)
        return f"在所选档次的分值区间内给分（按分值的比例）：{bands}。" + (f"{defaults}。" if defaults else "")

    full = text(short=False)
    return _prompt(full if len(full) <= PROMPT_LIMIT else text(short=True))


def rating_guidance(rules: Rules) -> str:
    """The prompt of a qualitative row's 实际完成值: the bands, which need a score and a reason."""
    def named(bands: list[Band]) -> str:
        return "、".join(f"“{b.label}”" for b in bands)

    scored = [b for b in rules.bands if b.default is None]
    reasoned = list(rules.bands[1:]) if rules.reason_shortfall else []  # the form: band number > 1
    needs = ""
    if scored and scored == reasoned:
        needs = f"评为{named(scored)}时须在右侧“定性指标评分”列给分，并填写偏差原因。"
    else:
        if scored:
            needs += f"评为{named(scored)}时须在右侧“定性指标评分”列给分。"
        if reasoned:
            needs += f"评为{named(reasoned)}时须填写偏差原因。"
    return _prompt(f"请选择：{'；'.join(b.label for b in rules.bands)}。{needs}")


def reason_guidance(rules: Rules) -> str:
    """The 偏差原因 prompt: when the profile requires a reason."""
    cases = []
    if rules.reason_shortfall:
        cases.append(f"未完成年度指标值（定性指标未评为“{rules.bands[0].label}”）")
    ratio, zero = rules.reason_excess_ratio, rules.reason_excess_zero_target
    if ratio is not None or zero is not None:
        lines = []
        if ratio is not None:
            lines.append(f"正向指标实际达到指标值的 {_percent(ratio)} 及以上，"
                         f"反向指标 {_percent(2 - ratio)} 及以下")
        if zero is not None:
            lines.append(f"指标值为 0 时实际 ≥ {display.number(zero)}")
        cases.append(f"超出较多（{'；'.join(lines)}）")
    if not cases:
        return "按需填写偏差原因分析及改进措施。"
    return _prompt(f"{'，或'.join(cases)}时须填写原因和改进措施。")


class Validations:
    """Data validations collected per cell and written grouped: one per distinct rule,
    over all its cells (a relative formula is read from the first cell)."""

    def __init__(self) -> None:
        self.groups: dict[tuple[tuple[str, Any], ...], tuple[dict[str, Any], list[tuple[int, int]]]] = {}

    def data_validation(self, row: int, col: int, _row: int, _col: int, options: dict[str, Any]) -> None:
        key = tuple(sorted(options.items()))  # the settings are strings, numbers and booleans
        self.groups.setdefault(key, (options, []))[1].append((row, col))

    def write(self, sheet: Worksheet) -> None:
        for options, cells in self.groups.values():
            cells.sort(key=lambda rc: (rc[1], rc[0]))
            ranges = encode_cells(cells).replace(",", " ")
            row, col = cells[0]
            sheet.data_validation(row, col, row, col, {**options, "multi_range": ranges})


def _conditional_formats(sheet: Worksheet, plan: FormPlan, styles: Styles) -> None:
    layout = plan.layout
    wb = styles.workbook
    first, last = layout.first_indicator, layout.last_indicator

    def rng(col: int) -> str:
        return f"{cell(first, col)}:{cell(last, col)}"

    def row_relative(col: int) -> str:
        """The first row's cell of a column, column fixed and row relative (e.g. 计算!$U13):
        the rule then reads each row's own cell."""
        prefix = "" if sheet_of(col) == SHEET else f"{sheet_of(col)}!"
        return f"{prefix}${xl_col_to_name(col)}{first + 1}"

    required = wb.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
    below = wb.add_format({"font_color": "#C00000", "bold": True})
    invalid = wb.add_format({"bg_color": "#FFC7CE"})
    u, g, h, v = (row_relative(c) for c in (Col.REASON_MISSING, Col.WEIGHT, Col.SCORE, Col.STATE))
    sheet.conditional_format(rng(Col.REASON), {"type": "formula", "criteria": f"={u}=TRUE", "format": required})
    sheet.conditional_format(rng(Col.SCORE), {
        "type": "formula", "criteria": f"=AND(ISNUMBER({h}),ISNUMBER({g}),{h}<{g})", "format": below})
    sheet.conditional_format(rng(Col.ACTUAL), {"type": "formula", "criteria": f"={v}=\"invalid\"",
                                               "format": invalid})
    sheet.conditional_format(rng(Col.QSCORE), {"type": "formula", "criteria": f"={v}=\"needs-score\"",
                                               "format": required})
