"""Consolidation speed: 1,000 and 10,000 filled forms, in one run with the baselines.

Prints files per second and peak memory for
- the naive loop a user would write (openpyxl.load_workbook per file, one process),
- python-calamine merely reading every sheet of the same files (2 processes),
- perfeval-xl consolidate with 1 and 2 processes (reading, scoring, checks and the
  SQLite store; the review workbook is timed separately).

Run: python benchmarks/consolidate.py [--corpus DIR] [--sizes 1000,10000]
The corpus is generated once (1,000 distinct filled forms; larger sizes add copies
whose docProps/core.xml differs, so every file has distinct content) and reused.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

BASE = 1000


def _build(index: int, folder: str) -> str:
    from formcases import make_case

    from perfeval_xl.form import build_form

    case = make_case(index)
    case.name = f"基准项目{index:05d}"
    spec = dataclasses.replace(case.filled_spec(), department=f"部门{index % 23}", unit=f"单位{index % 97}")
    return str(build_form(spec, Path(folder) / f"{index:05d}.xlsx").path)


def _copy(source: str, target: str, tag: str) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = data.replace(b"<dc:title>", f"<dc:title>[{tag}]".encode())
            dst.writestr(item, data)


def corpus(root: Path, size: int) -> list[Path]:
    base = root / "base"
    base.mkdir(parents=True, exist_ok=True)
    missing = [i for i in range(BASE) if not (base / f"{i:05d}.xlsx").exists()]
    if missing:
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_build, missing, [str(base)] * len(missing), chunksize=50))
    files = sorted(base.glob("*.xlsx"))[:size]
    extra = root / "copies"
    extra.mkdir(exist_ok=True)
    for i in range(BASE, size):
        target = extra / f"{i:05d}.xlsx"
        if not target.exists():
            _copy(str(files[i % BASE]), str(target), f"copy{i}")
        files.append(target)
    return files[:size]


def _naive(paths: list[str]) -> int:
    import openpyxl

    for path in paths:
        openpyxl.load_workbook(path, data_only=True).close()
    return len(paths)


def _calamine(paths: list[str]) -> int:
    from python_calamine import CalamineWorkbook

    for path in paths:
        wb = CalamineWorkbook.from_path(path)
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return len(paths)


def _parallel(func, paths: list[Path], jobs: int) -> float:  # type: ignore[no-untyped-def]
    chunks = [[str(p) for p in paths[i:i + 64]] for i in range(0, len(paths), 64)]
    start = time.perf_counter()
    if jobs == 1:
        for chunk in chunks:
            func(chunk)
    else:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(func, chunks))
    return time.perf_counter() - start


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _consolidate(paths: list[Path], jobs: int, out: Path) -> None:
    """Run in a fresh process so its peak memory is its own."""
    from perfeval_xl.consolidate import consolidate

    folder = out.parent / f"in-{jobs}"
    folder.mkdir(parents=True, exist_ok=True)
    for p in paths:
        link = folder / f"{p.parent.name}-{p.name}"
        if not link.exists():
            os.symlink(p.resolve(), link)
    cpu = time.process_time()
    done = consolidate([str(folder)], out, jobs=jobs)
    own, _ = _peak_mb()
    read = done.seconds["read"]
    # the readers are worker processes (of a fork server) however many jobs: their CPU and memory
    # come from the pool, the main process's from itself
    print(f"  consolidate --jobs {jobs}: {len(paths) / read:8.0f} files/s reading+scoring+checks+store "
          f"({read:.1f} s); review workbook {done.seconds['review']:.1f} s; "
          f"{done.review.projects} projects, {done.review.indicators} indicators; "
          f"CPU {1000 * (done.worker_cpu + time.process_time() - cpu) / len(paths):.2f} ms a file "
          f"(workers {1000 * done.worker_cpu / len(paths):.2f}); "
          f"peak memory {own:.0f} MB (main), {done.worker_peak_mb:.0f} MB (largest worker)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "perfeval-bench-corpus")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--naive-sample", type=int, default=300)
    args = parser.parse_args()
    cores = os.cpu_count()
    print(f"machine: {cores} cores; Python {sys.version.split()[0]}")
    for size in [int(s) for s in args.sizes.split(",")]:
        start = time.perf_counter()
        paths = corpus(args.corpus, size)
        print(f"{size} filled forms (corpus ready in {time.perf_counter() - start:.0f} s, "
              f"{sum(p.stat().st_size for p in paths) / 1e6:.0f} MB)", flush=True)
        sample = [str(p) for p in paths[: args.naive_sample]]
        start = time.perf_counter()
        _naive(sample)
        naive = len(sample) / (time.perf_counter() - start)
        print(f"  naive openpyxl loop (1 process, {len(sample)}-file sample): {naive:8.1f} files/s", flush=True)
        calamine = size / _parallel(_calamine, paths, 2)
        print(f"  python-calamine reading every sheet (2 processes): {calamine:8.0f} files/s", flush=True)
        work = Path(tempfile.mkdtemp(prefix="perfeval-bench-"))
        try:
            for jobs in (1, 2):
                pid = os.fork()
                if pid == 0:
                    try:
                        _consolidate(paths, jobs, work / f"汇总-{jobs}.xlsx")
                    finally:
                        os._exit(0)
                os.waitpid(pid, 0)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
