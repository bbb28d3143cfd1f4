"""Reading and scoring one returned file, in a worker process.

Everything a worker sends back is plain data (for pickling), and nothing a file
contains can stop it: a file that cannot be read becomes a record with the reason.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..engine import ProjectResult
from ..errors import PerfEvalError, os_reason
from ..pathtext import readable
from ..reader.opening import MAX_FILE_BYTES
from ..seal import SealKey
from .store import FILE_NAME

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


LIMIT_REASON = "读取时超出内存/时间限制，可能是被构造的文件"
CRASH_REASON = "读取时读取进程崩溃，可能是被构造的文件"
AFTER = "，已跳过；如确是正常填写的自评表，请在 Excel/WPS 中打开后另存再试"
UNREAD = "，无法读取；如确是正常填写的自评表，请在 Excel/WPS 中打开后另存为 .xlsx 再试"  # one file's command
INTERNAL_REASON = ("读取时出现内部错误，已跳过；请用 perfeval-xl check 单独检查该文件，"
                   "如仍出错请把该文件交给 perfeval-xl 的维护者")


def limit_reason(detail: str, after: str = AFTER) -> str:
    """Why a file that exhausted the memory or time limit was not read."""
    return f"{LIMIT_REASON}（{detail}）{after}"


def crash_reason(detail: str, after: str = AFTER) -> str:
    """Why a file whose reading killed its worker was not read."""
    return f"{CRASH_REASON}（{detail}）{after}"


def read_regular_file(path: Path, shown: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of ``path`` if it is a regular file of a workbook's size (``shown`` names it in
    messages). Opened without waiting, so a FIFO that appears in the file's place does not hang."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PerfEvalError(f"{shown.name} 不是普通文件（命名管道、设备等），已跳过")
        if info.st_size > MAX_FILE_BYTES:
            raise PerfEvalError(f"{shown.name} 有 {info.st_size / 1024 / 1024:,.0f} MB，远大于自评表，不像自评表，拒绝读取")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(info.st_size + 1)  # the size it has (a file still growing is cut: unreadable)
        return data, info
    finally:
        os.close(fd)


def process_file(path_text: str, year: int | None = None, profile: str | None = None,
                 key: SealKey | None = None) -> dict[str, Any]:
    """Read, score and check one file. Raises only MemoryError (the pool, which set the limit,
    reports it); everything else a file can cause is in the record."""
    from ..reader.fast import evaluate_fast

    path = Path(path_text)
    shown = Path(readable(path_text))  # what messages name: a GBK name decoded, never raw bytes
    record: dict[str, Any] = {"path": path_text, "sha256": None, "size": None, "mtime": None,
                              "saved_at": None, "status": "ok", "error": None, "projects": []}
    try:
        data, info = read_regular_file(path, shown)
        record["size"], record["mtime"] = info.st_size, info.st_mtime
        record["sha256"] = hashlib.sha256(data).hexdigest()
    except OSError as exc:
        record.update(status="error", error=f"无法读取文件：{os_reason(exc)}")
        return record
    except PerfEvalError as exc:
        record.update(status="error", error=exc.headline)
        return record
    try:
        results, record["saved_at"] = evaluate_fast(shown, year=year, profile=profile, data=data, key=key)
        record["projects"] = [project_record(r) for r in results]
    except PerfEvalError as exc:
        text = exc.headline if not exc.problems else str(exc)
        # kept by content: the same bytes under another name are listed with that name
        record.update(status="error", error=text.replace(shown.name, FILE_NAME))
    except (MemoryError, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # a file must never stop the run (a native library's panic is a BaseException)
        record.update(status="error", error=INTERNAL_REASON, projects=[])
        print(f"内部错误：{shown}\n{traceback.format_exc()}", file=sys.stderr, flush=True)
    return record
