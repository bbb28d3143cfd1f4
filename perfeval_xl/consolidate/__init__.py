"""Consolidating returned forms into one review workbook. One entry point: :func:`consolidate`.

:mod:`.discover` finds the files; :mod:`.worker` reads and scores one file (in
worker processes of :mod:`.pool`, values only, never trusting stored results, each
file under a time and memory limit); :mod:`.store` keeps every result in SQLite keyed
by content hash and context; :mod:`.review` writes the workbook from the store.

Whatever the folder holds, the run ends with a review: a file that cannot be read,
that crashes or exhausts its worker, is listed in 未能读取 with the reason, and the
store remembers it so a re-run does not read it again. Where the review and the store
go is checked before any file is read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import check_writable
from ..datafiles import rules_digest
from ..errors import FileError, InputError
from ..kinds import known_versions
from ..pathtext import readable
from ..seal import SealKey
from .discover import discover
from .expected import read_manifest
from .own_outputs import set_aside
from .pool import Failed, IsolatedPool, Limits
from .review import ReviewOptions, ReviewStats, write_review
from .store import GENERATOR, Store
from .worker import crash_reason, limit_reason, process_file

__all__ = ["Consolidated", "Limits", "cache_context", "consolidate"]

BATCH = 32  # results stored per transaction
BATCH_SECONDS = 1.0  # … or after this long, so an interrupted run keeps what it read

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
    log: Path | None = None  # what the workers wrote on their way down (diagnostics), when anything
    worker_peak_mb: float = 0.0  # the largest worker's peak memory
    worker_cpu: float = 0.0  # CPU seconds the workers used


def _root(inputs: list[str]) -> str | None:
    dirs = [_folder(Path(i)) for i in inputs if os.path.lexists(i)]
    if not dirs:
        return None
    try:
        return readable(os.path.commonpath(dirs))
    except ValueError:
        return None


def _folder(path: Path) -> str:
    """The folder an input names (itself, or the one holding it); a link loop is not followed."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop
        return os.path.dirname(os.path.abspath(path))
    return str(resolved if resolved.is_dir() else resolved.parent)


def _absolute(path: Path) -> str:
    """The path as stored and shown: absolute (links not followed: a loop has no target), readable."""
    return readable(os.path.abspath(path))


def cache_context(year: int | None, profile: str | None, key: SealKey | None, limits: Limits | None = None) -> str:
    """The key under which results are stored and reused: the perfeval-xl version, a hash of the
    rule data shipped with it (profiles, notation, labels), the form kinds and template versions
    its readers know (a 评分表 stored as unreadable before its kind could be consolidated is read
    again) and the options that change a result (the limits too: a file that exceeded them is read
    again under larger ones)."""
    limits = limits or Limits()
    options = json.dumps({"year": year, "profile": profile, "key": key.key_id if key else None,
                          "limits": [limits.seconds, limits.memory_mb], "readers": _reader_versions(),
                          "kinds": known_versions()},
                         sort_keys=True)
    digest = hashlib.sha256(f"{rules_digest()}\n{options}".encode()).hexdigest()[:16]
    return f"{GENERATOR} {digest}"


