"""The report section officials paste into their 绩效自评报告 (python-docx).

First the self-evaluation table as a Word table, then the analysis in the
sentence pattern of the published reports (seed 002):

- the budget execution paragraph: 指标目标值为100.0%，设定分值20分。实际完成81.2%，得16.25分，指标值偏差率为-18.8%。
- per block: 评价设定分值40分，自评得分39.79分，得分率99.5%
- per indicator: 全年案件结案率，指标目标值97.0%，设定分值10分。实际完成值为95.0%，得9.79分，指标值偏差率为-2.1%；
  (with the 偏差原因 before 实际完成值 when one is given, as the reports do)
- the conclusion with total and grade.

Every number is the engine's, recomputed from the form, not copied from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ... import display
from ...engine import IndicatorResult, ProjectResult
from ...export import word
from ...findings import Severity
from ...rounding import div, round_half_away
from ...spec import FUND_LABELS, FUND_ROWS


def _percent_places(text: str) -> int:
    if "%" in text and "." in text.split("%")[0]:
        return len(text.split("%")[0].split(".")[1])
    return 0


def shown_actual(ind: IndicatorResult) -> str:
    """The 实际完成值 as the report writes it (as typed; percentages to the target's decimals)."""
    return display.actual(ind, _percent_places(ind.target.text) if ind.target is not None else None)


def indicator_sentence(ind: IndicatorResult, with_reason: bool = True) -> str:
    """One indicator in the reports' pattern (without the closing ；/。)."""
    name = ind.spec.name
    target = ind.target.text if ind.target else "—"
    weight = display.number(ind.weight)
    actual = shown_actual(ind)
    reason = ind.spec.reason.strip().rstrip("。；;，,") if with_reason and ind.spec.reason else ""
    middle = f"{reason}，" if reason else ""
    text = f"{name}，指标目标值{target}，设定分值{weight}分。{middle}实际完成值为{actual}，得{display.number(ind.score)}分"
    deviation = _deviation_text(ind)
    return text + (f"，指标值偏差率为{deviation}" if deviation is not None else "")


def _deviation_text(ind: IndicatorResult) -> str | None:
    if ind.band is not None:
        return "0" if ind.band.key == "achieved" else None
    if ind.deviation is not None:
        return display.deviation(ind.deviation)
    if ind.target is not None and ind.actual is not None and ind.target.value == ind.actual:
        return "0"  # a zero target met: the reports write 0
    return None


def analysis_paragraphs(result: ProjectResult) -> list[tuple[str, str]]:
    """(kind, text) paragraphs of the analysis: headings of the second level (（一）…) and the third
    (1、…), and sentences ("body")."""
    out: list[tuple[str, str]] = []
    ex = result.execution
    out.append(("heading2", "（一）预算执行率"))
    if ex.rate is not None:
        rate = round_half_away(ex.rate * 100, 1)
        deviation = display.deviation(ex.rate - 1)
        out.append(("body", f"指标目标值为100.0%，设定分值{display.number(ex.weight)}分。"
                            f"实际完成{rate:f}%，得{display.number(ex.score)}分，指标值偏差率为{deviation}。"))
    else:
        out.append(("body", "全年预算数或全年执行数未填写，无法计算预算执行率。"))
    out.append(("heading2", "（二）绩效目标完成情况分析"))
    for index, block in enumerate(result.blocks):
        members = [i for i in result.indicators if i.level1 in block.levels]
        if not members:
            continue
        rate = (round_half_away(block.score / block.weight * 100, 1) if block.weight else Decimal(0))
        out.append(("heading3", f"{index + 1}、{block.name}完成情况分析"))
        out.append(("body", f"评价设定分值{display.number(block.weight)}分，自评得分{display.number(block.score)}分，"
                            f"得分率{rate:f}%"))
        groups: dict[str, list[IndicatorResult]] = {}
        for ind in members:
            groups.setdefault(ind.level2, []).append(ind)
        for number, (level2, inds) in enumerate(groups.items()):
            out.append(("body", f"（{number + 1}）{level2}："))
            for position, ind in enumerate(inds):
                end = "。" if position == len(inds) - 1 else "；"
                out.append(("body", indicator_sentence(ind) + end))
    out.append(("heading2", "（三）自评结论"))
    if result.grade:
        out.append(("body", f"{result.spec.year}年度{result.spec.project}绩效自评得分为{display.number(result.total)}分，"
                            f"自评等级为“{result.grade}”。"))
    else:
        out.append(("body", f"{result.spec.project}自评表尚未填写完整（{result.status()}），暂不能给出总分和等级。"))
    return out


TABLE_COLUMNS = 9  # as the official form: a block label, then 一级 … 偏差原因分析及改进措施
INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
FUNDS_HEADER = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")


def form_rows(result: ProjectResult) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """The 自评表 as the official form lays it out: 9 columns of text, and the merged ranges
    (first row, first column, last row, last column). 一级 and 二级 cells span their rows."""
    spec, ex = result.spec, result.execution
    rows: list[list[str]] = []
    merges: list[tuple[int, int, int, int]] = []

    def add(*cells: str) -> int:
        rows.append(list(cells) + [""] * (TABLE_COLUMNS - len(cells)))
        return len(rows) - 1

    r = add("项目名称", "", spec.project)
    merges += [(r, 0, r, 1), (r, 2, r, 8)]
    r = add("主管部门", "", spec.department, "", "", "实施单位", spec.unit)
    merges += [(r, 0, r, 1), (r, 2, r, 4), (r, 6, r, 8)]
    first = add("项目资金（万元）", "", "", *FUNDS_HEADER)
    total_row = spec.funds.get("total")
    initial = (total_row.initial if total_row is not None and total_row.initial is not None
               else _sum(spec.funds[k].initial for k in FUND_ROWS if k in spec.funds))
    add("", "", FUND_LABELS["total"], _amount(initial), _amount(ex.budget), _amount(ex.executed),
        display.number(ex.weight), display.percent(ex.rate), display.number(ex.score))
    for key in FUND_ROWS:
        row = spec.funds.get(key)
        budget, executed = (row.budget, row.executed) if row else (None, None)
        rate = div(executed, budget) if budget and executed is not None else None
        label = ("其中：" if key == FUND_ROWS[0] else "") + FUND_LABELS[key]
        last = add("", "", label, _amount(row.initial if row else None), _amount(budget), _amount(executed),
                   "—", display.percent(rate) if rate is not None else "—", "—")
    merges.append((first, 0, last, 1))
    r = add("年度总体目标", "", "预期目标", "", "", "实际完成情况")
    add("", "", spec.goal_expected, "", "", spec.goal_actual)
    merges += [(r, 0, r + 1, 1), (r, 2, r, 4), (r, 5, r, 8), (r + 1, 2, r + 1, 4), (r + 1, 5, r + 1, 8)]
    header = add("绩效指标", *INDICATOR_HEADER)
    spans: list[tuple[int, str, str]] = []  # (row, 一级, 二级) of each indicator row
    for level1, level2, ind in form_order(result):
        if ind is None:  # a 二级指标 without indicators keeps its (empty) row, as on the form
            r = add("", level1, level2)
        else:
            r = add("", level1, level2, ind.spec.name, ind.target.text if ind.target else "",
                    "" if ind.spec.actual is None else shown_actual(ind), display.number(ind.weight),
                    display.number(ind.score), ind.spec.reason)
        spans.append((r, level1, level2))
    merges.append((header, 0, len(rows) - 1, 0))
    merges += word.merged_runs(spans, lambda s: s[1], 1) + word.merged_runs(spans, lambda s: (s[1], s[2]), 2)
    r = add("总分", "", "", "", "", "", display.number(result.weight_total), display.number(result.total))
    merges.append((r, 0, r, 5))
    r = add("评价等级", "", "", "", "", "", result.grade or "未定级")
    merges += [(r, 0, r, 5), (r, 6, r, 8)]
    return rows, merges


def form_order(result: ProjectResult) -> list[tuple[str, str, IndicatorResult | None]]:
    """(一级, 二级, indicator) in the form's order: every 二级指标 of the rules' hierarchy with its
    indicators, or once with None when it has none (the printed form keeps one row for it);
    indicators under names the rules do not know follow at the end, in their own order."""
    out: list[tuple[str, str, IndicatorResult | None]] = []
    placed: set[int] = set()
    for level1, level2s in result.rules.hierarchy.items():
        for level2 in level2s:
            members = [i for i in result.indicators if (i.level1, i.level2) == (level1, level2)]
            placed.update(id(i) for i in members)
            out += [(level1, level2, i) for i in members] or [(level1, level2, None)]
    out += [(i.level1, i.level2, i) for i in result.indicators if id(i) not in placed]
    return out


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _amount(value: Decimal | None) -> str:
    return "" if value is None else display.amount(value)


# Widths (cm) of the table's nine columns on a landscape page (25.7 cm between the margins): 三级指标
# and 偏差原因 get the room their text needs (a long 三级指标 takes two lines), 二级指标 takes 可持续影响指标
# on one line, 得分 takes the 执行率 100.00% of the funds rows above it.
TABLE_WIDTHS = (1.2, 1.8, 3.3, 5.0, 2.3, 2.3, 1.2, 1.8, 6.8)


def form_table(document: Any, result: ProjectResult) -> Any:
    """The 自评表 as a Word table with the official form's merged cells and column widths."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    rows, merges = form_rows(result)
    table = document.add_table(rows=len(rows), cols=TABLE_COLUMNS)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for width, column in zip(TABLE_WIDTHS, table.columns, strict=True):
        column.width = Cm(width)  # the grid LibreOffice and Word lay the table out by
        for cell in column.cells:
            cell.width = Cm(width)
    indicator_header = next((r for r, texts in enumerate(rows) if texts[1] == "一级指标"), len(rows))
    heads = {indicator_header} | {r for r, texts in enumerate(rows) if texts[3] == FUNDS_HEADER[0]}
    covered = {(r, c) for r1, c1, r2, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    labels = {"项目名称", "主管部门", "实施单位", "项目资金（万元）", "年度总体目标", "绩效指标", "总分", "评价等级",
              "预期目标", "实际完成情况"}
    goals = next((r + 1 for r, texts in enumerate(rows) if texts[0] == "年度总体目标"), -1)
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            if (r, c) in covered:
                continue
            paragraph = table.cell(r, c).paragraphs[0]
            paragraph.style = document.styles[word.TABLE_STYLE]
            if not text:
                continue
            # names and explanations read from the left, as on the form; numbers and labels centred
            left = (r > indicator_header and c in (3, 8)) or r == goals or (r < 2 and c in (2, 6))
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            word.fonts(paragraph.add_run(text), "table_head" if r in heads or text in labels else "table")
    for r1, c1, r2, c2 in merges:
        merged = table.cell(r1, c1).merge(table.cell(r2, c2))
        for extra in merged.paragraphs[1:]:  # merging keeps each cell's empty paragraph: one line each
            if not extra.text:
                extra._element.getparent().remove(extra._element)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(word.element("w:cantSplit"))  # a row is never split over two pages
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def write_report(result: ProjectResult, dest: Path) -> Path:
    """The Word document: the analysis on portrait pages, the 自评表 on a landscape page, and (on a
    page of its own, not for pasting) what still needs fixing."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    word.styles(document)
    word.section(document.sections[0], landscape=False)
    spec = result.spec
    document.add_heading("绩效自评情况分析", level=1)
    for kind, text in analysis_paragraphs(result):
        if kind in word.HEADINGS:
            document.add_heading(text, level=int(kind[-1]))
        else:
            document.add_paragraph(text)

    word.section(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    word.text(document, "项目支出绩效自评表", "title", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    word.text(document, f"（{spec.year}年度）", "subtitle", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    form_table(document, result)

    word.problems_page(document, [f for f in result.all_findings() if f.severity is not Severity.NOTE])
    return word.save(document, dest)
