"""Building the forms of a batch: file names, one form safely on disk, many in parallel.

A form is written under a temporary name in the output folder and renamed into
place only when complete, so an interrupted run never leaves a half-written
form under a real name. Without ``force`` an existing file is never replaced,
not even one that appears while the form is being built (the final step is a
hard link, which fails if the name is taken).

With more than one process the specs go to a pool of worker processes in
chunks; only a small :class:`Built` record comes back for each form, so memory
does not grow with the number of projects.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import multiprocessing
import os
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ..errors import PerfEvalError, os_reason
from ..naming import safe_filename
from ..seal import SealKey
from ..spec import ProjectSpec

CHUNK_MAX = 25  # specs per task: enough to make the cost of sending a task negligible
TASKS_PER_PROCESS = 4  # …and small enough that the processes finish together


class Status(enum.Enum):
    GENERATED = "已生成"
    EXISTS = "已存在未覆盖"
    FAILED = "未生成"


@dataclass(frozen=True)
class FormOptions:
    """What every form of a batch shares."""

    mode: str
    password: str | None
    spare_rows: int
    force: bool
    generated_at: dt.datetime
    key: SealKey | None = None  # seal every form (perfeval-xl key new)


@dataclass(frozen=True)
class Job:
    index: int  # the project's position in the list
    spec: ProjectSpec
    path: Path


@dataclass(frozen=True)
class Built:
    """What became of one job."""

    index: int
    status: Status
    fingerprint: str = ""
    reason: str = ""
    warnings: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# File names


def output_names(projects: Sequence[tuple[str, str, str, str]], extension: str,
                 reserved: frozenset[str] = frozenset()) -> list[str]:
    """File names for (主管部门, 项目名称, 实施单位, 年度), unique ignoring case.

    ``主管部门_项目名称``; where names collide and the projects' 实施单位 differ,
    each adds its 实施单位, then likewise its 年度; any still colliding (or
    taking a ``reserved`` name) a number, _2, _3 …, in list order.
    """
    stems = [safe_filename(department, project) for department, project, _, _ in projects]
    for position in (2, 3):  # 实施单位, then 年度
        groups: dict[str, list[int]] = {}
        for i, stem in enumerate(stems):
            groups.setdefault(stem.casefold(), []).append(i)  # Windows and macOS ignore case
        for members in groups.values():
            if len({projects[i][position] for i in members}) > 1:
                for i in members:
                    stems[i] = safe_filename(stems[i], projects[i][position])
    taken = {name.casefold() for name in reserved}
    names = []
    for stem in stems:
        name, number = stem + extension, 1
        while name.casefold() in taken:
            number += 1
            name = f"{stem}_{number}{extension}"
        taken.add(name.casefold())
        names.append(name)
    return names


# ---------------------------------------------------------------------------
# One form


def build_one(job: Job, options: FormOptions) -> Built:
    """Build one form under a temporary name and move it into place."""
    from ..form import build_form

    final = job.path
    if not options.force and final.exists():
        return Built(job.index, Status.EXISTS)
    temporary = final.with_name(f".~perfeval-{uuid.uuid4().hex}{final.suffix}")
    try:
        built = build_form(job.spec, temporary, password=options.password, spare_rows=options.spare_rows,
                           mode=options.mode, generated_at=options.generated_at, key=options.key)
        if not _move_into_place(temporary, final, options.force):
            return Built(job.index, Status.EXISTS)
        return Built(job.index, Status.GENERATED, built.fingerprint, warnings=tuple(built.warnings))
    except PerfEvalError as exc:  # e.g. the disk is full: name the file the user knows
        return Built(job.index, Status.FAILED, reason=exc.render().replace(str(temporary), str(final)))
    except OSError as exc:
        return Built(job.index, Status.FAILED, reason=f"无法写入 {final}：{os_reason(exc)}")
    except Exception as exc:  # one project's bug must not stop the batch or show a traceback
        return Built(job.index, Status.FAILED,
                     reason=f"生成时出现内部错误（{type(exc).__name__}: {exc}），请将清单和此信息报告给 perfeval-xl 维护者")
    finally:
        temporary.unlink(missing_ok=True)


def _move_into_place(temporary: Path, final: Path, force: bool) -> bool:
    """Rename ``temporary`` to ``final``; False when ``final`` exists and may not be replaced."""
    if force:
        os.replace(temporary, final)
        return True
    try:
        os.link(temporary, final)  # atomic, and fails if the name is taken
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links
        if final.exists():
            return False
        os.replace(temporary, final)
    return True


def build_chunk(jobs: Sequence[Job], options: FormOptions) -> list[Built]:
    """A worker's task."""
    return [build_one(job, options) for job in jobs]


# ---------------------------------------------------------------------------
# Many forms


def default_processes() -> int:
    """The CPUs this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def chunk_size(jobs: int, processes: int) -> int:
    return max(1, min(CHUNK_MAX, math.ceil(jobs / (processes * TASKS_PER_PROCESS))))


def build_all(jobs: Sequence[Job], options: FormOptions, processes: int) -> Iterator[Built]:
    """Build every job, yielding as they finish (in ``processes`` worker processes when > 1)."""
    if processes <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield build_one(job, options)
        return
    size = chunk_size(len(jobs), processes)
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    pool = ProcessPoolExecutor(max_workers=min(processes, len(chunks)), mp_context=_context())
    done: set[int] = set()
    try:
        for results in pool.map(build_chunk, chunks, [options] * len(chunks)):
            for built in results:
                done.add(built.index)
                yield built
    except BrokenProcessPool:
        for job in jobs:
            if job.index not in done:
                yield Built(job.index, Status.FAILED,
                            reason="生成进程意外退出（可能内存不足），未生成；请重新运行，或用 --jobs 减少进程数")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    """A start method that is safe with threads in the parent (a progress bar) and starts fast.

    The fork server imports perfeval-xl once; each worker is a fork of it.
    Where there is none (Windows), workers are spawned and import it themselves.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "perfeval_xl.form", "perfeval_xl.kinds.self.kind"])
        return context
    return multiprocessing.get_context("spawn")
