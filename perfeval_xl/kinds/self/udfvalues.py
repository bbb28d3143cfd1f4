"""The cached results of the xlwings- and lite-mode cells: the UDFs themselves, called on
what the cells hold.

:mod:`.model` is the Python twin of the native formulas. The twin of a cell
that calls ``PE_SCORE(…)`` is ``PE_SCORE`` itself, so the form stores exactly
what Excel computes when the add-in recalculates it — and opens showing the
engine's results before it does (or where it never does: LibreOffice, WPS, a
viewer, Excel with macros disabled).
"""

from __future__ import annotations

from typing import Any

from .layout import Col
from .model import Value
from .plan import FormPlan


def apply_udf_values(plan: FormPlan) -> None:
    """Replace the cached results of the UDF cells in ``plan`` (see formulas.Xlwings*)."""
    from ... import udfs

    rules = (plan.rules.profile, plan.spec.year)
    for planned in plan.rows:
        inp, values = planned.input, planned.values
        level2 = values[Col.L2]
        nothing = values[Col.AVALUE] == ""  # the IF around the calls (formulas.XlwingsRowFormulas)
        weight_ok = inp.weight is None or (isinstance(inp.weight, (int, float)) and inp.weight >= 0)
        values[Col.SCORE] = "" if nothing and weight_ok else _cell(
            udfs.PE_SCORE(inp.target, inp.actual, inp.weight, level2, inp.qscore, *rules))
        values[Col.DEVIATION] = "" if nothing else _cell(udfs.PE_DEVIATION_RATE(inp.target, inp.actual, *rules))
    project = plan.project
    budget, executed = project["total_budget"], project["total_executed"]
    project["exec_score"] = "" if "" in (budget, executed) else _cell(udfs.PE_EXECUTION_SCORE(
        budget, executed, float(plan.funds.weight), *rules))
    complete = project["grade"] != ""  # the native twin of the IF around PE_GRADE
    project["grade"] = _cell(udfs.PE_EVALUATION_GRADE(project["total"], *rules)) if complete else ""


def _cell(result: Any) -> Value:
    if isinstance(result, (int, float, str, bool)):
        return result
    raise TypeError(f"a single-cell UDF returned {result!r}")
