"""A scored project as a readable Chinese table for the terminal."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Protocol

from rich.console import Console
from rich.table import Table

from . import display
from .engine import ProjectResult, status_text
from .findings import Finding, Severity


class _Named(Protocol):
    @property
    def project(self) -> str: ...

    @property
    def source(self) -> str: ...


class Scored(Protocol):
    """What the findings text needs of a scored project, whatever its form kind."""

    @property
    def spec(self) -> _Named: ...

    def all_findings(self) -> list[Finding]: ...


def plain_console(buffer: StringIO, width: int) -> Console:
    """A console writing plain text (no colours, no markup guessing) into ``buffer``."""
    return Console(file=buffer, width=width, force_terminal=False, color_system=None, highlight=False)


def result_text(result: ProjectResult, width: int = 120) -> str:
    """The whole result (header, funds, indicators, total, findings) as text."""
    buffer = StringIO()
    console = plain_console(buffer, width)
    spec, ex = result.spec, result.execution
    console.print(f"项目支出绩效自评表（{spec.year}年度）  规则：{result.rules.title}")
    console.print(f"项目名称：{spec.project}")
    console.print(f"主管部门：{spec.department or '—'}    实施单位：{spec.unit or '—'}")
    console.print(
        f"全年预算数 {display.amount(ex.budget)} 万元，全年执行数 {display.amount(ex.executed)} 万元，"
        f"执行率 {display.percent(ex.rate)}，分值 {display.number(ex.weight)}，"
        f"执行率得分 {display.number(ex.score)}"
    )
    table = Table(show_lines=False, pad_edge=False)
    for title, justify in (
        ("一级指标", "left"), ("二级指标", "left"), ("三级指标", "left"), ("年度指标值", "left"),
        ("实际完成值", "left"), ("分值", "right"), ("得分", "right"), ("偏差率", "right"),
        ("偏差原因", "left"),
    ):
        table.add_column(title, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for ind in result.indicators:
        table.add_row(
            ind.level1, ind.level2, ind.spec.name,
            ind.target.text if ind.target else "—",
            display.actual(ind),
            display.number(ind.weight), display.number(ind.score),
            display.deviation(ind.deviation), ind.spec.reason or "",
        )
    console.print(table)
    for block in result.blocks:
        console.print(
            f"{block.name}：分值 {display.number(block.weight)}，得分 {display.number(block.score)}"
        )
    grade = result.grade or "（未填写完整，暂不定级）"
    console.print(f"总分 {display.number(result.total)}    评价等级 {grade}")
    console.print(f"填报状态：{status_text(result)}")
    return buffer.getvalue() + findings_block(result.all_findings())


def findings_block(found: list[Finding]) -> str:
    """The findings under a result table, errors first (nothing when there are none)."""
    if not found:
        return ""
    lines = ["", f"发现 {len(found)} 条问题或提示："]
    lines += ["  " + f.render() for f in sorted(found, key=lambda f: _ORDER[f.severity])]
    return "\n".join(lines) + "\n"


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def findings_text(result: Scored) -> str:
    """Only the findings, errors first, with a one-line summary."""
    found = result.all_findings()
    counts = {s: sum(1 for f in found if f.severity is s) for s in Severity}
    lines = [
        f"{result.spec.project}（{result.spec.source}）：错误 {counts[Severity.ERROR]} 条，"
        f"警告 {counts[Severity.WARNING]} 条，提示 {counts[Severity.NOTE]} 条"
    ]
    ordered = sorted(found, key=lambda f: _ORDER[f.severity])
    lines += ["  " + f.render_typed() for f in ordered]
    kinds = Counter(f.type_name for f in ordered if f.severity is not Severity.NOTE)
    if kinds:
        lines.append("  按问题类型：" + "，".join(f"{name} {count} 条" for name, count in kinds.items()))
    return "\n".join(lines) + "\n"
