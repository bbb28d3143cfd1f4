"""Worker processes that no file can take down with the run.

Reading a file is done in a worker process with a memory limit (its address space,
``resource.setrlimit``), and the parent gives each file a time limit. A file that
makes its worker abort (a native library's failed allocation), crash (a signal),
exceed the memory limit or run past the time limit costs only itself: the parent
knows which file it was (each worker sends one result per file, in order, so the
first file without a result is the one in progress), reports it, replaces the
worker and gives the rest of its files to the others. A worker that dies for a
reason the file may not be to blame for (killed from outside, say by the system's
out-of-memory killer) gets its file once more before the file is blamed.

One :class:`IsolatedPool` runs any picklable function over items; the
consolidation runs :func:`~perfeval_xl.consolidate.worker.process_file`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

MEMORY_EXHAUSTED = "perfeval-xl: memory limit"  # a worker's result for an item that hit the limit
READY = ("ready",)  # a worker's first message
STARTS = 3  # workers in a row that may die before they are ready, before the run gives up


class PoolError(RuntimeError):
    """The worker processes cannot start (an installation or system problem, not a file's)."""
TASK_FILES = 8  # files sent to a worker at a time; a worker holds two tasks, so it never waits
POLL_SECONDS = 0.5  # how often the time limits are looked at when nothing else happens


@dataclass(frozen=True)
class Limits:
    """What one file may cost a worker."""

    seconds: float = 60.0  # time to read one file
    memory_mb: int = 2048  # the worker's address space


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space: an allocation beyond it fails instead of exhausting the
    machine (Python raises MemoryError; native code aborts the process, which the pool survives)."""
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the time limit still applies
        return
    limit = megabytes * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@dataclass(frozen=True)
class Failed:
    """A file that took its worker down, and why (see :func:`describe_death`)."""

    index: int
    kind: str  # "time", "memory", "crash"
    detail: str


@dataclass
class _Worker:
    process: Any
    conn: Connection
    log: Path
    assigned: deque[tuple[int, Any]] = field(default_factory=deque)
    since: float = 0.0  # when the file at the head of ``assigned`` started
    killed_for_time: bool = False
    ready: bool = False  # it started: a death before that is no file's fault


def _context() -> Any:
    """A fork server that has imported the reading code once; each worker is a fork of it
    (fast to replace, and safe with threads in the parent such as a progress bar)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["perfeval_xl.consolidate.worker"])
        return context
    return multiprocessing.get_context("spawn")


