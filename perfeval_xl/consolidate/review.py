"""The review workbook a finance reviewer sorts, filters, prints and acts on (xlsxwriter).

Sheets, in the order a reviewer works: 回收情况 (with ``--expected``: who has not
returned the form sent to them, who returned something else — :mod:`.expected`), 汇总
(one row per project, worst first: forms with errors, then incomplete ones, then by
total ascending; a totals row that follows the filter), 问题清单 (every finding with a
Chinese 问题类型, its project, file and cell), 抽查 (the sample to re-check by hand,
:mod:`.sample`), 按部门 (per 主管部门, with charts — :mod:`.departments`), 历年对比 (when
the store holds earlier years — :mod:`.history`), 指标明细 (one row per indicator),
未能读取 (every file that could not be read, and why) and 说明 (the run).

An incomplete form shows its partial total — the number ``perfeval-xl score`` prints —
marked （未完成） by its cell format (the cell stays a number, for sorting and filters).
Every formula (the totals row) is stored with its value, so viewers and LibreOffice,
which do not recalculate an .xlsx on opening, show the right numbers. Every sheet
prints (:mod:`.printing`). Written from the store a row at a time, whole rows at once
(:mod:`.fastsheet`), so memory does not grow with the number of indicators.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from .. import display
from ..atomic import atomic_output, write_failure
from ..filemarks import mark
from ..findings import type_name
from ..form.sheet import FastDeflateWorkbook
from ..kinds import SELF, SHEETS, FormKind, all_kinds
from . import printing
from .departments import write_departments
from .expected import Manifest, Returns, match_returns, write_returns
from .history import History, compare_years, write_history
from .printing import Column
from .sample import Sample, choose, write_sample
from .store import Store, blocks_of, extra_of

GRADES = ("优", "良", "中", "差")
GRADE_COLOURS = {"优": "#C6EFCE", "良": "#DDEBF7", "中": "#FFEB9C", "差": "#FFC7CE"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "note": "提示"}
UNGRADED = "未定级"
SOURCES = {"perfeval-xl": "生成的表", "hand-made": "手工表"}

Found = tuple[str, str, str, str | None, str]  # severity, code, where, location, message

def summary_columns(kind: FormKind) -> tuple[Column, ...]:
    """The columns of a kind's summary sheet (汇总, 评分表汇总): who, the kind's own facts (评价方式),
    the amounts, the execution rate (and score), one column per block of the kind, the result."""
    return (
        Column("主管部门", 10, fit=(1, 18)), Column("实施单位", 10, fit=(1, 26)),
        Column("项目名称", 14, fit=(1, 36)), Column("年度", 6, "int", False),
        *(Column(title, 9, fit=(1, 12)) for _, title in kind.extra_columns),
        Column(kind.fund_titles[0], 11, "amount", False), Column(kind.fund_titles[1], 11, "amount", False),
        Column("执行率", 8, "pct", False),
        *((Column("执行率得分", 8, "num", False),) if kind.execution_score else ()),
        *(Column(block.title, 8, "num", False) for block in kind.blocks),
        Column("总分", 14, "num", False), Column("等级", 7, "center"), Column("填报状态", 12, fit=(1, 38)),
        Column("错误", 5, "int", False), Column("警告", 5, "int", False),
        # on screen only (after the printed columns, and never wrapped: a row stays one line on paper)
        *SCREEN_ONLY_COLUMNS,
    )


# The summary's last columns, beyond its print area: which rules, where from, the file, and the
# whole 填报状态 (the printed column shows its first problem and how many there are).
SCREEN_ONLY_COLUMNS = (
    Column("规则", 16, "line", wrap=False), Column("来源", 9, "line_center", wrap=False),
    Column("文件", 30, "line", wrap=False), Column("填报状态（全部）", 60, "line", wrap=False),
)
STATUS_SEPARATOR = "；"


def short_status(status: str) -> str:
    """The 填报状态 as the printed summary shows it, on one line: the first problem up to its first
    comma ("预算执行率低于 90%，须在报告中说明原因" -> "预算执行率低于 90%"), and how many kinds there are."""
    parts = [part for part in status.split(STATUS_SEPARATOR) if part]
    if len(parts) <= 1:
        return status
    return f"{parts[0].split('，')[0]} 等 {len(parts)} 类问题"


PROBLEM_COLUMNS = (
    Column("严重程度", 7, "center"), Column("问题类型", 14), Column("主管部门", 14), Column("实施单位", 14),
    Column("项目名称", 20), Column("位置", 18), Column("单元格", 9), Column("问题", 50), Column("文件", 22),
    Column("代码", 14), Column("表", 7, "center"),
)
DETAIL_COLUMNS = (
    Column("主管部门", 12), Column("实施单位", 12), Column("项目名称", 18), Column("一级指标", 8),
    Column("二级指标", 10), Column("三级指标", 22), Column("年度指标值", 11), Column("实际完成值", 11),
    Column("分值", 6, "num", False), Column("得分", 7, "num", False), Column("偏差率", 8, "dev", False),
    Column("偏差原因分析及改进措施", 28), Column("单元格", 8), Column("文件", 20), Column("表", 7, "center"),
)
UNREADABLE_COLUMNS = (Column("文件", 50), Column("原因", 90))
ABOUT_COLUMNS = (Column("项目", 22), Column("说明", 100))


@dataclass
class ReviewOptions:
    """What the review adds to the store's results: the manifest of the forms issued (read with
    :func:`.expected.read_manifest`), the sample's size and seed, and perfeval-xl's own files the
    run passed over (path, note)."""

    manifest: Manifest | None = None
    sample: int | None = None
    seed: int | None = None
    own_files: list[tuple[str, str]] = field(default_factory=list)


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
    returns: Returns | None = None
    sample: Sample | None = None
    history: History | None = None
    own_files: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Entry:
    """A project of the review with the findings the review adds (duplicates, 与下发不一致, 指标值偏低)."""

    p: sqlite3.Row
    extra: list[Found]

    @property
    def errors(self) -> int:
        return int(self.p["errors"] or 0) + sum(1 for f in self.extra if f[0] == "error")

    @property
    def warnings(self) -> int:
        return int(self.p["warnings"] or 0) + sum(1 for f in self.extra if f[0] == "warning")

    @property
    def complete(self) -> bool:
        return bool(self.p["complete"])

    @property
    def form_kind(self) -> str:
        return str(self.p["form_kind"] or SELF)

    @property
    def sheet_name(self) -> str:
        """The kind's main sheet (自评表, 评分表): what the review calls the form."""
        return SHEETS.get(self.form_kind, self.form_kind)

    def names(self) -> tuple[str, str, str, int, str]:
        p = self.p
        return p["department"] or "", p["unit"] or "", p["project"] or "", p["year"] or 0, p["path"]

    def worst_first(self) -> tuple[Any, ...]:
        """Errors first (most first), then incomplete forms, then by total ascending."""
        total = self.p["total"]
        group = 0 if self.errors else 1 if not self.complete else 2
        return group, -self.errors, float("inf") if total is None else total, self.names()


