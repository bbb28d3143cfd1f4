"""Worker processes that no file can take down with the run.

Reading a file is done in a worker process with a memory limit (its address space,
``resource.setrlimit``), and the parent gives each file a time limit. A file that
makes its worker abort (a native library's failed allocation), crash (a signal),
exceed the memory limit or run past the time limit costs only itself: the parent
knows which file it was — each worker writes the index of the file it starts on, and
when, into a few bytes of memory it shares with the parent — reports it, replaces the
worker and gives the rest of its files to the others (results a dying worker had not
sent yet are read again). A worker that dies for a reason the file may not be to
blame for (killed from outside, say by the system's out-of-memory killer) gets its
file once more before the file is blamed.

Workers hold several tasks ahead and send their results a few at a time, so that on a
busy machine neither waits for the other.

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
DEATHS = 3  # deaths of workers an item may be in, when no file was in progress, before it is blamed
TASK_FILES = 16  # files sent to a worker at a time
TASKS_AHEAD = 4  # tasks a worker holds: on a busy machine the parent may not run for a while
SEND_EVERY = 8  # results a worker sends at once …
SEND_SECONDS = 0.05  # … or after this long
POLL_SECONDS = 0.5  # how often the time limits are looked at when nothing else happens
IDLE = -1.0  # the shared "file in progress" when there is none


class PoolError(RuntimeError):
    """The worker processes cannot start (an installation or system problem, not a file's)."""


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
    state: Any  # shared doubles: [index of the file in progress or IDLE, when it started (monotonic)]
    assigned: deque[tuple[int, Any]] = field(default_factory=deque)  # sent, no result yet, in order
    killed_for_time: int | None = None  # the item it was killed on for running past the time limit
    ready: bool = False  # it started: a death before that is no file's fault

    def in_progress(self) -> tuple[int | None, float]:
        index, started = self.state[0], self.state[1]
        return (None if index < 0 else int(index)), started


def _context() -> Any:
    """A fork server that has imported the reading code once; each worker is a fork of it
    (fast to replace, and safe with threads in the parent such as a progress bar)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["perfeval_xl.consolidate.worker"])
        return context
    return multiprocessing.get_context("spawn")


def _serve(conn: Connection, handle: Callable[[Any], Any], limits: Limits, log: str, state: Any) -> None:
    """A worker's life: limits set, stderr to its log, then results until told to stop."""
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
        results: list[tuple[int, Any]] = []
        sent = time.monotonic()
        for index, item in task:
            state[1] = time.monotonic()
            state[0] = index  # written last: the parent reads the index, then its time
            try:
                result = handle(item)
            except MemoryError:  # Python's allocation refused under the limit: this item's failure
                result = MEMORY_EXHAUSTED
            results.append((index, result))
            if len(results) >= SEND_EVERY or time.monotonic() - sent > SEND_SECONDS:
                conn.send(results)
                results, sent = [], time.monotonic()
        state[0] = IDLE
        if results:
            conn.send(results)


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
        self.failed_starts = 0
        self.kept_log: Path | None = None  # the workers' diagnostics, kept when there are any
        self.peak_mb = 0.0  # the largest worker's peak resident memory
        self.cpu_seconds = 0.0  # the CPU time of the workers that said goodbye

    # -- workers ------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe(duplex=True)
        state = self.context.RawArray("d", [IDLE, 0.0])
        self.started += 1
        log = self.logs / f"worker-{self.started}.log"
        process = self.context.Process(target=_serve, args=(child, self.handle, self.limits, str(log), state),
                                       daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent, log, state)

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
                while worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    farewell = worker.conn.recv()
                    if isinstance(farewell, tuple) and farewell[:1] == ("peak",):
                        self.peak_mb = max(self.peak_mb, float(farewell[1]))
                        self.cpu_seconds += float(farewell[2])
                        break
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
        self.workers = [self._spawn() for _ in range(min(self.size, len(pending)))]
        total, done = len(pending), 0
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
                index, started = worker.in_progress()
                if worker in self.workers and index is not None and \
                        time.monotonic() - started > self.limits.seconds:
                    worker.killed_for_time = index
                    with contextlib.suppress(OSError):
                        worker.process.kill()
                    for outcome in self._collect(worker, pending):  # what it sent, then its file blamed
                        done += 1
                        yield outcome

    def _feed(self, worker: _Worker, pending: deque[tuple[int, Any]]) -> None:
        """Keep a few tasks with every worker, so that it never waits for the parent."""
        while pending and len(worker.assigned) <= (TASKS_AHEAD - 1) * TASK_FILES:
            task = [pending.popleft() for _ in range(min(TASK_FILES, len(pending)))]
            try:
                worker.conn.send(task)
            except (OSError, BrokenPipeError):
                pending.extendleft(reversed(task))  # it died; _collect will see to it
                break
            worker.assigned.extend(task)

    def _timeout(self) -> float:
        now = time.monotonic()
        deadlines = [started + self.limits.seconds - now
                     for index, started in (w.in_progress() for w in self.workers) if index is not None]
        return max(0.01, min([POLL_SECONDS, *deadlines]))

    def _collect(self, worker: _Worker, pending: deque[tuple[int, Any]]) -> list[tuple[int, Any] | Failed]:
        """The results a worker has sent; when it has died (or was killed), also what that means."""
        out: list[tuple[int, Any] | Failed] = []
        dead = worker.killed_for_time is not None
        try:
            while not worker.conn.closed and worker.conn.poll():
                message = worker.conn.recv()
                if message == READY:
                    worker.ready = True
                    self.failed_starts = 0
                    continue
                for index, result in message:
                    if worker.assigned and worker.assigned[0][0] == index:
                        worker.assigned.popleft()
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
        culprit, _ = worker.in_progress()
        timed_out = worker.killed_for_time is not None
        if timed_out and culprit != worker.killed_for_time:
            culprit = None  # it finished that file just as it was killed: nobody's fault
        if not worker.ready:
            self.failed_starts += 1
            if self.failed_starts >= STARTS:
                raise PoolError(f"读取进程无法启动（连续 {STARTS} 个在开始读取前退出，退出码 {worker.process.exitcode}）；"
                                "如在自己的 Python 程序中调用，请把调用写在 if __name__ == \"__main__\": 之下")
            culprit = None
        others = []
        for index, item in worker.assigned:
            if index != culprit:
                others.append((index, item))
                continue
            kind, detail = describe_death(worker.process.exitcode, timed_out, self.limits, _tail(worker.log))
            self.deaths[index] = self.deaths.get(index, 0) + 1
            if kind == "crash-external" and self.deaths[index] < 2:
                others.insert(0, (index, item))  # perhaps not the file's fault: once more
            else:
                out.append(Failed(index, "crash" if kind == "crash-external" else kind, detail))
        if culprit is None and worker.ready and others and not timed_out:
            # it died between files (sending results): its files are read again, a few times at most
            kind, detail = describe_death(worker.process.exitcode, False, self.limits, _tail(worker.log))
            kept = []
            for index, item in others:
                self.deaths[index] = self.deaths.get(index, 0) + 1
                if self.deaths[index] >= DEATHS:
                    out.append(Failed(index, "crash" if kind == "crash-external" else kind, detail))
                else:
                    kept.append((index, item))
            others = kept
        pending.extendleft(reversed(others))
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