@functools.lru_cache(maxsize=1)
def _reader_versions() -> list[str]:
    """The reading libraries' versions: another version may read (or crash on) a file differently."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("python-calamine", "openpyxl"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} ?")
    return out


def consolidate(inputs: list[str], output: str | Path, *, db: str | Path | None = None, jobs: int | None = None,
                year: int | None = None, profile: str | None = None, key: SealKey | None = None,
                limits: Limits | None = None, wait: float = 0, waiting: Callable[[str], None] | None = None,
                progress: Progress | None = None, expected: str | Path | None = None,
                sample: int | None = None, seed: int | None = None) -> Consolidated:
    """Read every form under ``inputs``, score it, and write the review to ``output``.

    With ``db`` the results are kept in (and reused from) that SQLite file, which one run
    uses at a time (another is waited for ``wait`` seconds, then refused); with no
    ``inputs`` the review is rebuilt from the store's latest run alone. ``key`` checks
    every form's seal. ``limits`` bound what one file may cost a worker. With ``expected``
    (the 生成清单.xlsx of the forms issued) the review shows which were returned;
    ``sample`` and ``seed`` set the 抽查 sample. The files are read in worker processes,
    which (outside Linux's fork) import the calling program's main module: call this under
    ``if __name__ == "__main__":`` in a script.
    """
    output = Path(output)
    if not inputs and db is None:
        raise InputError("请指定要汇总的文件或文件夹（或用 --db 从已有的汇总库重建）")
    check_writable(output, "汇总工作簿")
    options = ReviewOptions(read_manifest(expected) if expected is not None else None, sample, seed)
    with tempfile.TemporaryDirectory(prefix="perfeval-consolidate-") as tmp:
        store = Store(db if db is not None else Path(tmp) / "review.sqlite", cache_context(year, profile, key, limits))
        try:
            store.lock(wait, waiting, shared=not inputs)
            if not inputs:
                run = store.latest_run()
                if run is None:
                    raise InputError(f"汇总库 {db} 中还没有完成的汇总记录，请先指定要汇总的文件夹")
                store.use_run_context(run)
                done = Consolidated(output)
                root, skipped = store.run_view(run)
                done.skipped = skipped
                options.own_files = done.own_files = store.run_own_files(run)
                done.review = write_review(store, run, output, root, skipped, options)
                return done
            return _run(store, inputs, output, jobs, year, profile, key, limits or Limits(), progress, options)
        finally:
            store.close()


def _run(store: Store, inputs: list[str], output: Path, jobs: int | None, year: int | None,
         profile: str | None, key: SealKey | None, limits: Limits, progress: Progress | None,
         options: ReviewOptions) -> Consolidated:
    clock = time.perf_counter()
    found = discover(inputs)
    found.files, own = set_aside(found.files, output)  # our review, manifest or list among the returns
    # paths are stored absolute, so that the review shows them from ``root`` wherever it is rebuilt
    done = Consolidated(output, files=len(found.files), missing=[readable(m) for m in found.missing],
                        skipped=[(_absolute(p), reason) for p, reason in found.skipped])
    if not found.files and found.missing:
        raise FileError("找不到要汇总的文件：" + "、".join(done.missing))
    done.own_files = options.own_files = [(_absolute(o.path), o.note) for o in own]
    if not found.files:
        foreign = [p for p, reason in found.skipped if reason.startswith("不是 Excel 文件")]
        odd = [f"{readable(p.name)}：{reason}" for p, reason in found.skipped if not reason.startswith("不是 Excel 文件")]
        others = (f"（另有 {len(foreign)} 个非 Excel 文件已跳过）" if foreign else "") + \
            (f"（{'；'.join(odd[:3])}{' 等' if len(odd) > 3 else ''}）" if odd else "") + \
            (f"（另有 {len(own)} 个 perfeval-xl 自己生成的文件已跳过）" if own else "")
        raise FileError(f"在 {'、'.join(readable(i) for i in inputs)} 中没有找到 Excel 工作簿（.xlsx、.xlsm 等）"
                        f"{others}，没有写出汇总表；请检查文件夹是否选对、回收的自评表是否已解压")
    root = _root(inputs)
    run = store.start_run([readable(i) for i in inputs], root, done.skipped)
    store.set_run_own_files(run, done.own_files)
    to_read: list[tuple[str, str]] = []  # (path to open, path as stored)
    for path in found.files:
        text = _absolute(path)
        try:
            stat = path.stat()
        except OSError:
            to_read.append((str(path), text))  # the worker records why it cannot be read
            continue
        sha = store.known_by_path(text, stat.st_size, stat.st_mtime)
        if sha is None:
            to_read.append((str(path), text))  # the worker hashes it; known content is then not stored twice
            continue
        store.add_sighting(run, text, stat.st_size, stat.st_mtime, sha)
        done.reused += 1
    store.db.commit()
    done.seconds["discover"] = time.perf_counter() - clock
    clock = time.perf_counter()
    total = len(found.files)
    if progress:
        progress(done.reused, total)
    _read_all(store, run, to_read, done, total, jobs, year, profile, key, limits, progress)
    read_now = {shown for _, shown in to_read}
    for seen, _mtime, sha, status, _error in store.run_files(run):
        if status == "error" and sha is not None and seen not in read_now:
            done.failed += 1  # known bad content seen again
    store.finish_run(run, total, done.read, done.reused, done.failed)
    done.seconds["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    done.review = write_review(store, run, output, root, done.skipped, options)
    done.seconds["review"] = time.perf_counter() - clock
    return done


def _read_all(store: Store, run: int, to_read: list[tuple[str, str]], done: Consolidated, total: int,
              jobs: int | None, year: int | None, profile: str | None, key: SealKey | None, limits: Limits,
              progress: Progress | None) -> None:
    """Read the files in worker processes and store what comes back, a batch at a time."""
    seen: set[str] = set()
    batch: list[dict[str, Any]] = []
    flushed = time.monotonic()

    def flush() -> None:
        nonlocal flushed
        if batch:
            store.add_results(run, batch)
            batch.clear()
        flushed = time.monotonic()
        if progress:
            progress(done.reused + done.read, total)

    def absorb(record: dict[str, Any]) -> None:
        sha = record["sha256"]
        if sha is not None and (sha in seen or store.has_content(sha)):
            done.reused += 1  # the same content under another name: counted once
        else:
            if sha is not None:
                seen.add(sha)
            done.read += 1
            if record["status"] != "ok":
                done.failed += 1
        batch.append(record)
        if len(batch) >= BATCH or time.monotonic() - flushed > BATCH_SECONDS:
            flush()

    if not to_read:
        return
    handle = functools.partial(process_file, year=year, profile=profile, key=key)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(to_read)))
    pool = IsolatedPool(handle, workers, limits)
    try:
        for outcome in pool.run([opened for opened, _ in to_read]):
            if isinstance(outcome, Failed):
                record = _failure_record(to_read[outcome.index][0], outcome)
                index = outcome.index
            else:
                index, record = outcome
            record["path"] = to_read[index][1]
            absorb(record)
    finally:
        pool.close()
        done.log, done.worker_peak_mb, done.worker_cpu = pool.kept_log, pool.peak_mb, pool.cpu_seconds
    flush()


def _failure_record(path_text: str, failed: Failed) -> dict[str, Any]:
    """The record of a file that took its worker down, by its content so a re-run skips it."""
    reason = limit_reason(failed.detail) if failed.kind in ("time", "memory") else crash_reason(failed.detail)
    record: dict[str, Any] = {"path": path_text, "sha256": None, "size": None, "mtime": None, "saved_at": None,
                              "status": "error", "error": reason, "projects": []}
    try:
        info = os.stat(path_text)
        digest = hashlib.sha256()
        with open(path_text, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        record.update(sha256=digest.hexdigest(), size=info.st_size, mtime=info.st_mtime)
    except OSError:
        pass
    return record