def _relative(path: str, root: str | None) -> str:
    if root:
        try:
            return os.path.relpath(path, root)
        except ValueError:
            return path
    return path


def write_review(store: Store, run_id: int, output: Path, root: str | None = None,
                 skipped: list[tuple[str, str]] | None = None, options: ReviewOptions | None = None) -> ReviewStats:
    """Write the review of run ``run_id`` to ``output``."""
    options = options or ReviewOptions()
    stats = ReviewStats(own_files=list(options.own_files))
    manifest = options.manifest
    projects = store.run_projects(run_id)
    kept, notes, aside = _choose(projects, stats)

    @cache
    def shown(path: str) -> str:
        return _relative(path, root)

    extra: dict[int, list[Found]] = defaultdict(list)
    for pid, texts in notes.items():
        extra[pid] += [("warning", "duplicate-submission", "项目", None, text) for text in texts]
    for pid, rows in aside.items():  # a forged copy beside the genuine one is no mere resubmission
        for row in rows:
            name = Path(row["path"]).name
            extra[pid] += [(severity, code, f"另一份提交 {name}", location, f"另一份提交的 {name}：{message}")
                           for severity, code, _, location, message in store.findings(row["id"])
                           if severity == "error" and code in INTEGRITY_CODES]
    if manifest is not None:
        stats.returns = match_returns(manifest, projects, shown, store.indicators,
                                      lambda pid: any(f[1] == "form-altered" for f in store.findings(pid)))
        for pid, found in stats.returns.findings.items():
            extra[pid] += found
    stats.history = compare_years(store, kept)
    if stats.history is not None:
        for pid, found in stats.history.findings.items():
            extra[pid] += found
    entries = sorted((Entry(p, extra.get(p["id"], [])) for p in kept), key=Entry.worst_first)
    stats.sample = choose(entries, options.sample, options.seed, lambda e: e.p["department"] or "",
                          Entry.names, lambda e: e.errors > 0)
    started = store.run_started(run_id)
    run_date = f"汇总日期：{display.local_time(started)}"
    # written beside the target and renamed when complete: an interrupted run keeps the last review
    with atomic_output(output, durable=True) as temporary:
        try:
            workbook = FastDeflateWorkbook(str(temporary), {
                "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                "strings_to_urls": False, "default_format_properties": printing.DEFAULT_FONT})
        except OSError as exc:
            raise write_failure(output, exc) from None
        years = sorted({e.p["year"] for e in entries if e.p["year"]})
        title = f"{years[0]}年度项目支出绩效自评汇总" if len(years) == 1 else "项目支出绩效自评汇总"
        workbook.set_properties({"title": title, "subject": "项目支出绩效自评汇总", "author": "perfeval-xl",
                                 "comments": "由 perfeval-xl consolidate 生成；每份自评表均按规则重新计分。"})
        mark(workbook, "review")
        fmt = printing.formats(workbook)
        for grade, colour in GRADE_COLOURS.items():
            fmt[f"grade_{grade}"] = workbook.add_format({"bg_color": colour})
        if stats.returns is not None and manifest is not None:
            write_returns(workbook, fmt, stats.returns, _relative(str(manifest.path.resolve()), root), run_date)
        for kind in all_kinds():  # 汇总 always; another kind's sheet when its forms were returned
            mine = [e for e in entries if e.form_kind == kind.name]
            if mine or kind.name == SELF:
                _summary(workbook, fmt, kind, mine, shown, stats, title, run_date)
        _problems(workbook, fmt, store, entries, shown, stats, title, run_date)
        write_sample(workbook, fmt, stats.sample, lambda e: _sample_values(e, shown), lambda e: not e.complete, run_date)
        write_departments(workbook, fmt, [e.p for e in entries], run_date)
        if stats.history is not None:
            write_history(workbook, fmt, stats.history, shown, run_date)
        _details(workbook, fmt, store, entries, shown, stats, title, run_date)
        _unreadable(workbook, fmt, store, run_id, shown, skipped or [], stats, title, run_date)
        _about(workbook, fmt, store, run_id, stats, shown, title, run_date)
        try:
            workbook.close()
        except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
            raise write_failure(output, exc) from None
    return stats


# Errors of a set-aside submission that the kept one carries into 问题清单: a copy not issued so.
INTEGRITY_CODES = frozenset({"seal-invalid", "form-altered"})


def _choose(projects: list[sqlite3.Row], stats: ReviewStats
            ) -> tuple[list[sqlite3.Row], dict[int, list[str]], dict[int, list[sqlite3.Row]]]:
    """One row per project: the same content under two names counts once; of several
    submissions of one project, the latest file wins. Returns the kept rows and, per kept
    project id, notes on what was set aside and the set-aside submissions."""
    notes: dict[int, list[str]] = defaultdict(list)
    aside: dict[int, list[sqlite3.Row]] = defaultdict(list)
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
            aside[latest["id"]] = rows[1:]
            others = "、".join(Path(r["path"]).name for r in rows[1:])
            notes[latest["id"]].append(
                f"同一项目提交了 {len(rows)} 份（另有 {others}），以最后保存的 {Path(latest['path']).name} 为准"
                "（按文件内记录的保存时间，其次按文件修改时间），其余未计入汇总")
    kept.sort(key=lambda r: (r["department"] or "", r["unit"] or "", r["project"] or ""))
    return kept, notes, aside


def _sheet_title(title: str, sheet: str) -> str:
    return f"{title}——{sheet}"


def _summary(workbook: Any, fmt: dict[str, Any], kind: FormKind, entries: Sequence[Entry],
             shown: Callable[[str], str], stats: ReviewStats, title: str, run_date: str) -> None:
    """A kind's summary sheet: one row per project of that kind, worst first, then the totals row."""
    sheet = printing.add_sheet(workbook, kind.summary_sheet)
    col = {c.title: i for i, c in enumerate(summary_columns(kind))}
    rows = []
    for entry in entries:
        p = entry.p
        blocks, extra = blocks_of(p), extra_of(p)
        rows.append([p["department"], p["unit"], p["project"], p["year"],
                     *(extra.get(key) or "" for key, _ in kind.extra_columns),
                     p["budget"], p["executed"], p["rate"],
                     *((p["exec_score"],) if kind.execution_score else ()),
                     *(blocks.get(block.key) for block in kind.blocks),
                     p["total"], p["grade"] or UNGRADED, short_status(p["status"]), entry.errors, entry.warnings,
                     p["profile"], SOURCES.get(p["kind"], p["kind"]), shown(p["path"]), p["status"]])
    columns = list(printing.fitted(summary_columns(kind), rows))
    for amount in kind.fund_titles:  # wide enough for the largest amount
        index = col[amount]
        longest = max((len(f"{r[index]:,.2f}") for r in rows if r[index] is not None), default=0)
        columns[index] = replace(columns[index], width=max(columns[index].width, longest + 2.0))
    printing.write_header(sheet, fmt, columns)
    partial = {col["总分"]: "partial"}
    table = printing.Table(sheet, fmt, columns)
    for row, (values, entry) in enumerate(zip(rows, entries, strict=True), start=1):
        table.row(row, values, None if entry.complete else partial)
    last = len(rows)
    stats.projects += len(entries)
    if last >= 1:
        _totals(sheet, fmt, kind, col, entries, last)
        sheet.autofilter(0, 0, last, len(columns) - 1)
        grade, errors = col["等级"], col["错误"]
        for g in GRADES:
            sheet.conditional_format(1, grade, last, grade, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                             "format": fmt[f"grade_{g}"]})
        sheet.conditional_format(1, errors, last, errors, {"type": "cell", "criteria": ">", "value": 0,
                                                           "format": fmt["bad"]})
        rate = col["执行率"]
        sheet.conditional_format(1, rate, last, rate, {"type": "cell", "criteria": "<", "value": 0.9,
                                                       "format": fmt["warn"]})
    printing.setup_print(sheet, _sheet_title(title, f"{kind.summary_sheet}（错误最多、未填写完整、总分最低的排在前面）"),
                         run_date)
    sheet.print_area(0, 0, last + 1, col["警告"])  # the screen-only columns do not print


def _totals(sheet: Any, fmt: dict[str, Any], kind: FormKind, col: dict[str, int], entries: Sequence[Entry],
            last: int) -> None:
    """The totals row: formulas that follow the filter, each stored with its value for the whole list."""
    row = last + 1
    end = last + 1  # 1-based number of the last data row
    budget_title, executed_title = kind.fund_titles

    def letter(title: str) -> str:
        return str(xl_col_to_name(col[title]))

    def ref(title: str) -> str:
        return f"{letter(title)}2:{letter(title)}{end}"

    budget = sum(e.p["budget"] or 0 for e in entries)
    executed = sum(e.p["executed"] or 0 for e in entries)
    complete = [e.p["total"] for e in entries if e.complete and e.p["total"] is not None]
    sheet.set_row(row, printing.height(2))
    sheet.merge_range(row, 0, row, col["实施单位"], "合计（随筛选变化）", fmt["total_text"])
    written = set(range(col["实施单位"] + 1))
    sheet.write_formula(row, col["项目名称"], f'=SUBTOTAL(103,{ref("项目名称")})&" 个项目"', fmt["total_text"],
                        f"{len(entries)} 个项目")
    sheet.write_formula(row, col[budget_title], f"=SUBTOTAL(109,{ref(budget_title)})", fmt["total_amount"], budget)
    sheet.write_formula(row, col[executed_title], f"=SUBTOTAL(109,{ref(executed_title)})", fmt["total_amount"],
                        executed)
    b, e = f"{letter(budget_title)}{row + 1}", f"{letter(executed_title)}{row + 1}"
    sheet.write_formula(row, col["执行率"], f'=IF({b}>0,{e}/{b},"")', fmt["total_pct"],
                        executed / budget if budget else "")
    average = sum(complete) / len(complete) if complete else ""
    # The average of the visible complete forms: SUBTOTAL of each cell alone is 0 for a row the filter hides.
    total, grade = ref("总分"), ref("等级")
    visible = f"OFFSET({letter('总分')}2,ROW({total})-ROW({letter('总分')}2),0)"
    graded = f'({grade}<>"{UNGRADED}")'
    sheet.write_formula(row, col["总分"], f"=IFERROR(SUMPRODUCT(SUBTOTAL(109,{visible})*{graded})/"
                                         f'SUMPRODUCT(SUBTOTAL(103,{visible})*{graded}),"")', fmt["total"], average)
    sheet.write_string(row, col["填报状态"], "总分一格为已填写完整项目的平均分", fmt["total_text"])
    for title, value in (("错误", sum(x.errors for x in entries)), ("警告", sum(x.warnings for x in entries))):
        sheet.write_formula(row, col[title], f"=SUBTOTAL(109,{ref(title)})", fmt["total_int"], value)
    written |= {col[t] for t in ("项目名称", budget_title, executed_title, "执行率", "总分", "填报状态", "错误", "警告")}
    for index in sorted(set(col.values()) - written):
        sheet.write_blank(row, index, None, fmt["total_text"])


def _problems(workbook: Any, fmt: dict[str, Any], store: Store, entries: Sequence[Entry],
              shown: Callable[[str], str], stats: ReviewStats, title: str, run_date: str) -> None:
    sheet = printing.add_sheet(workbook, "问题清单")
    printing.write_header(sheet, fmt, PROBLEM_COLUMNS)
    row = 0
    order = {"error": 0, "warning": 1, "note": 2}
    table = printing.Table(sheet, fmt, PROBLEM_COLUMNS, exact=False)
    for entry in entries:
        p = entry.p
        found: list[Found] = list(entry.extra) + [f for f in store.findings(p["id"]) if f[0] != "note"]
        for severity, code, where, location, message in sorted(found, key=lambda f: order.get(f[0], 3)):
            row += 1
            table.row(row, [
                SEVERITY_LABELS.get(severity, severity), type_name(code), p["department"], p["unit"], p["project"],
                where, location, message, shown(p["path"]), code, entry.sheet_name])
    stats.findings = row
    if row:
        sheet.autofilter(0, 0, row, len(PROBLEM_COLUMNS) - 1)
        sheet.conditional_format(1, 0, row, 0, {"type": "cell", "criteria": "==", "value": '"错误"',
                                                "format": fmt["bad"]})
    printing.setup_print(sheet, _sheet_title(title, "问题清单"), run_date)


def _sample_values(entry: Entry, shown: Callable[[str], str]) -> list[object]:
    p = entry.p
    return [p["department"], p["unit"], p["project"], p["total"], p["grade"] or UNGRADED, entry.errors,
            entry.warnings, shown(p["path"])]


def _details(workbook: Any, fmt: dict[str, Any], store: Store, entries: Sequence[Entry],
             shown: Callable[[str], str], stats: ReviewStats, title: str, run_date: str) -> None:
    sheet = printing.add_sheet(workbook, "指标明细")
    printing.write_header(sheet, fmt, DETAIL_COLUMNS)
    row = 0
    table = printing.Table(sheet, fmt, DETAIL_COLUMNS, exact=False)
    for entry in entries:
        p = entry.p
        head = [p["department"], p["unit"], p["project"]]
        path = shown(p["path"])
        for level1, level2, name, target, actual, weight, score, deviation, reason, location in \
                store.indicators(p["id"]):
            row += 1
            table.row(row, [*head, level1, level2, name, target, actual, weight, score, deviation, reason, location,
                            path, entry.sheet_name])
    stats.indicators = row
    if row:
        sheet.autofilter(0, 0, row, len(DETAIL_COLUMNS) - 1)
    printing.setup_print(sheet, _sheet_title(title, "指标明细"), run_date)


def _unreadable(workbook: Any, fmt: dict[str, Any], store: Store, run_id: int, shown: Callable[[str], str],
                skipped: list[tuple[str, str]], stats: ReviewStats, title: str, run_date: str) -> None:
    sheet = printing.add_sheet(workbook, "未能读取")
    printing.write_header(sheet, fmt, UNREADABLE_COLUMNS)
    row = 0
    for path, _, _, status, error in store.run_files(run_id):
        if status == "error":
            row += 1
            printing.write_row(sheet, fmt, row, UNREADABLE_COLUMNS, [shown(path), error or "无法读取"])
    stats.unreadable = row
    for path, reason in skipped:
        row += 1
        printing.write_row(sheet, fmt, row, UNREADABLE_COLUMNS, [shown(path), reason])
    if row:
        sheet.autofilter(0, 0, row, 1)
    printing.setup_print(sheet, _sheet_title(title, "未能读取"), run_date)


def _about(workbook: Any, fmt: dict[str, Any], store: Store, run_id: int, stats: ReviewStats,
           shown: Callable[[str], str], title: str, run_date: str) -> None:
    sheet = printing.add_sheet(workbook, "说明")
    run = store.db.execute("SELECT started, finished, inputs, files, read, reused, failed, generator FROM runs "
                           "WHERE id = ?", (run_id,)).fetchone()
    started, finished, inputs, files, read, reused, failed, generator = run
    rows: list[tuple[str, str]] = [
        ("汇总由", f"{generator} 生成：每个文件都按规则重新计分，不采用文件中保存的得分"),
        ("开始 / 结束", f"{display.local_time(started)} / "
                      f"{display.local_time(finished) if finished else '（未完成）'}"),
        ("读取范围", "；".join(json.loads(inputs or "[]"))),
        ("文件", f"共 {files or 0} 个：本次读取 {read or 0} 个，沿用已读结果 {reused or 0} 个，未能读取 {failed or 0} 个"),
        ("项目", f"{stats.projects} 个（重复文件 {stats.duplicates} 个、重复提交 {stats.resubmissions} 份未重复计入）"),
        ("指标 / 问题", f"{stats.indicators} 个指标，{stats.findings} 条错误和警告（提示未列出）"),
        ("汇总表的顺序", "有错误的表在前（错误多的更前），其次是未填写完整的表，其余按总分从低到高"),
        ("未填写完整的表", "总分一栏是已计分部分之和，标“（未完成）”，与 perfeval-xl score 显示的相同；不定等级，"
                       "不计入平均分"),
        ("等级", "优 ≥ 90，良 80–<90，中 60–<80，差 < 60（按各项目所用规则）"),
    ]
    if stats.returns is not None:
        rows.append(("回收情况", f"对照 {shown(str(stats.returns.manifest.path.resolve()))}：{stats.returns.summary()}"))
        if not stats.returns.manifest.has_indicators:
            rows.append(("与下发不一致", "该生成清单没有“指标”工作表（由较早版本生成），只能按自评表的锁定内容是否被改动"
                                    "判断；用当前版本重新运行 batch 可得到逐项对照"))
    sample = stats.sample
    if sample is not None:
        rows.append(("抽查", f"按主管部门分层随机抽取 {sample.drawn} 份（--sample {sample.size}，--seed {sample.seed}；"
                           f"同样的种子和回收表得到同样的样本），另加全部有错误的 {sample.errors} 份"))
    if stats.history is not None:
        rows.append(("历年对比", f"汇总库中有往年的表：{stats.history.matched} 个项目找到了上一年度的自评表"
                               "（按实施单位 + 项目名称对应，名称中的年份不计）"))
    for path, note in stats.own_files:
        rows.append(("已跳过", f"{shown(path)}：{note}"))
    sheet.set_row(0, 24)
    sheet.write_string(0, 0, title, fmt["title"])
    printing.write_header(sheet, fmt, ABOUT_COLUMNS, row=1, freeze=False)
    for row, (key, value) in enumerate(rows, start=2):
        printing.write_row(sheet, fmt, row, ABOUT_COLUMNS, [key, value], {0: "key"})
    printing.setup_print(sheet, _sheet_title(title, "说明"), run_date, header_row=1)