def _serve(conn: Connection, handle: Callable[[Any], Any], limits: Limits, log: str) -> None:
    """A worker's life: limits set, stderr to its log, then one result per item until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    with contextlib.suppress(OSError):
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 2)  # a native library's last words go to the log, not the user's terminal
        os.close(fd)
    limit_memory(limits.memory_mb)
    conn.send(READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            with contextlib.suppress(OSError):
                conn.send(("peak", *_usage()))
            return
        for index, item in task:
            try:
                result = handle(item)
            except MemoryError:  # Python's allocation refused under the limit: this item's failure
                result = MEMORY_EXHAUSTED
            conn.send((index, result))


def _usage() -> tuple[float, float]:
    """(peak resident MB, CPU seconds) of this process."""
    try:
        import resource
    except ImportError:
        return 0.0, 0.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


class IsolatedPool:
    """Run ``handle`` over items in ``workers`` processes under ``limits`` (see the module notes)."""

    def __init__(self, handle: Callable[[Any], Any], workers: int, limits: Limits) -> None:
        self.handle = handle
        self.size = max(1, workers)
        self.limits = limits
        self.context = _context()
        self.logs = Path(tempfile.mkdtemp(prefix="perfeval-workers-"))
        self.workers: list[_Worker] = []
        self.stale: list[Any] = []  # killed workers not yet reaped
        self.deaths: dict[int, int] = {}  # item index -> workers it was in when they died
        self.started = 0
        self.kept_log: Path | None = None  # the workers' diagnostics, kept when there are any
        self.failed_starts = 0
        self.peak_mb = 0.0  # the largest worker's peak resident memory
        self.cpu_seconds = 0.0  # the CPU time of the workers that said goodbye

    # -- workers ------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe(duplex=True)
        self.started += 1
        log = self.logs / f"worker-{self.started}.log"
        process = self.context.Process(target=_serve, args=(child, self.handle, self.limits, str(log)),
                                       daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent, log)

    def _retire(self, worker: _Worker, kill: bool) -> None:
        if kill and worker.process.is_alive():
            with contextlib.suppress(OSError):
                worker.process.kill()
        with contextlib.suppress(OSError):
            worker.conn.close()
        self.stale.append(worker.process)

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError, BrokenPipeError):
                worker.conn.send(None)
        deadline = time.monotonic() + 5
        for worker in self.workers:
            with contextlib.suppress(EOFError, OSError):
                if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    farewell = worker.conn.recv()
                    if isinstance(farewell, tuple) and farewell[:1] == ("peak",):
                        self.peak_mb = max(self.peak_mb, float(farewell[1]))
                        self.cpu_seconds += float(farewell[2])
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
            with contextlib.suppress(OSError):
                worker.conn.close()
        for process in self.stale:
            process.join(0.5)  # a process stuck in the kernel (a hung network disk) is left behind
        self.workers.clear()
        self.kept_log = _keep_logs(sorted(self.logs.glob("*.log")))
        for log in self.logs.glob("*.log"):
            with contextlib.suppress(OSError):
                log.unlink()
        with contextlib.suppress(OSError):
            self.logs.rmdir()

    def __enter__(self) -> IsolatedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running ------------------------------------------------------------------------

    def run(self, items: Iterable[Any]) -> Iterator[tuple[int, Any] | Failed]:
        """Yield (index, result) for every item, or :class:`Failed` for one that took its
        worker down; in the order they finish."""
        pending: deque[tuple[int, Any]] = deque(enumerate(items))
        if not pending:
            return
        count = min(self.size, max(1, len(pending)))
        self.workers = [self._spawn() for _ in range(count)]
        total = len(pending)
        done = 0
        while done < total:
            for worker in self.workers:
                self._feed(worker, pending)
            ready = wait([w.conn for w in self.workers] + [w.process.sentinel for w in self.workers],
                         timeout=self._timeout())
            for worker in list(self.workers):
                if worker.conn in ready or worker.process.sentinel in ready:
                    for outcome in self._collect(worker, pending):
                        done += 1
                        yield outcome
            for worker in list(self.workers):
                if not worker.assigned or time.monotonic() - worker.since <= self.limits.seconds:
                    continue
                outcomes = self._collect(worker, pending)  # what it finished before it is judged
                if worker in self.workers and worker.assigned and \
                        time.monotonic() - worker.since > self.limits.seconds:
                    worker.killed_for_time = True
                    self._retire(worker, kill=True)
                    outcomes += self._replace(worker, pending)
                for outcome in outcomes:
                    done += 1
                    yield outcome

    def _feed(self, worker: _Worker, pending: deque[tuple[int, Any]]) -> None:
        """Keep two tasks with every worker."""
        while pending and len(worker.assigned) <= TASK_FILES:
            task = [pending.popleft() for _ in range(min(TASK_FILES, len(pending)))]
            if not worker.assigned:
                worker.since = time.monotonic()
            try:
                worker.conn.send(task)
            except (OSError, BrokenPipeError):
                pending.extendleft(reversed(task))  # it died; _collect will see to it
                break
            worker.assigned.extend(task)

    def _timeout(self) -> float:
        now = time.monotonic()
        deadlines = [w.since + self.limits.seconds - now for w in self.workers if w.assigned]
        return max(0.01, min([POLL_SECONDS, *deadlines]))

    def _collect(self, worker: _Worker, pending: deque[tuple[int, Any]]) -> list[tuple[int, Any] | Failed]:
        """The results a worker has sent; when it has died, also what its death means."""
        out: list[tuple[int, Any] | Failed] = []
        dead = False
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message == READY:
                    worker.ready = True
                    self.failed_starts = 0
                    continue
                index, result = message
                if worker.assigned and worker.assigned[0][0] == index:
                    worker.assigned.popleft()
                worker.since = time.monotonic()
                if isinstance(result, str) and result == MEMORY_EXHAUSTED:
                    out.append(Failed(index, "memory", f"超过 {self.limits.memory_mb:,} MB"))
                else:
                    out.append((index, result))
        except (EOFError, OSError):
            dead = True
        except Exception:  # a message cut short as the worker died
            dead = True
        if dead or not worker.process.is_alive():
            worker.process.join(1)
            self._retire(worker, kill=True)
            out += self._replace(worker, pending)
        return out

    def _replace(self, worker: _Worker, pending: deque[tuple[int, Any]]) -> list[Failed]:
        """Blame the file in progress (or give it one more chance), hand back the others, and
        start a new worker in its place."""
        out = []
        self.workers.remove(worker)
        if not worker.ready and not worker.killed_for_time:
            self.failed_starts += 1
            if self.failed_starts >= STARTS:
                raise PoolError(f"读取进程无法启动（连续 {STARTS} 个在开始读取前退出，退出码 {worker.process.exitcode}）；"
                                "如在自己的 Python 程序中调用，请把调用写在 if __name__ == \"__main__\": 之下")
            pending.extendleft(reversed(worker.assigned))  # no file was being read
            worker.assigned.clear()
        elif worker.assigned:
            index, item = worker.assigned.popleft()
            kind, detail = describe_death(worker.process.exitcode, worker.killed_for_time, self.limits,
                                          _tail(worker.log))
            self.deaths[index] = self.deaths.get(index, 0) + 1
            if kind == "crash-external" and self.deaths[index] < 2:
                worker.assigned.appendleft((index, item))  # perhaps not the file's fault: once more
            else:
                out.append(Failed(index, "crash" if kind == "crash-external" else kind, detail))
            pending.extendleft(reversed(worker.assigned))
            worker.assigned.clear()
        if pending or any(w.assigned for w in self.workers):
            self.workers.append(self._spawn())
        return out


def _keep_logs(logs: list[Path]) -> Path | None:
    """The workers' non-empty logs gathered into one file where the user's logs go."""
    parts = []
    for log in logs:
        with contextlib.suppress(OSError):
            text = log.read_text(encoding="utf-8", errors="replace")
            if text.strip():
                parts.append(f"== {log.stem} ==\n{text}")
    if not parts:
        return None
    from ..crashlog import write_log

    return write_log("汇总读取", "\n".join(parts))


def _tail(log: Path, size: int = 1 << 20) -> str:
    """The end of a dead worker's log. Each worker has its own, and a message of a failed
    allocation can only be its last words (native code aborts after writing it)."""
    try:
        with log.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - size))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def describe_death(exitcode: int | None, timed_out: bool, limits: Limits, last_words: str) -> tuple[str, str]:
    """(kind, detail) of a worker's death: "time" (the time limit), "memory" (an allocation
    refused under the memory limit, which native code answers by aborting), "crash-external"
    (killed by a signal the file may not have caused), or "crash"."""
    if timed_out:
        return "time", f"超过 {limits.seconds:g} 秒"
    if "memory allocation" in last_words or "MemoryError" in last_words or "out of memory" in last_words:
        return "memory", f"超过 {limits.memory_mb:,} MB"
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        if number == signal.SIGKILL:  # the kernel's out-of-memory killer, or a person
            return "crash-external", f"读取进程被系统终止（{name}），可能是内存不足"
        if number == signal.SIGABRT:
            return "memory", f"读取进程异常中止（{name}），通常是内存超出 {limits.memory_mb:,} MB"
        return "crash", f"读取进程崩溃（{name}）"
    return "crash", f"读取进程意外退出（退出码 {exitcode}）"
