"""The locked 项目支出绩效评分表 workbook. One entry point: :func:`build_evaluation_form`
(reached from :func:`perfeval_xl.form.build_form` for a spec of kind ``evaluation``).

Each part has its writer: :mod:`.header` (title, project, 评价方式, departments, 项目资金),
:mod:`.table` (the rows), :mod:`.summary` (subtotals, 总分, 评价等级, 填报状态), :mod:`.params`
(the hidden 参数 sheet); the hidden _meta sheet is the 自评表's
(:func:`perfeval_xl.form.metadata.write_metadata`) with this kind's values. Where each field
sits is said once, in :mod:`.layout`; the formulas are in :mod:`.formulas`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import xlsxwriter

from ... import __version__
from ...atomic import temporary_beside, write_failure
from ...errors import FileError, os_reason
from ...form.metadata import content_cells, encode_cells, fingerprint, recorded_fingerprint, spec_hash, write_metadata
from ...form.protection import check_password
from ...form.recording import Formula, RecordingSheet
from ...form.sheet import FormWorkbook, FormWorksheet
from ...form.styles import Styles
from .. import EVALUATION
from .header import TITLE, write_funds, write_header
from .layout import CALC_SHEET, COLUMN_WIDTHS, META_SHEET, PARAMS_SHEET, SHEET, TEMPLATE_VERSION, ECol, layout_summary
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

    @property
    def layout(self) -> Any:
        return self.plan.layout


def build_evaluation_form(spec: EvaluationSpec, path: str | Path, *, password: str | None = None,
                          rules: EvaluationRules | None = None,
                          generated_at: dt.datetime | None = None) -> BuiltEvaluationForm:
    """Write the 评分表 for ``spec`` to ``path`` (.xlsx).

    Only input cells can be typed in: the amounts, the evaluator's 得分 of the rows scored by
    judgement (validated to [0, 分值], or to the scores the 评分标准 lists), the 实际完成值 of the
    rows scored against a target, every 得分依据, and what the spec leaves out (评价方式,
    departments, names, 评分标准, 分值). Scores from the amounts and the targets, subtotals,
    总分, 评价等级 and the status line are live formulas.
    """
    check_password(password)
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        raise FileError(f"评分表须保存为 .xlsx 文件，现为 {path.name}，请改用 .xlsx 扩展名")
    plan = plan_evaluation_form(spec, rules)
    generated_at = generated_at or dt.datetime.now().astimezone().replace(microsecond=0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_beside(path)  # renamed when complete (perfeval_xl.atomic)
        workbook = FormWorkbook(str(temporary), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "in_memory": True,
        })
        workbook.protection_password = password
    except OSError as exc:
        raise FileError(f"无法写入 {path}：{os_reason(exc)}") from None
    workbook.set_properties({
        "title": f"{TITLE}（{spec.year}年度）{spec.project}",
        "subject": TITLE,
        "author": "perfeval-xl",
        "company": spec.unit,
        "created": generated_at.replace(tzinfo=None),
        "comments": "由 perfeval-xl 生成；只可在浅黄色单元格中填写。",
    })
    styles = Styles(workbook)
    main = RecordingSheet(workbook.add_worksheet(SHEET, worksheet_class=FormWorksheet))
    calc = RecordingSheet(workbook.add_worksheet(CALC_SHEET, worksheet_class=FormWorksheet))
    params_sheet = RecordingSheet(workbook.add_worksheet(PARAMS_SHEET, worksheet_class=FormWorksheet))
    meta = workbook.add_worksheet(META_SHEET, worksheet_class=FormWorksheet)

    write_evaluation_params(workbook, params_sheet, plan.params, plan.own, plan.rules, {
        "param_head": styles.get(bold=True), "param_key": styles.get(font_color="#808080")})
    write_header(main, plan, styles)
    write_funds(main, calc, plan, styles)
    write_table(main, calc, plan, styles)
    write_summary(main, calc, plan, styles)
    for name, ref in plan.layout.names().items():
        workbook.define_name(name, "=" + ref)
    _page_setup(main, plan)

    options = {"select_locked_cells": True, "select_unlocked_cells": True,
               "format_columns": True, "format_rows": True}
    for sheet in (main, calc, params_sheet, meta):
        sheet.protect(password or "", options)
    calc.hide()
    params_sheet.hide()
    meta.very_hidden()
    main.activate()

    digest = recorded_fingerprint([main, params_sheet, calc])
    write_metadata(meta, meta_values(plan, generated_at, digest, main), styles.get(font_size=9))
    try:
        workbook.close()
        os.replace(temporary, path)
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        temporary.unlink(missing_ok=True)
        raise write_failure(path, exc) from None
    return BuiltEvaluationForm(path, digest, plan.warnings, plan)


def meta_values(plan: EvaluationPlan, generated_at: dt.datetime, digest: str, main: RecordingSheet) -> dict[str, str]:
    """The _meta entries of a 评分表 form (the 自评表's keys, and its kind)."""
    spec = plan.spec
    formulas = [key for key, (content, _) in main.records.items() if isinstance(content, Formula)]
    return {
        "kind": EVALUATION,
        "template_version": TEMPLATE_VERSION,
        "generator": f"perfeval-xl {__version__}",
        "mode": MODE,
        "profile": plan.rules.profile,
        "year": str(spec.year),
        "project": spec.project,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "spec_hash": spec_hash(cast(Any, spec)),
        "fingerprint": digest,
        "layout": layout_summary(plan.layout),
        "content_fingerprint": fingerprint(content_cells([main])),
        "inputs": encode_cells(main.unlocked),
        "formula_cells": encode_cells(formulas),
    }


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
