"""The values a new 评分表 form carries as cached results: the Python twin of :mod:`.formulas`.

A form must open showing correct values (some viewers never calculate). What the formulas
compute from the amounts and the evaluator's scores is what the engine computes, so the twin
asks the engine (:func:`.engine.score_evaluation` on the spec as the form holds it) and only
lays its results out as cells; a row scored against a target is the 自评表's row, whose helper
cells (the parsed target, the band …) have no engine counterpart, so they come from the 自评表's
twin (:func:`perfeval_xl.kinds.self.model.row_values`). The tests check both against LibreOffice's
recalculation, cell by cell, and the target rows' scores against the engine.
"""

from __future__ import annotations

from decimal import Decimal

from ...form.params import FormParams
from ...rounding import as_float
from ..self.layout import Col
from ..self.model import RowInput, Value, row_values
from .engine import EvaluationResult, RowResult, status_parts
from .layout import ECol
from .spec import JUDGEMENT, RULE


def _cell(value: Decimal | None) -> Value:
    """A number cell's value, or "" for none (as the formulas give)."""
    return "" if value is None else float(value)


def rate_row_values(row: RowResult) -> dict[str, dict[int, Value]]:
    """A row scored from the amounts: 得分 and rate on the 评分表, the counted score and state on 计算."""
    return {"sheet": {ECol.SCORE: _cell(row.score), ECol.ACTUAL: _cell(row.rate)},
            "calc": {ECol.COUNTED: _cell(row.score), Col.STATE: row.state}}


def judgement_row_values(row: RowResult) -> dict[str, dict[int, Value]]:
    """A row the evaluator scores: what counts of the typed 得分, its state, and whether its
    得分依据 is missing (the engine's basis-missing)."""
    missing = any(f.code == "basis-missing" for f in row.findings)
    return {"sheet": {},
            "calc": {ECol.COUNTED: _cell(row.score), Col.STATE: row.state, ECol.BASIS_MISSING: missing}}


def target_row_values(row_input: RowInput, params: FormParams) -> dict[str, dict[int, Value]]:
    """A row scored against a target: the 自评表's row, its 得分 on the 评分表."""
    values = row_values(row_input, params)
    score = values.pop(Col.SCORE)
    values.pop(Col.DEVIATION)
    return {"sheet": {ECol.SCORE: score}, "calc": {**values, ECol.COUNTED: score}}


def row_cells(row: RowResult, row_input: RowInput | None, params: FormParams) -> dict[str, dict[int, Value]]:
    """The computed cells of one row, by its method."""
    if row.method == RULE:
        return rate_row_values(row)
    if row.method == JUDGEMENT:
        return judgement_row_values(row)
    assert row_input is not None  # a target row has the 自评表's inputs
    return target_row_values(row_input, params)


def sheet_values(result: EvaluationResult) -> dict[str, Value]:
    """Block subtotals (by the framework's 一级), 分值合计, 总分, 评价等级 and the status line."""
    out: dict[str, Value] = {}
    for block in result.blocks:
        out[f"block_weight:{block.level1}"] = float(block.weight)
        out[f"block_score:{block.level1}"] = float(block.score)
    out["weight_total"] = as_float(result.weight_total) or 0.0
    out["total"] = float(result.total)
    out["grade"] = result.grade or ""
    parts = status_parts(result)
    out["status_parts"] = "".join(f"{part}；" for part in parts)
    out["status"] = result.status()
    return out
