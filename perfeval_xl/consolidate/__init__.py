"""Consolidating returned forms into one review workbook. One entry point: :func:`consolidate`.

:mod:`.discover` finds the files; :mod:`.worker` reads and scores one file (in
parallel processes, values only, never trusting stored results); :mod:`.store`
keeps every result in SQLite keyed by content hash; :mod:`.review` writes the
workbook from the store.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from ..errors import FileError, InputError
from .discover import discover
from .expected import read_manifest
from .own_outputs import set_aside
from .review import ReviewOptions, ReviewStats, write_review
from .store import Store
from .worker import process_chunk

__all__ = ["Consolidated", "consolidate"]

CHUNK = 32  # files per task sent to a worker process

Progress = Callable[[int, int], None]


@dataclass
class Consolidated:
    """What a consolidation did."""

    output: Path
    files: int = 0
    read: int = 0
    reused: int = 0
    failed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    review: ReviewStats = field(default_factory=ReviewStats)
    own_files: list[tuple[str, str]] = field(default_factory=list)  # perfeval-xl's own files passed over
    seconds: dict[str, float] = field(default_factory=dict)  # discover, read, review


def _root(inputs: list[str]) -> str | None:
    dirs = [str(Path(i).resolve()) if Path(i).is_dir() else str(Path(i).resolve().parent)
            for i in inputs if Path(i).exists()]
    if not dirs:
        return None
    try:
        return os.path.commonpath(dirs)
    except ValueError:
        return None


def _absolute(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def consolidate(inputs: list[str], output: str | Path, *, db: str | Path | None = None, jobs: int | None = None,
                year: int | None = None, profile: str | None = None,
                progress: Progress | None = None, expected: str | Path | None = None,
                sample: int | None = None, seed: int | None = None) -> Consolidated:
    """Read every form under ``inputs``, score it, and write the review to ``output``.

    With ``db`` the results are kept in (and reused from) that SQLite file; with no
    ``inputs`` the review is rebuilt from the store's latest run alone. With ``expected``
    (the 生成清单.xlsx of the forms issued) the review shows which were returned;
    ``sample`` and ``seed`` set the 抽查 sample.
    """
    output = Path(output)
    if not inputs and db is None:
        raise InputError("请指定要汇总的文件或文件夹（或用 --db 从已有的汇总库重建）")
    options = ReviewOptions(read_manifest(expected) if expected is not None else None, sample, seed)
    with tempfile.TemporaryDirectory(prefix="perfeval-consolidate-") as tmp:
        store = Store(db if db is not None else Path(tmp) / "review.sqlite")
        try:
            if not inputs:
                run = store.latest_run()
                if run is None:
                    raise InputError(f"汇总库 {db} 中还没有完成的汇总记录，请先指定要汇总的文件夹")
                done = Consolidated(output)
                root, skipped = store.run_view(run)
                done.skipped = skipped
                options.own_files = done.own_files = store.run_own_files(run)
                done.review = write_review(store, run, output, root, skipped, options)
                return done
            return _run(store, inputs, output, jobs, year, profile, progress, options)
        finally:
            store.close()


def _run(store: Store, inputs: list[str], output: Path, jobs: int | None, year: int | None,
         profile: str | None, progress: Progress | None, options: ReviewOptions) -> Consolidated:
    clock = time.perf_counter()
    found = discover(inputs)
    found.files, own = set_aside(found.files, output)  # our review, manifest or list among the returns
    # paths are stored absolute, so that the review shows them from ``root`` wherever it is rebuilt
    done = Consolidated(output, files=len(found.files), missing=found.missing,
                        skipped=[(_absolute(p), reason) for p, reason in found.skipped])
    if not found.files and found.missing:
        raise FileError("找不到要汇总的文件：" + "、".join(found.missing))
    done.own_files = options.own_files = [(_absolute(o.path), o.note) for o in own]
    if not found.files:
        others = f"（另有 {len(found.skipped)} 个非 Excel 文件已跳过）" if found.skipped else ""
        if own:
            others += f"（另有 {len(own)} 个 perfeval-xl 自己生成的文件已跳过）"
        raise FileError(f"在 {'、'.join(inputs)} 中没有找到 Excel 工作簿（.xlsx、.xlsm 等）{others}，"
                        "没有写出汇总表；请检查文件夹是否选对、回收的自评表是否已解压")
    root = _root(inputs)
    run = store.start_run(inputs, root, done.skipped)
    store.set_run_own_files(run, done.own_files)
    to_read: list[str] = []
    for path in found.files:
        text = _absolute(path)
        try:
            stat = path.stat()
        except OSError:
            to_read.append(text)  # the worker records why it cannot be read
            continue
        sha = store.known_by_path(text, stat.st_size, stat.st_mtime)
        if sha is None:
            to_read.append(text)  # the worker hashes it; known content is then not stored twice
            continue
        store.add_sighting(run, text, stat.st_size, stat.st_mtime, sha)
        done.reused += 1
    store.db.commit()
    done.seconds["discover"] = time.perf_counter() - clock
    clock = time.perf_counter()
    total = len(found.files)
    if progress:
        progress(done.reused, total)
    chunks = [to_read[i:i + CHUNK] for i in range(0, len(to_read), CHUNK)]
    workers = max(1, jobs or os.cpu_count() or 1)

    seen: set[str] = set()

    def absorb(records: list[dict]) -> None:  # type: ignore[type-arg]
        for record in records:
            sha = record["sha256"]
            if sha is not None and (sha in seen or store.has_content(sha)):
                done.reused += 1  # the same content under another name: counted once
            else:
                if sha is not None:
                    seen.add(sha)
                done.read += 1
                if record["status"] != "ok":
                    done.failed += 1
        store.add_results(run, records)
        if progress:
            progress(done.reused + done.read, total)

    if workers == 1 or len(chunks) <= 1:
        for chunk in chunks:
            absorb(process_chunk(chunk, year, profile))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for records in pool.map(process_chunk, chunks, repeat(year), repeat(profile)):
                absorb(records)
    for _path, _mtime, _sha, status, _error in store.run_files(run):
        if status == "error" and _sha is not None and store.has_content(_sha) and _path not in to_read:
            done.failed += 1  # known bad content seen again
    store.finish_run(run, total, done.read, done.reused, done.failed)
    done.seconds["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    done.review = write_review(store, run, output, root, done.skipped, options)
    done.seconds["review"] = time.perf_counter() - clock
    return done
