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

from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import display
from ..atomic import atomic_output
from ..engine import IndicatorResult, ProjectResult
from ..findings import Severity
from ..rounding import div, round_half_away
from ..spec import FUND_LABELS, FUND_ROWS


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
    """(style, text) paragraphs of the analysis: headings and sentences."""
    out: list[tuple[str, str]] = []
    ex = result.execution
    out.append(("heading", "（一）预算执行率"))
    if ex.rate is not None:
        rate = round_half_away(ex.rate * 100, 1)
        deviation = display.deviation(ex.rate - 1)
        out.append(("body", f"指标目标值为100.0%，设定分值{display.number(ex.weight)}分。"
                            f"实际完成{rate:f}%，得{display.number(ex.score)}分，指标值偏差率为{deviation}。"))
    else:
        out.append(("body", "全年预算数或全年执行数未填写，无法计算预算执行率。"))
    out.append(("heading", "（二）绩效目标完成情况分析"))
    for index, block in enumerate(result.blocks):
        members = [i for i in result.indicators if i.level1 in block.levels]
        if not members:
            continue
        rate = (round_half_away(block.score / block.weight * 100, 1) if block.weight else Decimal(0))
        out.append(("heading", f"{index + 1}、{block.name}完成情况分析"))
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
    out.append(("heading", "（三）自评结论"))
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
    for ind in result.indicators:
        r = add("", ind.level1, ind.level2, ind.spec.name, ind.target.text if ind.target else "",
                "" if ind.spec.actual is None else shown_actual(ind), display.number(ind.weight),
                display.number(ind.score), ind.spec.reason)
        spans.append((r, ind.level1, ind.level2))
    merges.append((header, 0, len(rows) - 1, 0))
    merges += _runs(spans, lambda s: s[1], 1) + _runs(spans, lambda s: (s[1], s[2]), 2)
    r = add("总分", "", "", "", "", "", display.number(result.weight_total), display.number(result.total))
    merges.append((r, 0, r, 5))
    r = add("评价等级", "", "", "", "", "", result.grade or "未定级")
    merges += [(r, 0, r, 5), (r, 6, r, 8)]
    return rows, merges


def _runs(spans: list[tuple[int, str, str]], key: Callable[[tuple[int, str, str]], object],
          col: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges over consecutive rows with the same key, in column ``col``."""
    out = []
    start = 0
    for i in range(1, len(spans) + 1):
        if i == len(spans) or key(spans[i]) != key(spans[start]):
            if i - start > 1:
                out.append((spans[start][0], col, spans[i - 1][0], col))
            start = i
    return out


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _amount(value: Decimal | None) -> str:
    return "" if value is None else display.amount(value)


def form_table(document: Any, result: ProjectResult) -> Any:
    """The 自评表 as a Word table with the official form's merged cells."""
    rows, merges = form_rows(result)
    table = document.add_table(rows=len(rows), cols=TABLE_COLUMNS)
    table.style = "Table Grid"
    covered = {(r, c) for r1, c1, r2, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            if (r, c) not in covered and text:
                table.cell(r, c).text = text
    for r1, c1, r2, c2 in merges:
        table.cell(r1, c1).merge(table.cell(r2, c2))
    return table


def write_report(result: ProjectResult, dest: Path) -> Path:
    """The Word document: the table, the analysis, and (separately) what still needs fixing."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)

    spec = result.spec
    document.add_heading("项目支出绩效自评表", level=1)
    document.add_paragraph(f"（{spec.year}年度）")
    form_table(document, result)

    document.add_heading("绩效目标完成情况分析", level=1)
    for kind, text in analysis_paragraphs(result):
        if kind == "heading":
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)

    problems = [f for f in result.all_findings() if f.severity is not Severity.NOTE]
    if problems:
        document.add_page_break()  # type: ignore[no-untyped-call]
        document.add_heading("提交前请处理的问题（本节不要粘贴进报告）", level=1)
        for finding in problems:
            document.add_paragraph(finding.render(), style="List Bullet")
    with atomic_output(dest) as temporary:
        document.save(str(temporary))
    return dest
