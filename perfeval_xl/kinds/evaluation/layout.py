"""Where everything sits in the 评分表 form: said once, used by the writer, the reader, the
exporters and the tests.

The 评分表 sheet has the official columns A–G (一级指标 … 得分, and the 得分依据 column the
issue adds) and three input columns beside them, outside the print area (年度指标值, 实际完成值,
定性评分), for the rows scored against a target; a row scored from the amounts shows its rate
there. Each row's helpers sit on the hidden 计算 sheet in the same row: this kind's own in the
first columns (:class:`ECol`), and, for rows scored against a target, the 自评表's row helpers in
the very columns the 自评表 puts them (:class:`perfeval_xl.kinds.self.layout.Col`), so that the
自评表's row formulas serve unchanged (:mod:`.formulas`).

Rows depend on the spec, so :func:`plan_layout` computes them; ``_meta`` records them
(:func:`layout_summary`), and a reader rebuilds them from that record, chosen by the template
version, never from the spec.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ...errors import FormError
from ...form.addresses import CALC_SHEET, META_SHEET, PARAMS_SHEET, cell, col_range, sheet_ref
from .. import EVALUATION

SHEET = "评分表"
TEMPLATE_VERSION = "1"  # what a form written now records
READABLE_VERSIONS = ("1",)  # the versions this layout reads (a new version adds its reading here)
__all__ = ["CALC_SHEET", "META_SHEET", "PARAMS_SHEET", "SHEET", "TEMPLATE_VERSION"]


class ECol:
    """Column indices (0-based) of the 评分表 sheet, and of this kind's helpers on 计算."""

    LEVEL1 = 0  # A 一级指标
    LEVEL2 = 1  # B 二级指标
    NAME = 2  # C 三级指标
    WEIGHT = 3  # D 分值（权重）
    CRITERIA = 4  # E 评分标准
    SCORE = 5  # F 得分: typed on judgement rows, computed on the others
    BASIS = 6  # G 得分依据
    TARGET = 7  # H 年度指标值 (not printed)
    ACTUAL = 8  # I 实际完成值; the rate of a row scored from the amounts (not printed)
    QSCORE = 9  # J 定性评分 of a qualitative target row (not printed)
    LAST_PRINTED = BASIS
    # on the 计算 sheet, same row
    COUNTED = 1  # B the score as counted (a judgement score only within [0, 分值]; "" none)
    BASIS_MISSING = 2  # C a judgement score below full marks without 得分依据
    STATUS_PARTS = 1  # B of the status row: the status line's parts


# The three amounts of the funds block: spec key -> column of the 评分表 (each merged over the
# columns up to the next); on the 计算 sheet the same cell holds the amount as read (万元; "" blank,
# "#" not an amount) and FUND_TEXT_COLUMNS the normalised text it is read from.
FUND_COLUMNS = {"budget": ECol.NAME, "arrived": ECol.WEIGHT, "executed": ECol.SCORE}
FUND_SPANS = {"budget": (ECol.NAME, ECol.NAME), "arrived": (ECol.WEIGHT, ECol.CRITERIA),
              "executed": (ECol.SCORE, ECol.BASIS)}
FUND_TEXT_COLUMNS = {"budget": ECol.TARGET, "arrived": ECol.ACTUAL, "executed": ECol.QSCORE}

HEADERS = {ECol.LEVEL1: "一级指标", ECol.LEVEL2: "二级指标", ECol.NAME: "三级指标", ECol.WEIGHT: "分值\n（权重）",
           ECol.CRITERIA: "评分标准", ECol.SCORE: "得分", ECol.BASIS: "得分依据"}
SIDE_HEADERS = {ECol.TARGET: "年度指标值", ECol.ACTUAL: "实际完成值", ECol.QSCORE: "定性评分\n（可选）"}

COLUMN_WIDTHS = {
    ECol.LEVEL1: 7, ECol.LEVEL2: 11, ECol.NAME: 18, ECol.WEIGHT: 7, ECol.CRITERIA: 46, ECol.SCORE: 8.5,
    ECol.BASIS: 26, ECol.TARGET: 12, ECol.ACTUAL: 12, ECol.QSCORE: 10,
}


@dataclass(frozen=True)
class TableRow:
    """One row of the table: a 三级指标 of the spec."""

    row: int  # 0-based sheet row
    index: int  # position in spec.indicators
    method: str  # rule / target / judgement (kinds.evaluation.spec)
    level1: str  # the framework's 一级 (what the row is subtotalled under)
    rule: str | None = None  # a rule row's key of the profile's rates


@dataclass(frozen=True)
class BlockRow:
    """The subtotal row of one 一级指标."""

    row: int
    name: str  # as the sheet writes it
    level1: str  # the framework's name, or the written one


