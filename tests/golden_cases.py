"""Golden cases: worked examples as data.

Every ``tests/golden/*.yaml`` file is a worked example: a sentence of a name,
the project (a built-in example, possibly patched, or an inline spec) and the
expected outputs. A case with ``kind: evaluation`` is a 评分表 (its example is one of
perfeval_xl/examples/evaluation/); the others are 自评表.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from perfeval_xl.demo import load_example
from perfeval_xl.engine import ProjectResult, score_project
from perfeval_xl.kinds import EVALUATION
from perfeval_xl.kinds.evaluation import EvaluationResult, evaluation_spec_from_data, score_evaluation
from perfeval_xl.kinds.evaluation.spec import load_evaluation_example
from perfeval_xl.spec import ProjectSpec, spec_from_data

GOLDEN_DIR = Path(__file__).parent / "golden"


def load_golden(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def golden_spec(case: dict[str, Any]) -> ProjectSpec:
    """The project of a golden case: an example (patched) or an inline spec."""
    if "spec" in case:
        return spec_from_data(case["spec"], source=case["name"])
    spec = load_example(case["example"])
    patches = case.get("patch", {})
    if not patches:
        return spec
    import dataclasses

    indicators = []
    for ind in spec.indicators:
        changes = patches.get("indicators", {}).get(ind.name, {})
        converted = {
            k: (Decimal(str(v)) if k in ("weight", "score") and v is not None else v)
            for k, v in changes.items()
        }
        indicators.append(dataclasses.replace(ind, **converted))
    stated = spec.stated
    if "stated" in patches:
        stated = dataclasses.replace(
            stated, **{k: Decimal(str(v)) if k != "grade" else v for k, v in patches["stated"].items()}
        )
    return dataclasses.replace(spec, indicators=tuple(indicators), stated=stated)


def is_evaluation(case: dict[str, Any]) -> bool:
    """Whether a golden case is a 评分表."""
    return bool(case.get("kind") == EVALUATION)


def golden_result(case: dict[str, Any]) -> ProjectResult | EvaluationResult:
    """A golden case scored by the engine of its kind."""
    if not is_evaluation(case):
        return score_project(golden_spec(case))
    if "spec" in case:
        return score_evaluation(evaluation_spec_from_data(case["spec"], source=case["name"]))
    return score_evaluation(load_evaluation_example(case["example"]))


def golden_specs() -> list[tuple[str, ProjectSpec]]:
    """Every 自评表 golden case's spec (for the form and UDF parity tests)."""
    cases = [(p.stem, load_golden(p)) for p in sorted(GOLDEN_DIR.glob("*.yaml"))]
    return [(stem, golden_spec(case)) for stem, case in cases if not is_evaluation(case)]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def check_expectations(result: ProjectResult | EvaluationResult, expect: dict[str, Any]) -> list[str]:
    """Every difference between a result and a golden case's expectations."""
    diffs: list[str] = []

    def same(label: str, got: Any, want: Any) -> None:
        if isinstance(want, (int, float)) and not isinstance(want, bool) and got is not None:
            if abs(float(got) - float(want)) > 1e-9:
                diffs.append(f"{label}: got {got}, expected {want}")
        elif got != want:
            diffs.append(f"{label}: got {got!r}, expected {want!r}")

    ex = expect.get("execution", {})
    for key in ("rate", "score"):
        if key in ex:
            assert isinstance(result, ProjectResult)
            same(f"execution.{key}", _num(getattr(result.execution, key)), ex[key])
    for key in ("total", "grade", "complete"):
        if key in expect:
            got = _num(result.total) if key == "total" else getattr(result, key)
            same(key, got, expect[key])
    if "status" in expect:
        same("status", result.status(), expect["status"])
    if "weight_total" in expect:
        same("weight_total", _num(result.weight_total), expect["weight_total"])
    for name, score in expect.get("blocks", {}).items():
        block = next((b for b in result.blocks if b.name == name), None)
        same(f"block {name}", _num(block.score) if block else None, score)
    wanted = expect.get("indicators", [])
    if wanted:
        same("indicator count", len(result.indicators), len(wanted))
    for want, got in zip(wanted, result.indicators, strict=False):
        label = f"indicator {want['name']}"
        same(f"{label} name", got.spec.name, want["name"])
        if "score" in want:
            same(f"{label} score", _num(got.score), want["score"])
        for key in ("weight", "rate"):  # the 评分表's rows: weight as printed, rate of a computed row
            if key in want:
                same(f"{label} {key}", _num(getattr(got, key)), want[key])
        if "method" in want:
            same(f"{label} method", getattr(got, "method", None), want["method"])
        if "deviation" in want:
            same(f"{label} deviation", _num(got.deviation), want["deviation"])
        if "rating" in want:
            same(f"{label} rating", got.band.label if got.band else None, want["rating"])
        if "reason_required" in want:
            same(f"{label} reason_required", got.reason_required, want["reason_required"])
        if "direction" in want:
            same(f"{label} direction", got.direction.value if got.direction else None,
                 want["direction"])
    found = expect.get("findings")
    if found is not None:
        by_severity = Counter((f.severity.value, f.code) for f in result.all_findings())
        for severity in ("error", "warning", "note"):
            if severity not in found:
                continue
            got_codes = sorted(c for (s, c), n in by_severity.items() if s == severity for _ in range(n))
            same(f"{severity} codes", got_codes, sorted(found[severity]))
    rendered = [f"{f.where}：{f.message}" for f in result.all_findings()]
    for message in expect.get("messages", []):  # exact wording of findings that matter
        if message not in rendered:
            diffs.append(f"no finding “{message}”; got: {rendered}")
    return diffs
