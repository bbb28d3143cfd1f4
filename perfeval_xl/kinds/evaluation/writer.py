"""The locked 项目支出绩效评分表 workbook. One entry point: :func:`build_evaluation_form`
(reached from :func:`perfeval_xl.form.build_form` for a spec of kind ``evaluation``).

Each part has its writer: :mod:`.header` (title, project, 评价方式, departments, 项目资金),
:mod:`.table` (the rows), :mod:`.summary` (subtotals, 总分, 评价等级, 填报状态), :mod:`.params`
(the hidden 参数 sheet); the workbook, its protection, the _meta record, the seal and the atomic
write are every kind's (:mod:`perfeval_xl.form.workbook`). Where each field
sits is said once, in :mod:`.layout`; the formulas are in :mod:`.formulas`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...atomic import atomic_output
from ...errors import FileError, FormError
from ...form.protection import check_password
from ...form.recording import RecordingSheet
from ...form.workbook import finish, issued, open_form, protect
from ...seal import SealKey
from .. import EVALUATION
from .header import TITLE, write_funds, write_header
from .layout import COLUMN_WIDTHS, SHEET, TEMPLATE_VERSION, ECol, layout_summary
from .params import write_evaluation_params
from .plan import EvaluationPlan, plan_evaluation_form
from .profile import EvaluationRules
from .spec import EvaluationSpec
from .summary import write_summary
from .table import write_table

SUFFIX = ".xlsx"
MODE = "native"  # the 评分表 has native formulas only
A4_LANDSCAPE = 9


@dataclass
class BuiltEvaluationForm:
    """What :func:`build_evaluation_form` wrote."""

    path: Path
    fingerprint: str
    warnings: list[str]
    plan: EvaluationPlan
    form_kind = EVALUATION

    @property
    def layout(self) -> Any:
        return self.plan.layout


def build_evaluation_form(spec: EvaluationSpec, path: str | Path, *, password: str | None = None,
                          rules: EvaluationRules | None = None, generated_at: dt.datetime | None = None,
                          key: SealKey | None = None, mode: str = MODE, spare_rows: int | None = None
                          ) -> BuiltEvaluationForm:
    """Write the 评分表 for ``spec`` to ``path`` (.xlsx).

    Only input cells can be typed in: the amounts, the evaluator's 得分 of the rows scored by
    judgement (validated to [0, 分值], or to the scores the 评分标准 lists), the 实际完成值 of the
    rows scored against a target, every 得分依据, and what the spec leaves out (评价方式,
    departments, names, 评分标准, 分值). Scores from the amounts and the targets, subtotals,
    总分, 评价等级 and the status line are live formulas.

    With ``key`` the form is sealed (:mod:`perfeval_xl.seal`), as a 自评表 is. The file is written
    under a temporary name beside ``path`` and renamed when complete. The 评分表 has native formulas
    only and no spare rows (``mode`` other than native is refused; ``spare_rows`` is not used).
    """
    if mode != MODE:
        raise FormError(f"评分表只有 native 模式（原生公式，.xlsx），不能用 {mode} 模式生成")
    check_password(password)
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        raise FileError(f"评分表须保存为 .xlsx 文件，现为 {path.name}，请改用 .xlsx 扩展名")
    plan = plan_evaluation_form(spec, rules)
    generated_at = generated_at or dt.datetime.now().astimezone().replace(microsecond=0)
    with atomic_output(path) as temporary:
        digest = _write(plan, temporary, path, password, generated_at, key)
    return BuiltEvaluationForm(path, digest, plan.warnings, plan)


def _write(plan: EvaluationPlan, temporary: Path, path: Path, password: str | None, generated_at: dt.datetime,
           key: SealKey | None) -> str:
    spec = plan.spec
    book = open_form(temporary, path, SHEET, password, f"{TITLE}（{spec.year}年度）{spec.project}", TITLE,
                     spec.unit, generated_at)
    workbook, styles, main, calc = book.workbook, book.styles, book.main, book.calc
    write_evaluation_params(workbook, book.params, plan.params, plan.own, plan.rules, {
        "param_head": styles.get(bold=True), "param_key": styles.get(font_color="#808080")})
    write_header(main, plan, styles)
    write_funds(main, calc, plan, styles)
    write_table(main, calc, plan, styles)
    write_summary(main, calc, plan, styles)
    for name, ref in plan.layout.names().items():
        workbook.define_name(name, "=" + ref)
    _page_setup(main, plan)
    digest = protect(book, password)
    finish(book, issued(book, kind=EVALUATION, template_version=TEMPLATE_VERSION, mode=MODE,
                        profile=plan.rules.profile, spec=spec, generated_at=generated_at, digest=digest,
                        layout=layout_summary(plan.layout)), key)
    return digest


def _page_setup(sheet: RecordingSheet, plan: EvaluationPlan) -> None:
    """A4 landscape, one page wide, as many pages tall as the rows need, the table's header
    repeated on each."""
    layout = plan.layout
    for col, width in COLUMN_WIDTHS.items():
        sheet.set_column(col, col, width)
    sheet.set_landscape()
    sheet.set_paper(A4_LANDSCAPE)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(layout.table_header)
    sheet.print_area(0, 0, layout.last_row, ECol.LAST_PRINTED)
    sheet.print_black_and_white()
    sheet.hide_gridlines(2)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.freeze_panes(layout.table_header + 1, 0)
    row, col = layout.fund_cell("budget")
    sheet.set_selection(row, col, row, col)


__all__ = ["BuiltEvaluationForm", "build_evaluation_form"]
