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

from decimal import Decimal
from pathlib import Path

from .. import display
from ..engine import IndicatorResult, ProjectResult
from ..findings import Severity
from ..rounding import round_half_away


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

    spec, ex = result.spec, result.execution
    document.add_heading("项目支出绩效自评表", level=1)
    document.add_paragraph(f"（{spec.year}年度）")
    table = document.add_table(rows=0, cols=8)
    table.style = "Table Grid"

    def row(*cells: str) -> None:
        cells_out = table.add_row().cells
        for i, text in enumerate(cells[:8]):
            cells_out[i].text = text

    row("项目名称", spec.project, "", "", "", "", "", "")
    row("主管部门", spec.department, "", "", "实施单位", spec.unit, "", "")
    row("项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "")
    row("年度资金总额", "", display.number(ex.budget), display.number(ex.executed), display.number(ex.weight),
        display.percent(ex.rate), display.number(ex.score), "")
    row("年度总体目标", spec.goal_expected, "", "", "实际完成情况", spec.goal_actual, "", "")
    row("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    for ind in result.indicators:
        actual = "" if ind.spec.actual is None else shown_actual(ind)
        row(ind.level1, ind.level2, ind.spec.name, ind.target.text if ind.target else "", actual,
            display.number(ind.weight), display.number(ind.score), ind.spec.reason)
    row("总分", "", "", "", "", display.number(result.weight_total), display.number(result.total), "")
    row("评价等级", result.grade or "未定级", "", "", "", "", "", "")

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
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(dest))
    return dest
