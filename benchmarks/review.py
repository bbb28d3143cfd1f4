"""Writing the review workbook: 1,000 / 5,000 / 10,000 projects, time and peak memory.

The goal: the review of 10,000 forms written in under 5 s, with memory that does not grow
with the number of forms. The store is filled with real results — the 1,000 filled forms of
benchmarks/consolidate.py's corpus, read and scored once by the consolidation's worker — copied
under other names (主管部门, 实施单位, 项目名称, content hash) until it holds the size asked for, so
every project is distinct and keeps real indicators and findings. Each size is written in a
fresh process, so its peak memory is its own.

Run: python benchmarks/review.py [--corpus DIR] [--sizes 1000,5000,10000]
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def records(corpus_dir: Path) -> list[dict]:  # type: ignore[type-arg]
    from consolidate import corpus

    from perfeval_xl.consolidate.worker import process_file

    paths = [str(p) for p in corpus(corpus_dir, 1000)]
    return [r for r in map(process_file, paths) if r["status"] == "ok"]


def fill(store_path: Path, base: list[dict], size: int) -> int:  # type: ignore[type-arg]
    from perfeval_xl.consolidate.store import Store

    store = Store(store_path)
    run = store.start_run(["基准"], str(store_path.parent))
    batch = []
    for i in range(size):
        record = copy.deepcopy(base[i % len(base)])
        record["sha256"] = f"{i:064x}"
        record["path"] = f"{store_path.parent}/回收/部门{i % 40}/{i:05d}.xlsx"
        for project in record["projects"]:
            project["department"] = f"区第{i % 40}局"
            project["unit"] = f"区第{i % 40}局第{i % 7}分局"
            project["project"] = f"基准项目{i:05d}"
        batch.append(record)
        if len(batch) == 500:
            store.add_results(run, batch)
            batch = []
    if batch:
        store.add_results(run, batch)
    store.finish_run(run, size, size, 0, 0)
    store.close()
    return run


def write(store_path: Path, run: int, out: Path) -> None:
    """Write the review in this (forked) process and print what it took."""
    from perfeval_xl.consolidate.review import ReviewOptions, write_review
    from perfeval_xl.consolidate.store import Store

    store = Store(store_path)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    before, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    stats = write_review(store, run, out, str(store_path.parent), [], ReviewOptions())
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime - cpu
    print(f"  {stats.projects:6d} projects, {stats.indicators:7d} indicator rows, {stats.findings:6d} findings: "
          f"review written in {seconds:5.2f} s ({cpu:5.2f} s of CPU; {out.stat().st_size / 1e6:.1f} MB); peak memory "
          f"{peak:.0f} MB ({before:.0f} MB before writing)", flush=True)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "perfeval-bench-corpus")
    parser.add_argument("--sizes", default="1000,5000,10000")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    start = time.perf_counter()
    base = records(args.corpus)
    print(f"{len(base)} filled forms read as the store's results ({time.perf_counter() - start:.0f} s)", flush=True)
    with tempfile.TemporaryDirectory(prefix="perfeval-bench-review-") as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            store = Path(tmp) / f"store-{size}.sqlite"
            run = fill(store, base, size)
            pid = os.fork()
            if pid == 0:
                try:
                    write(store, run, Path(tmp) / f"汇总-{size}.xlsx")
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
