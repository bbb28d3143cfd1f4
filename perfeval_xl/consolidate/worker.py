"""Reading and scoring one returned file, in a worker process.

Everything a worker sends back is plain data (for pickling), and nothing a file
contains can stop it: a file that cannot be read becomes a record with the reason.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..engine import ProjectResult
from ..errors import PerfEvalError, os_reason

LEVEL1_COLUMNS = ("产出指标", "效益指标", "满意度指标")


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def project_record(result: ProjectResult) -> dict[str, Any]:
    """The columns the store keeps for one scored project."""
    spec, ex = result.spec, result.execution
    sums = {name: Decimal(0) for name in LEVEL1_COLUMNS}
    for ind in result.indicators:
        if ind.level1 in sums and ind.score is not None:
            sums[ind.level1] += ind.score
    found = result.all_findings()
    return {
        "kind": result.kind,
        "sheet": result.sheet,
        "department": spec.department,
        "unit": spec.unit,
        "project": spec.project,
        "year": spec.year,
        "profile": result.rules.profile,
        "budget": _f(ex.budget),
        "executed": _f(ex.executed),
        "rate": _f(ex.rate),
        "exec_score": _f(ex.score),
        "exec_weight": _f(ex.weight),
        "output": _f(sums["产出指标"]),
        "benefit": _f(sums["效益指标"]),
        "satisfaction": _f(sums["满意度指标"]),
        "total": _f(result.total),
        "grade": result.grade,
        "complete": result.complete,
        "status": result.status(),
        "errors": sum(1 for f in found if f.severity.value == "error"),
        "warnings": sum(1 for f in found if f.severity.value == "warning"),
        "notes": sum(1 for f in found if f.severity.value == "note"),
        "indicators": [
            (ind.level1, ind.level2, ind.spec.name, ind.target.text if ind.target else None,
             _text(ind.spec.actual), _f(ind.weight), _f(ind.score), _f(ind.deviation), ind.spec.reason,
             ind.spec.locations.get("actual"))
            for ind in result.indicators
        ],
        # notes (such as a sign inferred for every unsigned target) are counted, not kept
        "findings": [(f.severity.value, f.code, f.where, f.location, f.message) for f in found
                     if f.severity.value != "note"],
    }


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def process_file(path_text: str, year: int | None = None, profile: str | None = None) -> dict[str, Any]:
    """Read, score and check one file; never raises."""
    from ..reader.fast import evaluate_fast

    path = Path(path_text)
    record: dict[str, Any] = {"path": path_text, "sha256": None, "size": None, "mtime": None,
                              "saved_at": None, "status": "ok", "error": None, "projects": []}
    try:
        stat = path.stat()
        record["size"], record["mtime"] = stat.st_size, stat.st_mtime
        data = path.read_bytes()
        record["sha256"] = hashlib.sha256(data).hexdigest()
    except OSError as exc:
        record.update(status="error", error=f"无法读取文件：{os_reason(exc)}")
        return record
    try:
        results, record["saved_at"] = evaluate_fast(path, year=year, profile=profile, data=data)
        record["projects"] = [project_record(r) for r in results]
    except PerfEvalError as exc:
        record.update(status="error", error=exc.headline if not exc.problems else str(exc))
    except MemoryError:
        record.update(status="error", error="文件过大，读取时内存不足，已跳过")
    except Exception:  # a file must never stop the run
        record.update(status="error", error="读取时出现内部错误，已跳过；请用 perfeval-xl check 单独检查该文件，"
                                            "如仍出错请把该文件交给 perfeval-xl 的维护者")
    return record


def process_chunk(paths: list[str], year: int | None, profile: str | None) -> list[dict[str, Any]]:
    return [process_file(p, year, profile) for p in paths]
