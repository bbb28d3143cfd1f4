"""The 按部门 sheet: per 主管部门 the projects by grade, the average score, money and execution
rate; the distribution of totals; and three charts sized for the printed page.

The charts sit one below the other under the tables — grades per department, execution
rate per department, a histogram of totals — each as wide as the tables, so none
covers another or a table. The sheet prints at the scale that makes the tables one page
wide, and a page break goes before any chart that would not fit on the rest of a page,
so no chart is cut in two (Excel and LibreOffice ignore manual page breaks when a sheet
is fitted to pages, hence the computed scale instead).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import printing
from .printing import Column

GRADES = ("优", "良", "中", "差")
GRADE_COLOURS = {"优": "#70AD47", "良": "#5B9BD5", "中": "#FFC000", "差": "#C00000"}
SHEET = "按部门"
UNGRADED = "（未填写主管部门）"

COLUMNS = (
    Column("主管部门", 24), Column("项目数", 7, "int", False), *(Column(g, 5, "int", False) for g in GRADES),
    Column("未定级", 7, "int", False), Column("平均分", 8, "num", False),
    Column("全年预算数（万元）", 14, "amount", False), Column("全年执行数（万元）", 14, "amount", False),
    Column("执行率", 8, "pct", False),
)
BIN_COLUMNS = (Column("总分区间", 24, "center"), Column("项目数", 7, "int", False))
# Histogram bins of totals (label, from, below): finer where self-evaluation totals gather.
BINS = (("<50", 0.0, 50.0), ("50–<60", 50.0, 60.0), ("60–<70", 60.0, 70.0), ("70–<80", 70.0, 80.0),
        ("80–<85", 80.0, 85.0), ("85–<90", 85.0, 90.0), ("90–<95", 90.0, 95.0), ("95–100", 95.0, math.inf))

# The printed page: A4 landscape less the margins, in pixels at 96 dpi (as chart sizes are given).
PAGE_WIDTH_PX = (11.69 - printing.MARGINS["left"] - printing.MARGINS["right"]) * 96
PAGE_HEIGHT_PX = (8.27 - printing.MARGINS["top"] - printing.MARGINS["bottom"]) * 96
ROW_PX = 20  # the default row height below the tables, where the charts are anchored
CHART_HEIGHT_PX = 340
BAR_PX = 26  # per department in the horizontal bar charts


@dataclass
class Department:
    name: str
    projects: int
    grades: Counter[str]
    average: float | None
    budget: float
    executed: float

    @property
    def rate(self) -> float | None:
        return self.executed / self.budget if self.budget else None


def departments(kept: Sequence[Any]) -> list[Department]:
    """Per 主管部门, from the review's project rows."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for p in kept:
        groups[p["department"] or UNGRADED].append(p)
    out = []
    for name, rows in sorted(groups.items()):
        totals = [p["total"] for p in rows if p["complete"] and p["total"] is not None]
        out.append(Department(name, len(rows), Counter(p["grade"] or "" for p in rows),
                              (sum(totals) / len(totals)) if totals else None,
                              sum(p["budget"] or 0 for p in rows), sum(p["executed"] or 0 for p in rows)))
    return out


def histogram(kept: Sequence[Any]) -> list[tuple[str, int]]:
    """(区间, 项目数) of the complete projects' totals."""
    counts = Counter(next(label for label, low, below in BINS if p["total"] < below)
                     for p in kept if p["complete"] and p["total"] is not None)
    return [(label, counts.get(label, 0)) for label, _, _ in BINS]


def table_width_px(columns: Sequence[Column]) -> float:
    """Pixel width of columns (Excel: seven pixels a character unit plus five of padding)."""
    return sum(math.floor(c.width * 7 + 0.5) + 5 for c in columns)


