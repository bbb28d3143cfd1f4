"""Hand-made 自评表 workbooks, built the way a unit types them in Excel or WPS.

Not our generator: openpyxl cell by cell, with the quirks of real forms —
offsets, merged labels, line breaks inside labels, amounts typed as text with
units, percentages as text or as numbers in % format, "—" for empty cells,
blank rows, the file's own scores and total.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

# seed 003, the filled form at the end of the report
SEED_003_ROWS = [
    # 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分
    ("产出指标", "数量指标", None, None, None, None, None),
    (None, "质量指标", None, None, None, None, None),
    (None, "时效指标", "及时完成质量监督检查任务", "100%", "100%", 25, 25),
    (None, "成本指标", "不超过年度预算", "87.65万元", "86.54万元", 25, 25),
    ("效益指标", "经济效益\n指标", None, None, None, None, None),
    (None, "社会效益\n指标", "促进质量提升，保障社会经济发展", "100%", "100%", 15, 15),
    (None, "生态效益\n指标", None, None, None, None, None),
    (None, "可持续影响指标", "质量技术监督专项经费的可持续影响情况", "100%", "100%", 15, 15),
    ("满意度\n指标", "服务对象满意度指标", "社会公众或服务对象对项目实施效果的满意程度", "80%", "85%", 10, 10),
]


def write_official(ws: Worksheet, *, top: int = 1, left: int = 1, year: int = 2019,
                   project: str = "质量技术监督专项经费", rows: list[tuple[Any, ...]] | None = None,
                   funds: tuple[Any, Any, Any, Any, Any] = (None, "87.65万元", "86.54万元", "98.73%", 9.87),
                   total: Any = 99.87, grade: str | None = "优", ab_labels: bool = False,
                   percent_numbers: bool = False, reasons: dict[str, str] | None = None) -> dict[str, str]:
    """Write a form in the official layout at an offset; returns where some values went."""
    rows = SEED_003_ROWS if rows is None else rows
    where: dict[str, str] = {}

    def put(r: int, c: int, value: Any, fmt: str | None = None) -> None:
        cell = ws.cell(row=top + r, column=left + c, value=value)
        if fmt:
            cell.number_format = fmt

    def merge(r1: int, c1: int, r2: int, c2: int) -> None:
        ws.merge_cells(start_row=top + r1, start_column=left + c1, end_row=top + r2, end_column=left + c2)

    put(0, 0, "项目支出绩效自评表")
    merge(0, 0, 0, 8)
    put(1, 0, f"（{year}年度）")
    merge(1, 0, 1, 8)
    put(2, 0, "项目名称")
    merge(2, 0, 2, 1)
    put(2, 2, project)
    merge(2, 2, 2, 8)
    put(3, 0, "主管部门")
    merge(3, 0, 3, 1)
    put(3, 5, "实施单位")
    put(3, 6, "武汉市蔡甸区应急管理局")
    # 项目资金（万元）
    put(4, 0, "项目资金\n（万元）")
    merge(4, 0, 8, 1)
    headers = ["年初预算数", "全年预算数（A）" if ab_labels else "全年预算数",
               "全年执行数（B）" if ab_labels else "全年执行数", "分值", "执行率（B/A）" if ab_labels else "执行率", "得分"]
    for i, text in enumerate(headers):
        put(4, 3 + i, text)
    initial, budget, executed, rate, score = funds
    put(5, 2, "年度资金总额")
    put(5, 3, initial)
    put(5, 4, budget)
    put(5, 5, executed)
    put(5, 6, 10)
    put(5, 7, rate)
    put(5, 8, score)
    where["exec_score"] = f"{ws.title}!{ws.cell(top + 5, left + 8).coordinate}"
    put(6, 2, "其中：当年财政拨款")
    put(6, 4, budget)
    put(6, 5, executed)
    put(6, 6, "—")
    put(6, 7, rate)
    put(6, 8, "—")
    put(7, 2, "      上年结转资金")
    put(7, 6, "—")
    put(7, 8, "—")
    put(8, 2, "  其他资金")
    put(8, 6, "—")
    put(8, 8, "—")
    # 年度总体目标
    put(9, 0, "年度总体目标")
    merge(9, 0, 10, 1)
    put(9, 2, "预期目标")
    merge(9, 2, 9, 4)
    put(9, 5, "实际完成情况")
    merge(9, 5, 9, 8)
    # blank spacer row 11, then the table header at row 12
    put(12, 0, "绩\n效\n指\n标")
    for i, text in enumerate(["一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分",
                              "偏差原因分析及改进措施"]):
        put(12, 1 + i, text)
    r = 13
    starts: dict[int, int] = {}
    for level1, level2, name, target, actual, weight, score in rows:
        if level1 is not None:
            put(r, 1, level1)
            starts[1] = r
        put(r, 2, level2)
        put(r, 3, name)
        if percent_numbers and isinstance(target, str) and target.endswith("%"):
            put(r, 4, float(target[:-1]) / 100, "0%")
            put(r, 5, float(actual[:-1]) / 100 if isinstance(actual, str) else actual, "0.0%")
        else:
            put(r, 4, target)
            put(r, 5, actual)
        put(r, 6, weight)
        put(r, 7, score)
        if reasons and name in reasons:
            put(r, 8, reasons[name])
        if name:
            where[name] = f"{ws.title}!{ws.cell(top + r, left + 7).coordinate}"
        r += 1
    merge(12, 0, r - 1, 0)
    put(r, 0, "总分")
    merge(r, 0, r, 5)
    put(r, 6, 100)
    put(r, 7, total)
    where["total"] = f"{ws.title}!{ws.cell(top + r, left + 7).coordinate}"
    if grade is not None:
        put(r + 1, 0, "评价等级")
        merge(r + 1, 0, r + 1, 5)
        put(r + 1, 6, grade)
    return where


def seed_003_workbook(path: Path, **options: Any) -> dict[str, str]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件 自评表"
    where = write_official(ws, **options)
    wb.save(path)
    return where


def sichuan_workbook(path: Path) -> None:
    """Sichuan's variant: 指标性质 / 指标值 / 度量单位 columns, 预算执行情况 with 调整后预算数."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws["A1"] = "部门预算项目支出绩效自评表(2023年度)"
    ws["A2"], ws["C2"] = "项目名称", "城乡居民养老保险补助"
    ws["A3"], ws["C3"], ws["F3"], ws["H3"] = "主管部门", "青神县人社局", "实施单位", "青神县社保中心"
    for col, text in zip("CDEFGHI", ["年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"],
                         strict=True):
        ws[f"{col}4"] = text
    ws["A4"] = "预算执行情况(10分)"
    ws["B5"], ws["C5"], ws["D5"], ws["E5"], ws["G5"] = "总额", 120, 120, 102, 10
    ws["B6"], ws["D6"], ws["E6"] = "其中:财政资金", 100, 90
    ws["B7"], ws["D7"], ws["E7"] = "其他资金", 20, 12
    header = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析"]
    for i, text in enumerate(header):
        ws.cell(row=9, column=1 + i, value=text)
    data = [
        ("产出指标", "数量指标", "发放(缴纳)覆盖率", "=", 100, "%", 100, 50, 50, None),
        (None, "质量指标", "足额保障率(参保率)", "≥", 95, "%", 92, 30, 29.05, "部分人员未及时参保"),
        ("满意度指标", "服务对象满意度指标", "参保群众满意度", "定性", "达成年度指标", None, "达成", 10, 10, None),
    ]
    for r, row in enumerate(data, start=10):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    ws["A13"], ws["I13"] = "总分", 97.55
    wb.save(path)
