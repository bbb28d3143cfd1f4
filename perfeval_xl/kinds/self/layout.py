"""Where everything sits in the 自评表: said once, used by the writer, the reader,
the exporters and the tests.

The main sheet has the official nine columns A–I (the block label column and the
eight columns of the 绩效指标 table) and two visible helper columns beside them
(偏差率, 定性评分) that are outside the print area. Each indicator row's
structured target and intermediate results sit on the hidden 计算 sheet, in the
same row, in columns L onwards (:class:`Col` numbers them; :func:`sheet_of` says
which sheet a column is on). Keeping them off the 自评表 keeps it light to read
for programs that take thousands of returned forms. Rows depend on how many
indicators the form has, so :func:`plan_layout` computes them; the defined names
(``pe_*``) are the contract other programs rely on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ...form.addresses import CALC_SHEET, cell, col_range, sheet_ref
from ...form.metadata import MAX_LAYOUT_ROWS

SHEET = "自评表"


class Col:
    """Column indices (0-based) of the main sheet."""

    BLOCK = 0  # A: 项目资金 / 年度总体目标 / 绩效指标 block labels
    LEVEL1 = 1  # B 一级指标
    LEVEL2 = 2  # C 二级指标
    NAME = 3  # D 三级指标
    TARGET = 4  # E 年度指标值
    ACTUAL = 5  # F 实际完成值
    WEIGHT = 6  # G 分值
    SCORE = 7  # H 得分
    REASON = 8  # I 偏差原因分析及改进措施
    DEVIATION = 9  # J 偏差率 (visible, not printed)
    QSCORE = 10  # K 定性指标评分 (input, not printed)
    # hidden helpers, one row per indicator
    USED = 11  # L 1 when the row holds an indicator
    KIND = 12  # M "N" quantitative, "Q" qualitative, "" none
    DIRECTION = 13  # N 1 higher, -1 lower, 0 equal
    TVALUE = 14  # O target value (percentages as fractions)
    SCALE = 15  # P 100 for percentages (display scale), else 1
    UNIT = 16  # Q unit text
    AVALUE = 17  # R actual value; rating 1/2/3 for qualitative; "#"/0 when unreadable
    RAW = 18  # S unrounded score
    REASON_REQ = 19  # T reason required
    REASON_MISSING = 20  # U reason required and empty
    STATE = 21  # V ok / missing / invalid / needs-score / undeclared
    L1 = 22  # W canonical 一级指标 of the row
    L2 = 23  # X canonical 二级指标 of the row
    BAND_LOW = 24  # Y lower limit of the chosen band (share of the weight)
    BAND_HIGH = 25  # Z upper limit
    # target parsing, only used on rows whose target the official types
    NORM = 26  # AA normalised target text
    SIGN_LEN = 27  # AB
    SIGN = 28  # AC
    NEG = 29  # AD
    BODY = 30  # AE
    RUN = 31  # AF
    NUM = 32  # AG
    AFTER = 33  # AH text after the number
    PCT = 34  # AI
    SUFFIX_LEN = 35  # AJ
    UNIT_TAIL = 36  # AK
    FINAL_SIGN = 37  # AL
    QUAL = 38  # AM qualitative?
    ANORM = 39  # AN normalised actual text (rating match)
    TNORM = 40  # AO normalised target text (rating-from-target)
    ABODY = 41  # AP the actual text's number part (without % or the target's own unit)
    APLAIN = 42  # AQ whether that is a plain number (-, digits, at most one point)
    ARAW = 43  # AR the actual value as written, before a percentage without its % is rescaled (AVALUE)

    FIRST_HIDDEN = USED
    LAST = ARAW


FUND_COLUMNS = {"initial": Col.NAME, "budget": Col.TARGET, "executed": Col.ACTUAL}
# On the 计算 sheet, each funding row holds what its amounts are read as: the amount in 万元
# ("" blank, "#" unreadable) in the amount's own column, its normalised text in these.
FUND_TEXT_COLUMNS = {"initial": Col.NORM, "budget": Col.SIGN_LEN, "executed": Col.SIGN}
FUND_WEIGHT, FUND_RATE, FUND_SCORE = Col.WEIGHT, Col.SCORE, Col.REASON

# The eight official columns of pe_indicators, in order.
INDICATOR_COLUMNS = (
    ("一级指标", Col.LEVEL1),
    ("二级指标", Col.LEVEL2),
    ("三级指标", Col.NAME),
    ("年度指标值", Col.TARGET),
    ("实际完成值", Col.ACTUAL),
    ("分值", Col.WEIGHT),
    ("得分", Col.SCORE),
    ("偏差原因分析及改进措施", Col.REASON),
)

COLUMN_WIDTHS = {
    Col.BLOCK: 5.5, Col.LEVEL1: 9, Col.LEVEL2: 12.5, Col.NAME: 28.5, Col.TARGET: 13,
    Col.ACTUAL: 13, Col.WEIGHT: 6.5, Col.SCORE: 7.5, Col.REASON: 30,
    Col.DEVIATION: 9, Col.QSCORE: 12,
}


def sheet_of(col: int) -> str:
    """The sheet a column of :class:`Col` is on: helpers on 计算, the rest on the 自评表."""
    return CALC_SHEET if col >= Col.FIRST_HIDDEN else SHEET


def ref(home: str, row: int, col: int, absolute: bool = False) -> str:
    """A reference to (row, col) from a formula on sheet ``home``: qualified when it is elsewhere.

    The sheet name is not quoted (计算!S13): it needs no quotes, and Excel and
    LibreOffice both save it that way, so the formula reads back as written.
    """
    address = cell(row, col, absolute)
    sheet = sheet_of(col)
    return address if sheet == home else f"{sheet}!{address}"


@dataclass(frozen=True)
class IndicatorRow:
    """One row of the 绩效指标 table."""

    row: int  # 0-based sheet row
    level1: str
    level2: str
    spec_index: int | None  # position in spec.indicators; None for a spare row
    declared: bool  # target and weight given by the spec (locked)


@dataclass
class FormLayout:
    """The rows of one form."""

    title: int = 0
    year: int = 1
    project: int = 2
    department: int = 3
    funds_header: int = 4
    funds: dict[str, int] = field(default_factory=lambda: {
        "total": 5, "fiscal": 6, "carryover": 7, "other": 8})
    goals_header: int = 9
    goals_text: int = 10
    table_header: int = 11
    indicators: list[IndicatorRow] = field(default_factory=list)
    level1_spans: list[tuple[str, int, int]] = field(default_factory=list)
    level2_spans: list[tuple[str, str, int, int]] = field(default_factory=list)
    total: int = 0
    grade: int = 0
    status: int = 0
    panel_first: int = 4  # 分项得分 panel in J:K

    @property
    def first_indicator(self) -> int:
        return self.table_header + 1

    @property
    def last_indicator(self) -> int:
        return self.table_header + max(1, len(self.indicators))

    @property
    def last_row(self) -> int:
        return self.status

    def buttons(self) -> dict[str, tuple[int, int]]:
        """xlwings mode: the 检查本表 and 导出附件 buttons, beside the title (not printed)."""
        return {"check": (self.title, Col.DEVIATION), "export": (self.title, Col.QSCORE)}

    def column(self, col: int, absolute: bool = True, home: str = SHEET) -> str:
        """The indicator rows of one column, e.g. $H$13:$H$35, as seen from sheet ``home``."""
        address = col_range(col, self.first_indicator, self.last_indicator, absolute)
        sheet = sheet_of(col)
        return address if sheet == home else f"{sheet}!{address}"

    def names(self) -> dict[str, str]:
        """The defined names of the contract, to their sheet ranges."""
        f, ex = self.funds, self.funds["total"]
        first, last = self.first_indicator, self.last_indicator

        def rng(c1: int, r1: int, c2: int, r2: int) -> str:
            return sheet_ref(f"{cell(r1, c1, True)}:{cell(r2, c2, True)}", SHEET)

        return {
            "pe_title": sheet_ref(cell(self.title, Col.BLOCK, True), SHEET),
            "pe_year": sheet_ref(cell(self.year, Col.BLOCK, True), SHEET),
            "pe_project": sheet_ref(cell(self.project, Col.LEVEL2, True), SHEET),
            "pe_department": sheet_ref(cell(self.department, Col.LEVEL2, True), SHEET),
            "pe_unit": sheet_ref(cell(self.department, Col.SCORE, True), SHEET),
            "pe_funds": rng(Col.NAME, f["fiscal"], Col.ACTUAL, f["other"]),
            "pe_funds_total": rng(Col.NAME, ex, Col.ACTUAL, ex),
            "pe_exec_weight": sheet_ref(cell(ex, FUND_WEIGHT, True), SHEET),
            "pe_exec_rate": sheet_ref(cell(ex, FUND_RATE, True), SHEET),
            "pe_exec_score": sheet_ref(cell(ex, FUND_SCORE, True), SHEET),
            "pe_goal_expected": sheet_ref(cell(self.goals_text, Col.LEVEL2, True), SHEET),
            "pe_goal_actual": sheet_ref(cell(self.goals_text, Col.ACTUAL, True), SHEET),
            "pe_indicators": rng(Col.LEVEL1, first, Col.REASON, last),
            "pe_deviation": rng(Col.DEVIATION, first, Col.DEVIATION, last),
            "pe_qscore": rng(Col.QSCORE, first, Col.QSCORE, last),
            "pe_helpers": sheet_ref(f"{cell(first, Col.FIRST_HIDDEN, True)}:{cell(last, Col.LAST, True)}",
                                    CALC_SHEET),
            "pe_weight_total": sheet_ref(cell(self.total, Col.WEIGHT, True), SHEET),
            "pe_total": sheet_ref(cell(self.total, Col.SCORE, True), SHEET),
            "pe_grade": sheet_ref(cell(self.grade, Col.WEIGHT, True), SHEET),
            "pe_status": sheet_ref(cell(self.status, Col.LEVEL2, True), SHEET),
        }


def plan_layout(
    hierarchy: dict[str, tuple[str, ...]],
    placed: list[tuple[int, str, str, bool]],
    spare_rows: int,
) -> FormLayout:
    """Rows for the indicators ``placed`` (spec index, 一级, 二级, declared).

    Indicators are grouped under their 二级 in the order of the profile's
    hierarchy, each 二级 followed by ``spare_rows`` empty rows (at least one row
    per 二级, so the printed form lists every 二级 as the paper form does).
    """
    layout = FormLayout()
    row = layout.first_indicator
    for level1, level2s in hierarchy.items():
        start1 = row
        for level2 in level2s:
            start2 = row
            members = [p for p in placed if p[1] == level1 and p[2] == level2]
            for index, _, _, declared in members:
                layout.indicators.append(IndicatorRow(row, level1, level2, index, declared))
                row += 1
            spares = max(spare_rows, 0 if members else 1)
            for _ in range(spares):
                layout.indicators.append(IndicatorRow(row, level1, level2, None, False))
                row += 1
            layout.level2_spans.append((level1, level2, start2, row - 1))
        layout.level1_spans.append((level1, start1, row - 1))
    layout.total = row
    layout.grade = row + 1
    layout.status = row + 2
    return layout


def layout_summary(layout: FormLayout) -> str:
    return json.dumps({
        "first_indicator": layout.first_indicator + 1,
        "last_indicator": layout.last_indicator + 1,
        "rows": [[r.row + 1, r.level1, r.level2, r.spec_index, r.declared] for r in layout.indicators],
    }, ensure_ascii=False, separators=(",", ":"))


def layout_from_summary(summary: str) -> FormLayout:
    """The rows of a form, from its _meta layout entry (the inverse of layout_summary)."""
    data = json.loads(summary)
    rows = data["rows"]
    if len(rows) > MAX_LAYOUT_ROWS or not all(isinstance(r[0], int) and 1 <= r[0] <= 1_048_576 for r in rows):
        raise ValueError("rows")
    layout = FormLayout()
    layout.indicators = [IndicatorRow(row - 1, level1, level2, index, declared)
                         for row, level1, level2, index, declared in rows]
    layout.total = layout.last_indicator + 1
    layout.grade, layout.status = layout.total + 1, layout.total + 2
    return layout


@dataclass(frozen=True)
class Version:
    """What a reader must know of one template version of the 自评表 to read a form issued with it.

    The 自评表 sheet (columns A–K, rows as _meta lists them) is the same in every version so far;
    what changed is the hidden 计算 sheet's helper columns and what the form's formulas read.
    """

    helpers: tuple[int, ...]  # the 计算 columns that hold a formula on an indicator row
    amounts_as_text: bool  # the form reads an amount typed with a unit of money (87.65万元)


_HELPERS_V1 = (Col.USED, Col.AVALUE, Col.RAW, Col.REASON_REQ, Col.REASON_MISSING, Col.STATE, Col.BAND_LOW,
               Col.BAND_HIGH, Col.ANORM)
# 1: the first form; 2: a typed actual may carry the target's own unit ("3600批次"); 3: amounts
# typed as text with a money unit ("87.65万元") are read on the 计算 sheet, actuals only as plain
# numbers (two more helper columns, ABODY and APLAIN); 4: a percentage written without its % is
# rescaled to the scale the target means (one more helper column, ARAW: the actual as written)
VERSIONS = {
    "1": Version(_HELPERS_V1, amounts_as_text=False),
    "2": Version(_HELPERS_V1, amounts_as_text=False),
    "3": Version((*_HELPERS_V1, Col.ABODY, Col.APLAIN), amounts_as_text=True),
    "4": Version((*_HELPERS_V1, Col.ABODY, Col.APLAIN, Col.ARAW), amounts_as_text=True),
}
TEMPLATE_VERSION = "4"  # what a form written now records
READABLE_VERSIONS = tuple(VERSIONS)
