"""The review workbook a finance reviewer sorts, filters and acts on (xlsxwriter).

Sheets: 汇总 (one row per project, a totals row that follows the filter), 指标明细
(one row per indicator), 问题清单 (every finding with its project, file and cell),
按部门 (grades, average score, money and execution rate per 主管部门, with native
charts), 未能读取 (every file that could not be read, and why), 说明 (the run).
Written from the store, one row at a time, so memory does not grow with the
number of files.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..atomic import atomic_output, write_failure
from ..errors import FileError, os_reason
from .store import Store

GRADES = ("优", "良", "中", "差")
GRADE_COLOURS = {"优": "#C6EFCE", "良": "#DDEBF7", "中": "#FFEB9C", "差": "#FFC7CE"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "note": "提示"}

SUMMARY_COLUMNS = (
    ("主管部门", 18), ("实施单位", 18), ("项目名称", 26), ("年度", 6), ("全年预算数（万元）", 12),
    ("全年执行数（万元）", 12), ("执行率", 8), ("执行率得分", 8), ("产出指标得分", 8), ("效益指标得分", 8),
    ("满意度指标得分", 8), ("总分", 8), ("等级", 6), ("填报状态", 30), ("错误", 6), ("警告", 6), ("规则", 12),
    ("来源", 10), ("文件", 40),
)


@dataclass
class ReviewStats:
    """What the review contains."""

    projects: int = 0
    indicators: int = 0
    findings: int = 0
    unreadable: int = 0
    duplicates: int = 0
    resubmissions: int = 0
    extra: list[tuple[str, str, str]] = field(default_factory=list)  # (file, project, message)


def _relative(path: str, root: str | None) -> str:
    if root:
        try:
            return os.path.relpath(path, root)
        except ValueError:
            return path
    return path


def write_review(store: Store, run_id: int, output: Path, root: str | None = None,
                 skipped: list[tuple[str, str]] | None = None) -> ReviewStats:
    """Write the review of run ``run_id`` to ``output``."""
    stats = ReviewStats()
    projects = store.run_projects(run_id)
    kept, notes = _choose(projects, stats)
    # written beside the target and renamed when complete: an interrupted run keeps the last review
    with atomic_output(output, durable=True) as temporary:
        _write(store, run_id, temporary, output, root, skipped or [], stats, kept, notes)
    return stats


def _write(store: Store, run_id: int, temporary: Path, output: Path, root: str | None,
           skipped: list[tuple[str, str]], stats: ReviewStats, kept: list[sqlite3.Row],
           notes: dict[int, list[str]]) -> None:
    try:
        workbook = xlsxwriter.Workbook(str(temporary), {"constant_memory": True, "strings_to_numbers": False,
                                                        "strings_to_formulas": False, "strings_to_urls": False})
    except OSError as exc:
        raise FileError(f"无法写入 {output}：{os_reason(exc)}") from None
    fmt = _formats(workbook)
    _summary(workbook, fmt, kept, notes, root, stats)
    _details(workbook, fmt, store, kept, root, stats)
    _problems(workbook, fmt, store, kept, notes, root, stats)
    _departments(workbook, fmt, kept)
    _unreadable(workbook, fmt, store, run_id, root, skipped, stats)
    _about(workbook, fmt, store, run_id, stats)
    try:
        workbook.close()
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        raise write_failure(output, exc) from None


def _choose(projects: list[sqlite3.Row], stats: ReviewStats
            ) -> tuple[list[sqlite3.Row], dict[int, list[str]]]:
    """One row per project: the same content under two names counts once; of several
    submissions of one project, the latest file wins. Returns the kept rows and,
    per kept project id, notes on what was set aside."""
    notes: dict[int, list[str]] = defaultdict(list)
    by_content: dict[tuple[str, int], list[sqlite3.Row]] = defaultdict(list)
    for row in projects:
        by_content[(row["sha256"], row["position"])].append(row)
    unique = []
    for rows in by_content.values():
        first = rows[0]
        unique.append(first)
        if len(rows) > 1:
            stats.duplicates += len(rows) - 1
            others = "、".join(Path(r["path"]).name for r in rows[1:])
            notes[first["id"]].append(f"重复文件：{others} 与 {Path(first['path']).name} 内容完全相同，只计一次")
    by_key: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for row in unique:
        by_key[row["project_key"]].append(row)
    kept = []
    for rows in by_key.values():
        rows.sort(key=lambda r: (r["saved_at"] or "", r["mtime"] or 0, r["path"]), reverse=True)
        latest = rows[0]
        kept.append(latest)
        if len(rows) > 1:
            stats.resubmissions += len(rows) - 1
            others = "、".join(Path(r["path"]).name for r in rows[1:])
            notes[latest["id"]].append(
                f"同一项目提交了 {len(rows)} 份（另有 {others}），以最后保存的 {Path(latest['path']).name} 为准"
                "（按文件内记录的保存时间，其次按文件修改时间），其余未计入汇总")
    kept.sort(key=lambda r: (r["department"] or "", r["unit"] or "", r["project"] or ""))
    return kept, notes


def _formats(workbook: Any) -> dict[str, Any]:
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}

    def f(**extra: Any) -> Any:
        return workbook.add_format({**base, **extra})

    return {
        "head": f(bold=True, bg_color="#D9E1F2", border=1, text_wrap=True, align="center"),
        "text": f(), "wrap": f(text_wrap=True), "num": f(num_format="0.00"), "amount": f(num_format="#,##0.00"),
        "pct": f(num_format="0.00%"), "dev": f(num_format='+0.0%;-0.0%;"0"'), "int": f(num_format="0"),
        "total": f(bold=True, top=1, num_format="0.00"), "total_amount": f(bold=True, top=1, num_format="#,##0.00"),
        "total_text": f(bold=True, top=1), "total_pct": f(bold=True, top=1, num_format="0.00%"),
        "title": f(bold=True, font_size=12),
        **{f"grade_{g}": workbook.add_format({"bg_color": c}) for g, c in GRADE_COLOURS.items()},
        "bad": workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "warn": workbook.add_format({"bg_color": "#FFEB9C"}),
    }


def _header(sheet: Any, fmt: dict[str, Any], columns: tuple[tuple[str, float], ...]) -> None:
    for col, (title, width) in enumerate(columns):
        sheet.set_column(col, col, width)
        sheet.write(0, col, title, fmt["head"])
    sheet.freeze_panes(1, 0)


def _summary(workbook: Any, fmt: dict[str, Any], kept: list[sqlite3.Row], notes: dict[int, list[str]],
             root: str | None, stats: ReviewStats) -> None:
    sheet = workbook.add_worksheet("汇总")
    _header(sheet, fmt, SUMMARY_COLUMNS)
    row = 0
    for row, p in enumerate(kept, start=1):
        values = [p["department"], p["unit"], p["project"], p["year"], p["budget"], p["executed"], p["rate"],
                  p["exec_score"], p["output"], p["benefit"], p["satisfaction"], p["total"] if p["complete"] else None,
                  p["grade"], p["status"], p["errors"], p["warnings"] + len(notes.get(p["id"], [])), p["profile"],
                  "perfeval-xl 表" if p["kind"] == "perfeval-xl" else "手工表", _relative(p["path"], root)]
        formats = ["text", "text", "wrap", "int", "amount", "amount", "pct", "num", "num", "num", "num", "num",
                   "text", "wrap", "int", "int", "text", "text", "text"]
        for col, (value, name) in enumerate(zip(values, formats, strict=True)):
            if value is None:
                sheet.write_blank(row, col, None, fmt[name])
            else:
                sheet.write(row, col, value, fmt[name])
    stats.projects = len(kept)
    last = row
    total_row = last + 1
    if last >= 1:
        sheet.write(total_row, 0, "合计（随筛选变化）", fmt["total_text"])
        sheet.write_formula(total_row, 2, f"=SUBTOTAL(103,C2:C{last + 1})&\" 个项目\"", fmt["total_text"])
        for col, kind in ((4, "total_amount"), (5, "total_amount")):
            letter = xl_col_to_name(col)
            sheet.write_formula(total_row, col, f"=SUBTOTAL(109,{letter}2:{letter}{last + 1})", fmt[kind])
        sheet.write_formula(total_row, 6, f"=IF(E{total_row + 1}>0,F{total_row + 1}/E{total_row + 1},\"\")",
                            fmt["total_pct"])
        sheet.write_formula(total_row, 11, f"=IFERROR(SUBTOTAL(101,L2:L{last + 1}),\"\")", fmt["total"])
        sheet.write(total_row, 13, "（总分一格为平均分）", fmt["total_text"])
        for col in (14, 15):
            letter = xl_col_to_name(col)
            sheet.write_formula(total_row, col, f"=SUBTOTAL(109,{letter}2:{letter}{last + 1})", fmt["total_text"])
        sheet.autofilter(0, 0, last, len(SUMMARY_COLUMNS) - 1)
        for grade in GRADES:
            sheet.conditional_format(1, 12, last, 12, {"type": "cell", "criteria": "==", "value": f'"{grade}"',
                                                       "format": fmt[f"grade_{grade}"]})
        sheet.conditional_format(1, 14, last, 14, {"type": "cell", "criteria": ">", "value": 0, "format": fmt["bad"]})
        sheet.conditional_format(1, 6, last, 6, {"type": "cell", "criteria": "<", "value": 0.9, "format": fmt["warn"]})
        sheet.conditional_format(1, 11, last, 11, {"type": "data_bar", "bar_color": "#9BC2E6",
                                                   "min_type": "num", "min_value": 0, "max_type": "num",
                                                   "max_value": 100})


def _details(workbook: Any, fmt: dict[str, Any], store: Store, kept: list[sqlite3.Row], root: str | None,
             stats: ReviewStats) -> None:
    sheet = workbook.add_worksheet("指标明细")
    columns = (("主管部门", 16), ("实施单位", 16), ("项目名称", 22), ("一级指标", 10), ("二级指标", 12),
               ("三级指标", 28), ("年度指标值", 12), ("实际完成值", 12), ("分值", 6), ("得分", 7), ("偏差率", 8),
               ("偏差原因分析及改进措施", 30), ("单元格", 12), ("文件", 36))
    _header(sheet, fmt, columns)
    row = 0
    for p in kept:
        for ind in store.indicators(p["id"]):
            level1, level2, name, target, actual, weight, score, deviation, reason, location = ind
            row += 1
            values = [p["department"], p["unit"], p["project"], level1, level2, name, target, actual, weight, score,
                      deviation, reason, location, _relative(p["path"], root)]
            formats = ["text"] * 8 + ["num", "num", "dev", "wrap", "text", "text"]
            for col, (value, name_) in enumerate(zip(values, formats, strict=True)):
                if value is None or value == "":
                    sheet.write_blank(row, col, None, fmt[name_])
                else:
                    sheet.write(row, col, value, fmt[name_])
    stats.indicators = row
    if row:
        sheet.autofilter(0, 0, row, len(columns) - 1)


def _problems(workbook: Any, fmt: dict[str, Any], store: Store, kept: list[sqlite3.Row],
              notes: dict[int, list[str]], root: str | None, stats: ReviewStats) -> None:
    sheet = workbook.add_worksheet("问题清单")
    columns = (("严重程度", 8), ("代码", 18), ("主管部门", 16), ("项目名称", 22), ("位置", 26), ("单元格", 14),
               ("问题", 60), ("文件", 36))
    _header(sheet, fmt, columns)
    row = 0
    order = {"error": 0, "warning": 1, "note": 2}
    for p in kept:
        found = [("warning", "duplicate-submission", "项目", None, text) for text in notes.get(p["id"], [])]
        found += [tuple(f) for f in store.findings(p["id"]) if f[0] != "note"]
        for severity, code, where, location, message in sorted(found, key=lambda f: order.get(f[0], 3)):
            row += 1
            values = [SEVERITY_LABELS.get(severity, severity), code, p["department"], p["project"], where, location,
                      message, _relative(p["path"], root)]
            for col, value in enumerate(values):
                if value is None:
                    sheet.write_blank(row, col, None, fmt["text"])
                else:
                    sheet.write(row, col, value, fmt["wrap" if col in (4, 6) else "text"])
    stats.findings = row
    if row:
        sheet.autofilter(0, 0, row, len(columns) - 1)
        sheet.conditional_format(1, 0, row, 0, {"type": "cell", "criteria": "==", "value": '"错误"',
                                                "format": fmt["bad"]})


def _departments(workbook: Any, fmt: dict[str, Any], kept: list[sqlite3.Row]) -> None:
    sheet = workbook.add_worksheet("按部门")
    columns = (("主管部门", 22), ("项目数", 8), *((g, 6) for g in GRADES), ("未定级", 8), ("平均分", 8),
               ("全年预算数（万元）", 14), ("全年执行数（万元）", 14), ("执行率", 8))
    _header(sheet, fmt, columns)
    groups: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for p in kept:
        groups[p["department"] or "（未填写主管部门）"].append(p)
    row = 0
    for row, (department, rows) in enumerate(sorted(groups.items()), start=1):
        grades = Counter(p["grade"] or "" for p in rows)
        totals = [p["total"] for p in rows if p["complete"] and p["total"] is not None]
        budget = sum(p["budget"] or 0 for p in rows)
        executed = sum(p["executed"] or 0 for p in rows)
        values = [department, len(rows), *(grades.get(g, 0) for g in GRADES), grades.get("", 0),
                  (sum(totals) / len(totals)) if totals else None, budget, executed,
                  (executed / budget) if budget else None]
        formats = ["text", "int", "int", "int", "int", "int", "int", "num", "amount", "amount", "pct"]
        for col, (value, name) in enumerate(zip(values, formats, strict=True)):
            if value is None:
                sheet.write_blank(row, col, None, fmt[name])
            else:
                sheet.write(row, col, value, fmt[name])
    if row == 0:
        return
    last = row
    grade_chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
    for offset, grade in enumerate(GRADES):
        col = 2 + offset
        grade_chart.add_series({
            "name": ["按部门", 0, col], "categories": ["按部门", 1, 0, last, 0],
            "values": ["按部门", 1, col, last, col], "fill": {"color": GRADE_COLOURS[grade]},
            "border": {"color": "#808080"},
        })
    grade_chart.set_title({"name": "各部门项目等级分布"})
    grade_chart.set_y_axis({"name": "项目数"})
    grade_chart.set_size({"width": 720, "height": 360})
    sheet.insert_chart(last + 3, 0, grade_chart)
    rate_chart = workbook.add_chart({"type": "bar"})
    rate_chart.add_series({"name": "执行率", "categories": ["按部门", 1, 0, last, 0],
                           "values": ["按部门", 1, 10, last, 10], "fill": {"color": "#5B9BD5"},
                           "data_labels": {"value": True, "num_format": "0.0%"}})
    rate_chart.set_title({"name": "各部门预算执行率"})
    rate_chart.set_x_axis({"num_format": "0%", "min": 0})
    rate_chart.set_legend({"none": True})
    rate_chart.set_size({"width": 720, "height": max(300, 24 * last + 80)})
    sheet.insert_chart(last + 3, 8, rate_chart)


def _unreadable(workbook: Any, fmt: dict[str, Any], store: Store, run_id: int, root: str | None,
                skipped: list[tuple[str, str]], stats: ReviewStats) -> None:
    sheet = workbook.add_worksheet("未能读取")
    _header(sheet, fmt, (("文件", 50), ("原因", 90)))
    row = 0
    for path, _, _, status, error in store.run_files(run_id):
        if status == "error":
            row += 1
            sheet.write(row, 0, _relative(path, root), fmt["text"])
            sheet.write(row, 1, error or "无法读取", fmt["wrap"])
    stats.unreadable = row
    for path, reason in skipped:
        row += 1
        sheet.write(row, 0, _relative(path, root), fmt["text"])
        sheet.write(row, 1, reason, fmt["wrap"])
    if row:
        sheet.autofilter(0, 0, row, 1)


def _about(workbook: Any, fmt: dict[str, Any], store: Store, run_id: int, stats: ReviewStats) -> None:
    sheet = workbook.add_worksheet("说明")
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 90)
    run = store.db.execute("SELECT started, finished, inputs, files, read, reused, failed, generator FROM runs "
                           "WHERE id = ?", (run_id,)).fetchone()
    started, finished, inputs, files, read, reused, failed, generator = run
    rows = [
        ("汇总由", f"{generator} 生成：每个文件都按规则重新计分，不采用文件中保存的得分"),
        ("开始 / 结束", f"{started} / {finished or '（未完成）'}"),
        ("读取范围", "；".join(json.loads(inputs or "[]"))),
        ("文件", f"共 {files or 0} 个：本次读取 {read or 0} 个，沿用已读结果 {reused or 0} 个，未能读取 {failed or 0} 个"),
        ("项目", f"{stats.projects} 个（重复文件 {stats.duplicates} 个、重复提交 {stats.resubmissions} 份未重复计入）"),
        ("指标 / 问题", f"{stats.indicators} 个指标，{stats.findings} 条错误和警告（提示未列出）"),
        ("等级", "优 ≥ 90，良 80–<90，中 60–<80，差 < 60（按各项目所用规则）；未填写完整的项目不定级"),
    ]
    sheet.write(0, 0, "项目支出绩效自评汇总", fmt["title"])
    for row, (key, value) in enumerate(rows, start=2):
        sheet.write(row, 0, key, fmt["head"])
        sheet.write(row, 1, value, fmt["wrap"])
