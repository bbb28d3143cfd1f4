"""Reading and scoring one returned file, in a worker process.

Everything a worker sends back is plain data (for pickling), and nothing a file
contains can stop it: a file that cannot be read becomes a record with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import traceback
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..engine import ProjectResult
from ..errors import PerfEvalError, os_reason
from ..pathtext import readable
from ..reader.opening import MAX_FILE_BYTES
from ..rounding import div, round_half_away
from ..seal import SealKey
from .store import FILE_NAME

RATE_PLACES = 4  # the review's 执行率 of a 评分表 (as the 自评表's: 98.73%)

def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def project_record(result: Any) -> dict[str, Any]:
    """The columns the store keeps for one scored project, whatever its form kind (the kind says
    what its blocks, amounts and rows are: :attr:`perfeval_xl.kinds.FormKind.record`)."""
    from ..kinds import kind_of

    return kind_of(result).record(result)


def _common(result: Any, blocks: Mapping[str, Decimal | None], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """What every kind's record has: who, which rules, the blocks' subtotals, total, grade, counts."""
    from ..kinds import kind_of

    spec = result.spec
    found = result.all_findings()
    return {
        "kind": result.kind,
        "form_kind": kind_of(result).name,
        "sheet": result.sheet,
        "department": spec.department,
        "unit": spec.unit,
        "project": spec.project,
        "year": spec.year,
        "profile": result.rules.profile,
        "blocks": json.dumps({name: _f(score) for name, score in blocks.items()}, ensure_ascii=False),
        "extra": json.dumps(extra or {}, ensure_ascii=False),
        "total": _f(result.total),
        "grade": result.grade,
        "complete": result.complete,
        "status": result.status(),
        "errors": sum(1 for f in found if f.severity.value == "error"),
        "warnings": sum(1 for f in found if f.severity.value == "warning"),
        "notes": sum(1 for f in found if f.severity.value == "note"),
        # notes (such as a sign inferred for every unsigned target) are counted, not kept
        "findings": [(f.severity.value, f.code, f.where, f.location, f.message) for f in found
                     if f.severity.value != "note"],
    }


def _block_sums(result: Any) -> dict[str, Decimal | None]:
    """The subtotal of each block the kind's review shows (None for a block the project lacks)."""
    from ..kinds import kind_of

    sums: dict[str, Decimal | None] = {block.key: None for block in kind_of(result).blocks}
    for row in result.indicators:
        if row.level1 in sums:
            sums[row.level1] = (sums[row.level1] or Decimal(0)) + (row.score or Decimal(0))
    return sums


def self_record(result: ProjectResult) -> dict[str, Any]:
    """A 自评表's record: its execution block, blocks (产出/效益/满意度) and indicators."""
    ex = result.execution
    sums = {key: value if value is not None else Decimal(0) for key, value in _block_sums(result).items()}
    return {
        **_common(result, sums),
        "budget": _f(ex.budget),
        "executed": _f(ex.executed),
        "rate": _f(ex.rate),
        "exec_score": _f(ex.score),
        "exec_weight": _f(ex.weight),
        "indicators": [
            (ind.level1, ind.level2, ind.spec.name, ind.target.text if ind.target else None,
             _text(ind.spec.actual), _f(ind.weight), _f(ind.score), _f(ind.deviation), ind.spec.reason,
             ind.spec.locations.get("actual"))
            for ind in result.indicators
        ],
    }


def evaluation_record(result: Any) -> dict[str, Any]:
    """A 评分表's record: its amounts (预算资金, 执行数 and their rate), the subtotals of 决策 … 满意度,
    and every row (the 年度指标值 of a row scored against a target, the 得分依据 as its reason)."""
    funds = result.spec.funds
    rate = None
    if funds.budget and funds.executed is not None and funds.budget > 0:
        rate = round_half_away(div(funds.executed, funds.budget), RATE_PLACES)
    execution = next((row for row in result.indicators if row.spec.rule == "execution"), None)
    blocks = {block.level1: block.score for block in result.blocks}
    sums = {key: blocks.get(key) for key in _block_sums(result)}
    return {
        **_common(result, sums, {"evaluation_type": result.spec.evaluation_type}),
        "budget": _f(funds.budget),
        "executed": _f(funds.executed),
        "rate": _f(rate),
        "exec_score": _f(execution.score) if execution is not None else None,
        "exec_weight": _f(execution.weight) if execution is not None else None,
        "indicators": [
            (row.level1, row.level2, row.spec.name, _text(row.spec.target) if row.spec.target is not None else None,
             _text(row.spec.actual), _f(row.weight), _f(row.score), _f(row.deviation), row.spec.basis,
             row.spec.locations.get("score") or row.spec.locations.get("actual"))
            for row in result.indicators
        ],
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