@dataclass
class EvaluationLayout:
    """The rows of one 评分表 form."""

    title: int = 0
    year: int = 1
    project: int = 2  # 项目名称 | 评价方式
    department: int = 3  # 主管部门 | 实施单位
    funds_header: int = 4
    funds_values: int = 5
    table_header: int = 6
    rows: list[TableRow] = field(default_factory=list)
    level1_spans: list[tuple[str, int, int]] = field(default_factory=list)  # written 一级, first, last
    level2_spans: list[tuple[str, int, int]] = field(default_factory=list)
    blocks: list[BlockRow] = field(default_factory=list)

    @property
    def first_row(self) -> int:
        return self.table_header + 1

    @property
    def last_row_of_table(self) -> int:
        return self.table_header + max(1, len(self.rows))

    @property
    def total(self) -> int:
        return self.last_row_of_table + len(self.blocks) + 1

    @property
    def grade(self) -> int:
        return self.total + 1

    @property
    def status(self) -> int:
        return self.total + 2

    @property
    def last_row(self) -> int:
        return self.status

    def fund_cell(self, key: str) -> tuple[int, int]:
        """(row, col) of an amount of the funds block (budget / arrived / executed)."""
        return self.funds_values, FUND_COLUMNS[key]

    def column(self, col: int, sheet: str | None = None) -> str:
        """The table rows of one column, e.g. $F$8:$F$39 (on ``sheet`` when given)."""
        address = col_range(col, self.first_row, self.last_row_of_table)
        return f"{sheet}!{address}" if sheet else address

    def names(self) -> dict[str, str]:
        """The defined names of the contract, to their sheet ranges."""
        first, last = self.first_row, self.last_row_of_table

        def at(row: int, col: int) -> str:
            return sheet_ref(cell(row, col, True), SHEET)

        return {
            "pe_title": at(self.title, ECol.LEVEL1),
            "pe_year": at(self.year, ECol.LEVEL1),
            "pe_project": at(self.project, ECol.NAME),
            "pe_evaluation_type": at(self.project, ECol.BASIS),
            "pe_department": at(self.department, ECol.NAME),
            "pe_unit": at(self.department, ECol.BASIS),
            **{f"pe_{key}": at(*self.fund_cell(key)) for key in FUND_COLUMNS},
            "pe_indicators": sheet_ref(f"{cell(first, ECol.LEVEL1, True)}:{cell(last, ECol.BASIS, True)}", SHEET),
            "pe_targets": sheet_ref(f"{cell(first, ECol.TARGET, True)}:{cell(last, ECol.QSCORE, True)}", SHEET),
            "pe_weight_total": at(self.total, ECol.WEIGHT),
            "pe_total": at(self.total, ECol.SCORE),
            "pe_grade": at(self.grade, ECol.WEIGHT),
            "pe_status": at(self.status, ECol.WEIGHT),
        }


def plan_layout(rows: list[tuple[str, str, str, str, str | None]], blocks: list[tuple[str, str]]) -> EvaluationLayout:
    """Rows for the spec's rows — (written 一级, written 二级, method, framework 一级, rule) in
    the spec's order — and a subtotal row for each of ``blocks`` (name, framework 一级).

    The sheet keeps the spec's order, as the evaluation scheme lists its indicators; 一级 and
    二级 cells are merged over consecutive rows that write the same names.
    """
    layout = EvaluationLayout()
    r = layout.first_row
    for index, (_, _, method, level1, rule) in enumerate(rows):
        layout.rows.append(TableRow(r + index, index, method, level1, rule))
    layout.level1_spans = _spans([(w1,) for w1, *_ in rows], r)
    layout.level2_spans = _spans([(w1, w2) for w1, w2, *_ in rows], r)
    first_block = layout.last_row_of_table + 1
    layout.blocks = [BlockRow(first_block + i, name, level1) for i, (name, level1) in enumerate(blocks)]
    return layout


def _spans(keys: list[tuple[str, ...]], first: int) -> list[tuple[str, int, int]]:
    """Runs of equal consecutive keys: (the key's last name, first row, last row)."""
    spans: list[tuple[str, int, int]] = []
    for offset, key in enumerate(keys):
        row = first + offset
        if offset and key == keys[offset - 1]:
            spans[-1] = (spans[-1][0], spans[-1][1], row)
        else:
            spans.append((key[-1], row, row))
    return spans


def layout_summary(layout: EvaluationLayout) -> str:
    """The layout as _meta records it (JSON; rows 1-based)."""
    return json.dumps({
        "rows": [[r.row + 1, r.index, r.method, r.level1, r.rule] for r in layout.rows],
        "blocks": [[b.name, b.level1] for b in layout.blocks],
    }, ensure_ascii=False, separators=(",", ":"))


def layout_from_meta(meta: dict[str, str], name: str = "该评分表") -> EvaluationLayout:
    """The rows of a form, from its _meta, read as its template version lays them out (``name``: the
    file, for messages)."""
    from .. import check_version, get_kind

    check_version(meta, get_kind(EVALUATION), name)
    try:
        data = json.loads(meta["layout"])
        layout = EvaluationLayout()
        layout.rows = [TableRow(row - 1, index, method, level1, rule)
                       for row, index, method, level1, rule in data["rows"]]
        first_block = layout.last_row_of_table + 1
        layout.blocks = [BlockRow(first_block + i, name, level1) for i, (name, level1) in enumerate(data["blocks"])]
    except (KeyError, ValueError, TypeError, RecursionError):  # RecursionError: nested to any depth
        raise FormError("评分表的隐藏记录（_meta 工作表）已损坏，无法读取表的结构；"
                        "请使用下发的原表重新填写") from None
    return layout
