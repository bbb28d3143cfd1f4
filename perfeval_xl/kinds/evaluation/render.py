"""A scored 评分表 as a readable Chinese table for the terminal (as ``perfeval-xl score`` prints
the 自评表)."""

from __future__ import annotations

from io import StringIO

from rich.table import Table

from ... import display
from ...render import findings_block, plain_console
from .engine import EvaluationResult, RowResult, status_text
from .profile import FUND_FIELDS
from .spec import RULE, TARGET

_n = display.number
_COLUMNS = (("一级指标", "left"), ("二级指标", "left"), ("三级指标", "left"), ("分值", "right"),
            ("计分", "left"), ("得分", "right"), ("所写得分", "right"), ("得分依据", "left"))


def evaluation_text(result: EvaluationResult, width: int = 120) -> str:
    """The whole result (header, funds, rows, block subtotals, total, findings) as text."""
    buffer = StringIO()
    console = plain_console(buffer, width)
    spec, funds = result.spec, result.spec.funds
    console.print(f"项目支出绩效评分表（{spec.year}年度）  规则：{result.rules.title}")
    console.print(f"项目名称：{spec.project}" + (f"    评价方式：{spec.evaluation_type}" if spec.evaluation_type else ""))
    console.print(f"主管部门：{spec.department or '—'}    实施单位：{spec.unit or '—'}")
    console.print("，".join(f"{label} {_n(getattr(funds, key))} 万元" for key, label in FUND_FIELDS.items()))
    table = Table(show_lines=False, pad_edge=False)
    for title, justify in _COLUMNS:
        table.add_column(title, justify=justify, overflow="fold")  # type: ignore[arg-type]
    previous = ("", "")
    for row in result.indicators:
        levels = (row.spec.level1.strip(), row.spec.level2.strip())
        # as the sheet merges them: a 一级/二级 name is printed where it starts
        shown = (levels[0] if levels[0] != previous[0] else "",
                 levels[1] if levels != previous else "")
        previous = levels
        written = row.spec.score
        table.add_row(*shown, row.spec.name, _n(row.weight), _method(row), _n(row.score),
                      _n(written) if written is not None and written != row.score else "",
                      row.spec.basis)
    console.print(table)
    for block in result.blocks:
        console.print(f"{block.name}：分值 {_n(block.weight)}，得分 {_n(block.score)}")
    grade = result.grade or "（未填写完整，暂不定级）"
    console.print(f"总分 {_n(result.total)}    评价等级 {grade}")
    console.print(f"填报状态：{status_text(result)}")
    return buffer.getvalue() + findings_block(result.all_findings())


def _method(row: RowResult) -> str:
    """How the row was scored, in a few words."""
    if row.method == RULE:
        if row.rate is None:
            return "按金额"
        return f"{display.percent(row.rate)}" + (f"：{row.explanation}" if row.explanation else "")
    if row.method == TARGET:
        return row.explanation or "按指标值"
    return "评价"
