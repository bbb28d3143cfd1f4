"""The report section of a 评分表 (python-docx): the table, then the analysis in the pattern of the
published evaluation reports (seed 000, section 四):

    （一）项目决策情况（14分）
    1. 项目立项（4分）
    （1）立项依据充分性（2分）
    ……（得分依据）
    根据评分标准，该项指标得2分。

A row scored from the amounts states its arithmetic (资金到位率=实际到位资金÷预算资金×100%=
2154.81÷2154.81×100%=100%，得4分。), one scored against a target its actual value and target
(实际完成值为85%，指标值≥90%，得2.83分。). Every number is the engine's, recomputed from the form;
the problems still to fix follow on a separate page, not for pasting.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ... import display
from ...export import word
from ...findings import Severity
from ...rounding import div, round_half_away
from .engine import EvaluationResult, RowResult
from .profile import FUND_FIELDS
from .spec import JUDGEMENT, RULE

CHINESE_NUMBERS = "一二三四五六七八九十"
TABLE_HEADER = ("一级指标", "二级指标", "三级指标", "分值", "评分标准", "得分", "得分依据")
NOT_SCORED = {JUDGEMENT: "尚未评分。", RULE: "项目资金未填写完整，尚不能计算。"}


def _points(value: Decimal | None) -> str:
    return f"{display.number(value)}分"


def _chinese(number: int) -> str:
    """1 -> 一 … 10 -> 十, 11 -> 十一 (enough for the 一级指标 of a sheet)."""
    if number <= 10:
        return CHINESE_NUMBERS[number - 1]
    tens, ones = divmod(number, 10)
    return f"{CHINESE_NUMBERS[tens - 1] if tens > 1 else ''}十{CHINESE_NUMBERS[ones - 1] if ones else ''}"


def row_sentence(row: RowResult, result: EvaluationResult) -> str:
    """How a row's score was reached, ending in 得X分。 as the reports write it."""
    if row.score is None:
        return NOT_SCORED.get(row.method, "实际完成值未填写或无法识别，尚不能计分。")
    score = f"得{_points(row.score)}。"
    if row.method == JUDGEMENT:
        return f"根据评分标准，该项指标{score}"
    if row.method == RULE:
        rate = result.rules.rates[row.spec.rule or ""]
        amount, base = getattr(result.spec.funds, rate.amount), getattr(result.spec.funds, rate.base)
        percent = round_half_away(div(amount, base) * 100, 2)
        return (f"{rate.label}={FUND_FIELDS[rate.amount]}÷{FUND_FIELDS[rate.base]}×100%="
                f"{display.number(amount)}÷{display.number(base)}×100%={display.number(percent)}%，{score}")
    measured = row.measured
    assert measured is not None and measured.target is not None
    return f"实际完成值为{display.actual(measured)}，指标值{measured.target.text}，{score}"


def analysis_paragraphs(result: EvaluationResult) -> list[tuple[str, str]]:
    """(style, text) paragraphs of section 四: a heading per 一级 and 二级, each row's name and 分值,
    its 得分依据 and how its score was reached; then the conclusion."""
    out: list[tuple[str, str]] = []
    for number, block in enumerate(result.blocks, start=1):
        out.append(("heading", f"（{_chinese(number)}）项目{block.name}情况（{_points(block.weight)}）"))
        rows = [row for row in result.indicators if row.level1 == block.level1]
        groups: dict[str, list[RowResult]] = {}
        for row in rows:
            groups.setdefault(row.spec.level2.strip(), []).append(row)
        for index, (level2, members) in enumerate(groups.items(), start=1):
            weight = sum((row.weight or Decimal(0) for row in members), Decimal(0))
            out.append(("subheading", f"{index}. {level2}（{_points(weight)}）"))
            for position, row in enumerate(members, start=1):
                out.append(("body", f"（{position}）{row.spec.name}（{_points(row.weight)}）"))
                basis = row.spec.basis.strip()
                if basis:
                    out.append(("body", basis))
                out.append(("body", row_sentence(row, result)))
    spec = result.spec
    what = spec.evaluation_type or "绩效评价"
    if result.grade:
        out.append(("heading", "评价结论"))
        out.append(("body", f"{spec.year}年度{spec.project}{what}得分为{display.number(result.total)}分，"
                            f"评价等级为“{result.grade}”。"))
    else:
        out.append(("heading", "评价结论"))
        out.append(("body", f"{spec.project}评分表尚未填写完整（{result.status()}），暂不能给出总分和等级。"))
    return out


def table_rows(result: EvaluationResult) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """The 评分表 as text rows of the seven columns, with merged ranges (first row, first column,
    last row, last column): 一级 and 二级 over their rows, the totals' labels over three columns."""
    rows: list[list[str]] = [list(TABLE_HEADER)]
    spans: list[tuple[int, str, str]] = []
    for row in result.indicators:
        rows.append([row.spec.level1, row.spec.level2, row.spec.name, display.number(row.weight),
                     row.spec.criteria, "" if row.score is None else display.number(row.score), row.spec.basis])
        spans.append((len(rows) - 1, row.spec.level1.strip(), row.spec.level2.strip()))
    merges = word.merged_runs(spans, lambda s: s[1], 0) + word.merged_runs(spans, lambda s: (s[1], s[2]), 1)
    rows.append(["总分", "", "", display.number(result.weight_total), "", display.number(result.total), ""])
    rows.append(["评价等级", "", "", result.grade or "未定级", "", "", ""])
    last = len(rows) - 1
    merges += [(last - 1, 0, last - 1, 2), (last, 0, last, 2), (last, 3, last, 6)]
    return rows, merges


def _table(document: Any, result: EvaluationResult) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT

    rows, merges = table_rows(result)
    table = document.add_table(rows=len(rows), cols=len(TABLE_HEADER))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    covered = {(r, c) for r1, c1, r2, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            if (r, c) in covered:
                continue
            paragraph = table.cell(r, c).paragraphs[0]
            paragraph.style = document.styles[word.TABLE_STYLE]
            if text:
                word.fonts(paragraph.add_run(text), "table_head" if r == 0 else "table")
    for r1, c1, r2, c2 in merges:
        table.cell(r1, c1).merge(table.cell(r2, c2))
    for row in table.rows:
        row._tr.get_or_add_trPr().append(word.element("w:cantSplit"))  # a row is never split over two pages
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def write_evaluation_report(result: EvaluationResult, dest: Path) -> Path:
    """The Word document, in the conventions of every report section (:mod:`perfeval_xl.export.word`):
    the analysis on portrait pages, the 评分表 on landscape pages, and (on a page of its own, not for
    pasting) what still needs fixing."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    word.styles(document)
    word.section(document.sections[0], landscape=False)
    document.add_heading("绩效评价指标分析情况", level=1)
    levels = {"heading": 2, "subheading": 3}
    for kind, text in analysis_paragraphs(result):
        if kind in levels:
            document.add_heading(text, level=levels[kind])
        else:
            document.add_paragraph(text)
    word.section(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    spec = result.spec
    word.text(document, "项目支出绩效评分表", "title", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    word.text(document, f"（{spec.year}年度）{spec.project}", "subtitle", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _table(document, result)
    word.problems_page(document, [f for f in result.all_findings() if f.severity is not Severity.NOTE])
    return word.save(document, dest)
