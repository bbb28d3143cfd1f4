"""Calls of the UDFs built from golden cases and generated projects, with what the
engine says each call must return.

A cell holds what Excel passes: text, a float, or nothing (None). Each
:class:`Call` is one function call with the engine's answer for it:
a number, "" (nothing yet) or an error message (``#错误：…``; only its
presence is fixed by the engine — which finding blocks the result).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from formcases import make_case
from golden_cases import golden_specs

from perfeval_xl.engine import IndicatorResult, ProjectResult, score_project
from perfeval_xl.spec import ProjectSpec
from perfeval_xl.udfs import DEVIATION_BLOCKERS, SCORE_BLOCKERS

GENERATED = 500


@dataclass
class Call:
    name: str
    args: list[Any]
    want: Any  # float, "" or "error"
    label: str


def cell(value: Any) -> Any:
    """A spec value as an Excel cell passes it."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def expected(ind: IndicatorResult, value: Decimal | None, blockers: tuple[str, ...]) -> Any:
    if value is not None:
        return float(value)
    return "error" if any(f.code in blockers for f in ind.findings) else ""


def block_row(ind: IndicatorResult) -> list[Any]:
    s = ind.spec
    return [s.level1, s.level2, s.name, cell(s.target), cell(s.actual), cell(s.weight), cell(s.score),
            s.reason or None]


def project_calls(spec: ProjectSpec, label: str) -> tuple[list[Call], ProjectResult]:
    """Every single-cell call for one project, and the engine's result."""
    result = score_project(spec)
    rules = [result.rules.profile, spec.year]
    calls = []
    for ind in result.indicators:
        s = ind.spec
        where = f"{label} {s.name}"
        calls.append(Call("PE_SCORE", [cell(s.target), cell(s.actual), cell(s.weight), s.level2, cell(s.score),
                                       *rules], expected(ind, ind.score, SCORE_BLOCKERS), where))
        calls.append(Call("PE_DEVIATION", [cell(s.target), cell(s.actual), *rules],
                          expected(ind, ind.deviation, DEVIATION_BLOCKERS), where))
    ex = result.execution
    if ex.budget is not None and ex.executed is not None:
        want = "" if ex.score is None else float(ex.score)
        want = "error" if ex.score is None and ex.budget <= 0 else want
        calls.append(Call("PE_EXEC_SCORE", [cell(ex.budget), cell(ex.executed), cell(spec.execution_weight),
                                            *rules], want, f"{label} 执行率得分"))
    if result.complete:
        calls.append(Call("PE_GRADE", [float(result.total), *rules], result.grade, f"{label} 等级"))
    return calls, result


def golden_projects() -> list[tuple[str, ProjectSpec]]:
    return golden_specs()


def generated_projects(count: int = GENERATED) -> list[tuple[str, ProjectSpec]]:
    return [(f"generated {i}", make_case(i).filled_spec()) for i in range(count)]


def matches(got: Any, want: Any) -> bool:
    if want == "error":
        return isinstance(got, str) and got.startswith("#错误：")
    if isinstance(want, float):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and float(got) == want
    return bool(got == want)
