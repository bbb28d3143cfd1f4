"""Golden cases: worked examples as data.

Every ``tests/golden/*.yaml`` file is a worked example: a sentence of a name,
the project (a built-in example, possibly patched, or an inline spec) and the
expected outputs.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from perfeval_xl.demo import load_example
from perfeval_xl.engine import ProjectResult, status_text
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


def golden_specs() -> list[tuple[str, ProjectSpec]]:
    """Every golden case's spec (for the form and UDF parity tests)."""
    return [(p.stem, golden_spec(load_golden(p))) for p in sorted(GOLDEN_DIR.glob("*.yaml"))]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def check_expectations(result: ProjectResult, expect: dict[str, Any]) -> list[str]:
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
            same(f"execution.{key}", _num(getattr(result.execution, key)), ex[key])
    for key in ("total", "grade", "complete"):
        if key in expect:
            got = _num(result.total) if key == "total" else getattr(result, key)
            same(key, got, expect[key])
    if "status" in expect:
        same("status", status_text(result), expect["status"])
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
    return diffs