def write_departments(workbook: Any, fmt: dict[str, Any], kept: Sequence[Any], run_date: str) -> None:
    sheet = printing.add_sheet(workbook, SHEET)
    printing.write_header(sheet, fmt, COLUMNS)
    found = departments(kept)
    row = 0
    for row, d in enumerate(found, start=1):
        printing.write_row(sheet, fmt, row, COLUMNS, [
            d.name, d.projects, *(d.grades.get(g, 0) for g in GRADES), d.grades.get("", 0), d.average,
            d.budget, d.executed, d.rate])
    last = row
    if last:
        sheet.autofilter(0, 0, last, len(COLUMNS) - 1)
    bins_header = last + 2
    printing.write_header(sheet, fmt, BIN_COLUMNS, row=bins_header, freeze=False)
    bins = histogram(kept)
    for offset, (label, count) in enumerate(bins, start=1):
        printing.write_row(sheet, fmt, bins_header + offset, BIN_COLUMNS, [label, count])
    after = bins_header + len(bins) + 2
    width = table_width_px(COLUMNS)
    scale = min(100, math.floor(PAGE_WIDTH_PX / width * 100))
    # The header row is repeated only when the table itself runs over a page: on the charts' pages
    # it would say nothing and take room.
    long_table = (last + 1) * printing.height(2) * 4 / 3 > PAGE_HEIGHT_PX * 100 / scale
    printing.setup_print(sheet, "项目支出绩效自评汇总——按部门", run_date, header_row=0 if long_table else None,
                         scale=scale)
    if last:
        _charts(workbook, sheet, last, bins_header, len(bins), after, int(width), scale)


def _charts(workbook: Any, sheet: Any, last: int, bins_header: int, bins: int, first_row: int,
            width: int, scale: int) -> None:
    bar_height = max(CHART_HEIGHT_PX, BAR_PX * last + 110)
    page = PAGE_HEIGHT_PX * 100 / scale  # sheet pixels per printed page
    grades = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for offset, grade in enumerate(GRADES):
        col = 2 + offset
        grades.add_series({"name": [SHEET, 0, col], "categories": [SHEET, 1, 0, last, 0],
                           "values": [SHEET, 1, col, last, col], "fill": {"color": GRADE_COLOURS[grade]},
                           "gap": 60})
    grades.set_title({"name": "各部门项目等级分布", "name_font": {"size": 12}})
    grades.set_x_axis({"name": "项目数", "major_gridlines": {"visible": True}})
    grades.set_y_axis({"reverse": True})
    grades.set_legend({"position": "top"})
    rates = workbook.add_chart({"type": "bar"})
    rates.add_series({"name": "执行率", "categories": [SHEET, 1, 0, last, 0], "values": [SHEET, 1, 10, last, 10],
                      "fill": {"color": "#5B9BD5"}, "gap": 60,
                      "data_labels": {"value": True, "num_format": "0.0%"}})
    rates.set_title({"name": "各部门预算执行率", "name_font": {"size": 12}})
    rates.set_x_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}})
    rates.set_y_axis({"reverse": True})
    rates.set_legend({"none": True})
    spread = workbook.add_chart({"type": "column"})
    spread.add_series({"name": "项目数", "categories": [SHEET, bins_header + 1, 0, bins_header + bins, 0],
                       "values": [SHEET, bins_header + 1, 1, bins_header + bins, 1], "fill": {"color": "#5B9BD5"},
                       "gap": 10, "data_labels": {"value": True}})
    spread.set_title({"name": "总分分布（已填写完整的项目）", "name_font": {"size": 12}})
    spread.set_x_axis({"name": "总分"})
    spread.set_y_axis({"name": "项目数", "major_gridlines": {"visible": True}})
    spread.set_legend({"none": True})
    row = first_row
    breaks = []
    used = page  # the charts start on a page of their own
    for chart, height in ((grades, bar_height), (rates, bar_height), (spread, CHART_HEIGHT_PX)):
        height = min(height, int(page) - 3 * ROW_PX)  # never taller than a page
        rows = math.ceil(height / ROW_PX) + 1  # the chart and a row of space below it
        if used + (rows + 1) * ROW_PX > page:
            breaks.append(row)  # a new page, whose first row stays empty
            row += 1
            used = ROW_PX
        chart.set_size({"width": width, "height": height})
        sheet.insert_chart(row, 0, chart, {"object_position": 3})  # moves with cells, never resized
        row += rows
        used += rows * ROW_PX
    sheet.set_h_pagebreaks(breaks)
