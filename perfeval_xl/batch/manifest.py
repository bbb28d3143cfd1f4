"""The manifest of a batch (生成清单.xlsx): one row per project and every problem of the list.

Sheet 项目: 主管部门, 实施单位, 项目名称, 年度, 指标数, 分值合计 (预算执行率 included,
as on the form's 总分 row), 文件名, 指纹 (the fingerprint stored in the form's
_meta sheet), 状态, 清单行号. Sheet 问题: 文件, 工作表, 行号, 项目, 级别 (错误: the project
is not generated; 警告: it is, as the list was understood), 问题. Sheet 指标:
every declared indicator of every form sent (文件名, 项目名称, 实施单位, 年度, 一级/二级/三级指标,
年度指标值, 分值), which ``consolidate --expected`` compares the returned forms with. All
have a frozen header and an autofilter. The workbook is marked as perfeval-xl's
manifest (a document property), so a consolidation never reads it as a return.
Written to a temporary name and renamed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from ..atomic import atomic_output, write_failure
from ..filemarks import mark
from .targets import RowProblem

if TYPE_CHECKING:
    from . import ProjectOutcome

MANIFEST_NAME = "生成清单.xlsx"
PROJECTS_SHEET = "项目"
PROBLEMS_SHEET = "问题"

PROJECT_COLUMNS = (  # header, width
    ("主管部门", 22), ("实施单位", 22), ("项目名称", 30), ("年度", 7), ("指标数", 7),
    ("分值合计", 9), ("文件名", 40), ("指纹", 20), ("状态", 40), ("清单行号", 14),
)
PROBLEM_COLUMNS = (("文件", 30), ("工作表", 12), ("行号", 7), ("项目", 30), ("级别", 6), ("问题", 90))
INDICATORS_SHEET = "指标"
INDICATOR_COLUMNS = (
    ("文件名", 36), ("项目名称", 30), ("实施单位", 22), ("年度", 7), ("一级指标", 12), ("二级指标", 16),
    ("三级指标", 30), ("年度指标值", 16), ("分值", 7),
)


def project_row(outcome: ProjectOutcome) -> list[object]:
    listed = outcome.listed
    total = listed.weight_total
    return [
        listed.department, listed.unit, listed.project, listed.year, listed.indicators,
        float(total) if isinstance(total, Decimal) else None,
        outcome.filename if outcome.filename else None, outcome.fingerprint or None,
        outcome.state_text, listed.rows_text,
    ]


def problem_row(problem: RowProblem) -> list[object]:
    return [problem.file, problem.sheet or None, problem.row, problem.project or None, problem.level,
            problem.message]


def indicator_rows(outcome: ProjectOutcome) -> list[list[object]]:
    """The declared indicators of a form that was sent (none for a project not generated)."""
    spec = outcome.listed.spec
    if spec is None or not outcome.filename:
        return []
    rows: list[list[object]] = []
    for ind in spec.indicators:
        target = ind.target
        weight = ind.weight
        rows.append([outcome.filename, spec.project, spec.unit, spec.year, ind.level1, ind.level2, ind.name,
                     None if target is None or target == "" else str(target),
                     float(weight) if isinstance(weight, Decimal) else weight])
    return rows


def write_manifest(path: Path, outcomes: Sequence[ProjectOutcome], problems: Sequence[RowProblem]) -> Path:
    """Write the manifest to ``path`` (replacing an older one only once complete)."""
    with atomic_output(path) as temporary:
        try:
            workbook = xlsxwriter.Workbook(str(temporary), {
                "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            })
            header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                          "valign": "vcenter"})
            _sheet(workbook, PROJECTS_SHEET, PROJECT_COLUMNS, [project_row(o) for o in outcomes], header)
            _sheet(workbook, PROBLEMS_SHEET, PROBLEM_COLUMNS, [problem_row(p) for p in problems], header)
            _sheet(workbook, INDICATORS_SHEET, INDICATOR_COLUMNS,
                   [row for o in outcomes for row in indicator_rows(o)], header, text_columns=(7,))
            mark(workbook, "manifest")
            workbook.close()
        except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
            raise write_failure(path, exc, "生成清单") from None
    return path


def _sheet(workbook: xlsxwriter.Workbook, name: str, columns: Sequence[tuple[str, float]],
           rows: Sequence[list[object]], header: object, text_columns: Sequence[int] = ()) -> None:
    sheet = workbook.add_worksheet(name)
    for col, (title, width) in enumerate(columns):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width)
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            if col in text_columns:  # a target such as 3500 stays the text it was listed as
                sheet.write_string(r, col, str(value))
            else:
                sheet.write(r, col, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
