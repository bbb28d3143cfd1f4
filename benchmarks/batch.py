"""How fast `perfeval-xl batch` turns a targets list into forms, and how much memory it takes.

A deterministic list of 1,000 projects × 12 indicators (an .xlsx made from the
targets template, as a user fills it) is generated with 1 and with 2 processes;
a list of 250 projects shows that memory does not grow with the list. Each run
is a fresh Python process; the memory of it and of its worker processes is
sampled from /proc (Linux), the parent's peak also from getrusage.

Run: python benchmarks/batch.py [--projects 1000] [--indicators 12]   (prints figures; no pass/fail)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

MIB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=12)
    parser.add_argument("--run", nargs=3, metavar=("LIST", "OUTDIR", "JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(measure(Path(args.run[0]), Path(args.run[1]), int(args.run[2]))))
        return

    from targetlists import make_projects, write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        projects = make_projects(args.projects, seed=2026, indicators=(args.indicators, args.indicators))
        start = time.perf_counter()
        big = write_xlsx(root / "清单.xlsx", projects)
        rows = len(projects) * args.indicators
        print(f"list: {len(projects)} projects × {args.indicators} indicators = {rows:,} rows "
              f"({big.stat().st_size / MIB:.1f} MiB .xlsx, written in {time.perf_counter() - start:.1f} s)")
        small = write_xlsx(root / "清单-250.xlsx", projects[:250])
        for jobs in (1, 2):
            report(f"{jobs} process{'es' if jobs > 1 else ''}", run(big, root / f"out-{jobs}", jobs))
        report("2 processes, first 250 projects", run(small, root / "out-250", 2))


def run(list_path: Path, outdir: Path, jobs: int) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--run", str(list_path), str(outdir), str(jobs)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def report(label: str, r: dict[str, float]) -> None:
    print(f"{label}: {r['forms']:.0f} forms in {r['total']:.1f} s = {r['forms'] / r['total']:.1f} forms/s end to end "
          f"({r['forms'] / r['building']:.1f} forms/s building; reading the list {r['reading']:.1f} s, "
          f"manifest {r['manifest']:.2f} s)")
    print(f"    CPU time: {r['cpu'] / r['forms'] * 1000:.1f} ms per form, all processes "
          f"(less than wall time × processes when others share the machine's cores)")
    if not r["worker_peak"]:
        print(f"    peak memory: {r['parent_peak'] / MIB:.0f} MiB (no worker processes)")
        return
    print(f"    peak memory: main process {r['parent_peak'] / MIB:.0f} MiB, largest worker "
          f"{r['worker_peak'] / MIB:.0f} MiB, all processes together {r['total_peak'] / MIB:.0f} MiB "
          "(shared pages counted in each)")


def measure(list_path: Path, outdir: Path, jobs: int) -> dict[str, float]:
    """One batch run in this process, timed and with its memory (and its workers') sampled."""
    from perfeval_xl.batch import Status, generate_batch

    sampler = Sampler(os.getpid())
    sampler.start()
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        marks.setdefault("read", time.perf_counter())
        if done == total:
            marks["built"] = time.perf_counter()

    start = time.perf_counter()
    batch = generate_batch(list_path, outdir, jobs=jobs, progress=progress)
    end = time.perf_counter()
    sampler.stop()
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu": own.ru_utime + own.ru_stime + sum(sampler.cpu.values()),
        "forms": batch.count(Status.GENERATED),
        "total": end - start,
        "reading": marks["read"] - start,
        "building": marks["built"] - marks["read"],
        "manifest": end - marks["built"],
        "parent_peak": max(sampler.parent_peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),
        "worker_peak": sampler.worker_peak,
        "total_peak": sampler.total_peak,
    }


class Sampler(threading.Thread):
    """Samples the resident memory of a process and its descendants every 50 ms (Linux /proc)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.parent_peak = self.worker_peak = self.total_peak = 0
        self.cpu: dict[int, float] = {}  # descendant -> CPU seconds, as last seen
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def sample(self) -> None:
        descendants = _descendants(self.pid)
        for pid in descendants:
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu(pid))
        rss = {pid: _rss(pid) for pid in [self.pid, *descendants]}
        self.parent_peak = max(self.parent_peak, rss.pop(self.pid))
        self.worker_peak = max(self.worker_peak, *rss.values(), 0)
        self.total_peak = max(self.total_peak, self.parent_peak if not rss else sum(rss.values()) + _rss(self.pid))


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


if __name__ == "__main__":
    main()
