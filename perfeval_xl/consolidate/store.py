"""The incremental store (SQLite, standard library).

Results are keyed by the content hash of the file they were read from and by the
context they were computed in — the perfeval-xl version, the rule data in force and
the options (year, profile, key) — so a file read once is never read again under the
same context, whatever its name, and is read again when any of these changed. A file
that could not be read is remembered the same way, with its reason. Every run records
where it saw each file (``sightings``); nothing is ever deleted, so a unit's earlier
submissions of a project stay queryable while the review shows the latest. Results go
in one transaction per batch of files: an interrupted run (even kill -9) or a full disk
leaves the store consistent, and the next run carries on.

One run at a time: a run holds a lock on ``<store>.lock`` (released by the system
when the process ends, however it ends); a second run waits for it or is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from .. import __version__
from ..errors import FileError, os_reason

FILE_NAME = "{文件名}"  # stands for the file's name in a stored reason (the worker writes it)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, inputs TEXT,
    files INTEGER, read INTEGER, reused INTEGER, failed INTEGER, generator TEXT, root TEXT, skipped TEXT);
CREATE TABLE IF NOT EXISTS contents (
    sha256 TEXT NOT NULL, generator TEXT NOT NULL, status TEXT NOT NULL, error TEXT, read_at TEXT NOT NULL,
    saved_at TEXT, PRIMARY KEY (sha256, generator));
CREATE TABLE IF NOT EXISTS sightings (
    id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL,
    size INTEGER, mtime REAL, sha256 TEXT);
CREATE INDEX IF NOT EXISTS sightings_run ON sightings(run_id);
CREATE INDEX IF NOT EXISTS sightings_path ON sightings(path);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, generator TEXT NOT NULL, position INTEGER NOT NULL,
    kind TEXT, sheet TEXT, department TEXT, unit TEXT, project TEXT, year INTEGER, profile TEXT,
    budget REAL, executed REAL, rate REAL, exec_score REAL, exec_weight REAL,
    total REAL, grade TEXT, complete INTEGER, status TEXT,
    errors INTEGER, warnings INTEGER, notes INTEGER, project_key TEXT, form_kind TEXT, blocks TEXT, extra TEXT);
CREATE INDEX IF NOT EXISTS projects_content ON projects(sha256, generator);
CREATE INDEX IF NOT EXISTS projects_key ON projects(project_key);
CREATE TABLE IF NOT EXISTS indicators (
    project_id INTEGER NOT NULL REFERENCES projects(id), position INTEGER NOT NULL,
    level1 TEXT, level2 TEXT, name TEXT, target TEXT, actual TEXT, weight REAL, score REAL,
    deviation REAL, reason TEXT, location TEXT);
CREATE INDEX IF NOT EXISTS indicators_project ON indicators(project_id);
CREATE TABLE IF NOT EXISTS findings (
    project_id INTEGER NOT NULL REFERENCES projects(id), severity TEXT, code TEXT, "where" TEXT,
    location TEXT, message TEXT);
CREATE INDEX IF NOT EXISTS findings_project ON findings(project_id);
"""

GENERATOR = f"perfeval-xl {__version__}"

# Columns added since the first release: (table, column, type), added to an older store on opening.
ADDED_COLUMNS = (("runs", "root", "TEXT"), ("runs", "skipped", "TEXT"), ("runs", "own_files", "TEXT"),
                 ("runs", "context", "TEXT"), ("runs", "pid", "INTEGER"),
                 ("projects", "form_kind", "TEXT"), ("projects", "blocks", "TEXT"), ("projects", "extra", "TEXT"))
# A store made before form kinds kept the 自评表's three blocks in columns of their own: their
# values move into ``blocks`` (JSON, by the 一级指标's name) when such a store is opened.
FIXED_BLOCKS = (("output", "产出指标"), ("benefit", "效益指标"), ("satisfaction", "满意度指标"))

PROJECT_COLUMNS = ("kind", "form_kind", "sheet", "department", "unit", "project", "year", "profile", "budget",
                   "executed", "rate", "exec_score", "exec_weight", "blocks", "extra", "total", "grade",
                   "complete", "status", "errors", "warnings", "notes")


def project_key(record: dict[str, Any]) -> str:
    """Which submissions are the same project on the same kind of form: 主管部门 + 实施单位 +
    项目名称 + 年度 (+ the kind, for a form other than the 自评表: a project's 评分表 is no
    resubmission of its 自评表)."""
    parts = [str(record.get(k) or "").strip() for k in ("department", "unit", "project", "year")]
    if (record.get("form_kind") or "self") != "self":
        parts.append(str(record["form_kind"]))
    return json.dumps(parts, ensure_ascii=False)


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Store:
    """The review store; a temporary one when the user gives no --db.

    ``context`` is the cache key of this run's results (see :func:`~perfeval_xl.consolidate.cache_context`):
    only results computed in the same context are reused.
    """

    def __init__(self, path: Path | str, context: str = GENERATOR) -> None:
        self.path = str(path)
        self.context = context
        self._lock: BinaryIO | None = None
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30)
        except OSError as exc:
            raise FileError(f"无法创建汇总库 {self.path}：{os_reason(exc)}") from None
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            for table, column, kind in ADDED_COLUMNS:
                present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            _migrate_blocks(self.db)
            self.db.commit()
        except sqlite3.Error as exc:
            self.db.close()
            raise store_error(exc, self.path) from None

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def lock(self, wait: float = 0, waiting: Callable[[str], None] | None = None, shared: bool = False) -> None:
        """Take the store for this run: exclusively to add to it, ``shared`` to read a review from it.
        Another run holding it is waited for ``wait`` seconds (``waiting`` is told once), then refused."""
        try:
            import fcntl
        except ImportError:  # Windows: SQLite's own locking keeps the data consistent
            return
        try:
            # beside the store as it really is, so two names for one store share one lock
            handle = open(os.path.realpath(self.path) + ".lock", "a+b")  # noqa: SIM115 - held until close()
        except OSError:
            return  # a read-only folder: nothing can write there either
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        deadline = time.monotonic() + max(0.0, wait)
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
                break
            except OSError:
                holder = self._holder()
                if time.monotonic() >= deadline:
                    handle.close()
                    hint = "，或用 --wait 秒数 等它结束" if wait == 0 else ""
                    raise FileError(f"汇总库 {self.path} 正被另一个汇总任务使用{holder}，本次没有读取任何文件；"
                                    f"请等它完成后再运行{hint}，或换一个 --db") from None
                if waiting is not None and not told:
                    waiting(f"汇总库 {self.path} 正被另一个汇总任务使用{holder}，等待其完成（最多 {wait:g} 秒）…")
                    told = True
                time.sleep(0.2)
        self._lock = handle

    def _holder(self) -> str:
        with contextlib.suppress(sqlite3.Error):
            row = self.db.execute("SELECT pid, started FROM runs WHERE finished IS NULL ORDER BY id DESC LIMIT 1"
                                  ).fetchone()
            if row and row[0]:
                return f"（进程 {row[0]}，开始于 {row[1]}）"
        return ""

    @classmethod
    def read_only(cls, path: Path | str) -> Store:
        """An existing store opened for reading only (``check --db``): nothing is created or changed;
        a FileError in Chinese when ``path`` is not a store."""
        from ..errors import FileError

        store = cls.__new__(cls)
        store.path = str(path)
        store.context, store._lock = GENERATOR, None  # reads across contexts; takes no lock
        tables: set[str] = set()
        try:
            store.db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            raise FileError(f"无法打开汇总库 {path}，请检查文件是否存在、是否有读取权限") from None
        with contextlib.suppress(sqlite3.DatabaseError):  # not an SQLite file at all
            tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"runs", "contents", "projects", "indicators", "sightings"} <= tables:
            store.db.close()
            raise FileError(f"{path} 不是 perfeval-xl 的汇总库（consolidate --db 写出的 SQLite 文件），请检查文件")
        return store

    # -- runs -------------------------------------------------------------------------

    def start_run(self, inputs: list[str], root: str | None = None,
                  skipped: list[tuple[str, str]] | None = None) -> int:
        """A new run over ``inputs``; ``root`` is the folder the review shows paths from, ``skipped``
        the files passed over as not workbooks (path, reason): a rebuilt review shows both as this run did."""
        cur = self.db.execute(
            "INSERT INTO runs(started, inputs, generator, root, skipped, context, pid) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_now(), json.dumps(inputs, ensure_ascii=False), GENERATOR, root,
             json.dumps(skipped or [], ensure_ascii=False), self.context, os.getpid()))
        self.db.commit()
        return int(cur.lastrowid or 0)

    def use_run_context(self, run_id: int) -> None:
        """Read the results of run ``run_id`` as it stored them (to rebuild its review)."""
        row = self.db.execute("SELECT coalesce(context, generator) FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is not None and row[0]:
            self.context = str(row[0])

    def run_view(self, run_id: int) -> tuple[str | None, list[tuple[str, str]]]:
        """The root and the skipped files recorded with a run."""
        row = self.db.execute("SELECT root, skipped FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None, []
        return row[0], [(str(path), str(reason)) for path, reason in json.loads(row[1] or "[]")]

    def finish_run(self, run_id: int, files: int, read: int, reused: int, failed: int) -> None:
        try:
            with self.db:
                self.db.execute("UPDATE runs SET finished=?, files=?, read=?, reused=?, failed=? WHERE id=?",
                                (_now(), files, read, reused, failed, run_id))
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None

    def latest_run(self) -> int | None:
        row = self.db.execute("SELECT max(id) FROM runs WHERE finished IS NOT NULL").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    # -- what is known ------------------------------------------------------------------

    def known_by_path(self, path: str, size: int, mtime: float) -> str | None:
        """The content hash of a file seen before at this path with this size and time."""
        row = self.db.execute(
            "SELECT s.sha256 FROM sightings s JOIN contents c ON c.sha256 = s.sha256 AND c.generator = ? "
            "WHERE s.path = ? AND s.size = ? AND s.mtime = ? ORDER BY s.id DESC LIMIT 1",
            (self.context, path, size, mtime)).fetchone()
        return None if row is None else str(row[0])

    def has_content(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM contents WHERE sha256 = ? AND generator = ?",
                               (sha256, self.context)).fetchone() is not None

    # -- writing --------------------------------------------------------------------------

    def add_sighting(self, run_id: int, path: str, size: int | None, mtime: float | None,
                     sha256: str | None) -> None:
        self.db.execute("INSERT INTO sightings(run_id, path, size, mtime, sha256) VALUES (?, ?, ?, ?, ?)",
                        (run_id, path, size, mtime, sha256))

    def add_results(self, run_id: int, records: list[dict[str, Any]]) -> None:
        """Several workers' records in one transaction: all of them are stored, or none."""
        try:
            with self.db:
                for record in records:
                    self._add(run_id, record)
        except sqlite3.Error as exc:
            raise store_error(exc, self.path, len(records)) from None

    def add_result(self, run_id: int, record: dict[str, Any]) -> None:
        """A worker's record: content, projects, indicators, findings and the sighting, atomically."""
        with self.db:
            self._add(run_id, record)

    def _add(self, run_id: int, record: dict[str, Any]) -> None:
        """One record (the caller holds the transaction)."""
        sha = record["sha256"]
        if sha is not None and not self.has_content(sha):
            self.db.execute(
                "INSERT OR IGNORE INTO contents(sha256, generator, status, error, read_at, saved_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (sha, self.context, record["status"], record["error"], _now(), record.get("saved_at")))
            for position, project in enumerate(record["projects"]):
                values = [project[c] for c in PROJECT_COLUMNS]
                cur = self.db.execute(
                    f"INSERT INTO projects(sha256, generator, position, {', '.join(PROJECT_COLUMNS)}, "
                    f"project_key) VALUES (?, ?, ?, {', '.join('?' * len(PROJECT_COLUMNS))}, ?)",
                    [sha, self.context, position, *values, project_key(project)])
                pid = cur.lastrowid
                self.db.executemany(
                    "INSERT INTO indicators(project_id, position, level1, level2, name, target, actual, "
                    "weight, score, deviation, reason, location) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(pid, i, *row) for i, row in enumerate(project["indicators"])])
                self.db.executemany(
                    'INSERT INTO findings(project_id, severity, code, "where", location, message) '
                    "VALUES (?,?,?,?,?,?)", [(pid, *row) for row in project["findings"]])
        self.add_sighting(run_id, record["path"], record["size"], record["mtime"], sha)
        if sha is None:  # not even readable as bytes: keep the reason with the sighting
            self.db.execute(
                "INSERT OR IGNORE INTO contents(sha256, generator, status, error, read_at) VALUES (?,?,?,?,?)",
                (f"path:{record['path']}", self.context, record["status"], record["error"], _now()))

    # -- reading the review --------------------------------------------------------------

    def run_files(self, run_id: int) -> Iterator[tuple[str, float | None, str | None, str, str | None]]:
        """(path, mtime, sha256, status, error) of every file seen in a run; a reason names the file
        it is listed with (a reason is stored once per content, which several files may share)."""
        for path, mtime, sha, status, error in self.db.execute(
            "SELECT s.path, s.mtime, s.sha256, coalesce(c.status, c2.status), coalesce(c.error, c2.error) "
            "FROM sightings s "
            "LEFT JOIN contents c ON c.sha256 = s.sha256 AND c.generator = ? "
            "LEFT JOIN contents c2 ON c2.sha256 = 'path:' || s.path AND c2.generator = ? "
            "WHERE s.run_id = ? ORDER BY s.path", (self.context, self.context, run_id)):
            if error:
                error = error.replace(FILE_NAME, PurePath(path).name)
            yield path, mtime, sha, status, error

    def run_projects(self, run_id: int) -> list[sqlite3.Row]:
        """Every project of every readable file seen in a run, with the file's path and time."""
        self.db.row_factory = sqlite3.Row
        try:
            return list(self.db.execute(
                "SELECT p.*, s.path AS path, s.mtime AS mtime, c.saved_at AS saved_at FROM sightings s "
                "JOIN projects p ON p.sha256 = s.sha256 AND p.generator = ? "
                "JOIN contents c ON c.sha256 = s.sha256 AND c.generator = p.generator "
                "WHERE s.run_id = ? ORDER BY s.path, p.position", (self.context, run_id)))
        finally:
            self.db.row_factory = None

    def indicators(self, project_id: int) -> list[tuple[Any, ...]]:
        return list(self.db.execute(
            "SELECT level1, level2, name, target, actual, weight, score, deviation, reason, location "
            "FROM indicators WHERE project_id = ? ORDER BY position", (project_id,)))

    def findings(self, project_id: int) -> list[tuple[Any, ...]]:
        return list(self.db.execute(
            'SELECT severity, code, "where", location, message FROM findings WHERE project_id = ? '
            "ORDER BY rowid", (project_id,)))

    # -- the review's other views (issue 13): earlier years, a run's own files -----------------

    def earlier_projects(self, before: int) -> list[sqlite3.Row]:
        """Every project of a year before ``before`` ever stored, read by any perfeval-xl version,
        with the latest time its file was seen: what 历年对比 matches this year's projects with.
        Of a content read by several versions, the newest reading (highest id) is returned."""
        self.db.row_factory = sqlite3.Row
        try:
            rows = list(self.db.execute(
                "WITH seen AS (SELECT sha256, max(mtime) AS mtime, max(id) AS last FROM sightings "
                "GROUP BY sha256) "
                "SELECT p.*, c.saved_at AS saved_at, seen.mtime AS mtime, s.path AS path FROM projects p "
                "JOIN contents c ON c.sha256 = p.sha256 AND c.generator = p.generator "
                "JOIN seen ON seen.sha256 = p.sha256 JOIN sightings s ON s.id = seen.last "
                "WHERE p.year < ? ORDER BY p.id", (before,)))
        finally:
            self.db.row_factory = None
        newest: dict[tuple[str, int], sqlite3.Row] = {}
        for row in rows:
            newest[(row["sha256"], row["position"])] = row  # ordered by id: the newest reading wins
        return list(newest.values())

    def set_run_own_files(self, run_id: int, own_files: list[tuple[str, str]]) -> None:
        """Record perfeval-xl's own files a run passed over (path, note), for a rebuilt review."""
        self.db.execute("UPDATE runs SET own_files = ? WHERE id = ?",
                        (json.dumps(own_files, ensure_ascii=False), run_id))
        self.db.commit()

    def run_own_files(self, run_id: int) -> list[tuple[str, str]]:
        row = self.db.execute("SELECT own_files FROM runs WHERE id = ?", (run_id,)).fetchone()
        return [] if row is None else [(str(p), str(n)) for p, n in json.loads(row[0] or "[]")]

    def run_started(self, run_id: int) -> str | None:
        row = self.db.execute("SELECT started FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else row[0]


def _migrate_blocks(db: sqlite3.Connection) -> None:
    """Projects stored before form kinds: 自评表s whose block scores are in the fixed columns."""
    present = {row[1] for row in db.execute("PRAGMA table_info(projects)")}
    if not {column for column, _ in FIXED_BLOCKS} <= present:
        return
    rows = db.execute(f"SELECT id, {', '.join(column for column, _ in FIXED_BLOCKS)} FROM projects "
                      "WHERE blocks IS NULL").fetchall()
    db.executemany("UPDATE projects SET blocks = ?, form_kind = coalesce(form_kind, 'self'), "
                   "extra = coalesce(extra, '{}') WHERE id = ?",
                   [(json.dumps({name: value for (_, name), value in zip(FIXED_BLOCKS, values, strict=True)},
                                ensure_ascii=False), pid) for pid, *values in rows])


def blocks_of(row: sqlite3.Row) -> dict[str, float | None]:
    """A stored project's block subtotals, by the 一级指标's name."""
    blocks: dict[str, float | None] = json.loads(row["blocks"] or "{}")
    return blocks


def extra_of(row: sqlite3.Row) -> dict[str, Any]:
    """What a kind stores beyond the common columns (the 评分表's 评价方式)."""
    extra: dict[str, Any] = json.loads(row["extra"] or "{}")
    return extra


def store_error(exc: sqlite3.Error, path: str, pending: int = 0) -> FileError:
    """A SQLite error in Chinese: what happened to the store, and that what it holds is intact."""
    text = str(exc).lower()
    lost = f"最后 {pending} 个文件的结果未能写入（下次运行会重新读取），" if pending else ""
    if "full" in text:
        return FileError(f"汇总库 {path} 所在的磁盘已满：{lost}已保存的结果完好；请清理磁盘后重新运行，会从中断处继续")
    if "readonly" in text or "read-only" in text:
        return FileError(f"汇总库 {path} 无法写入（文件或所在文件夹只读），请检查权限，或换一个 --db")
    if "unable to open" in text:
        return FileError(f"无法打开汇总库 {path}：所在文件夹不存在或没有权限，请检查路径，或换一个 --db")
    if "not a database" in text or "malformed" in text:
        return FileError(f"{path} 不是汇总库（SQLite 文件）或已损坏；请检查 --db 是否写错（不要指向汇总工作簿），"
                         "或换一个新的 --db")
    if "locked" in text or "busy" in text:
        return FileError(f"汇总库 {path} 正被其他程序占用（如数据库查看工具），请关闭后重试")
    if "disk i/o" in text:
        return FileError(f"汇总库 {path} 读写出错（磁盘错误或空间不足）：{lost}已保存的结果完好；请检查磁盘后重新运行")
    return FileError(f"汇总库 {path} 出错：{exc}；已保存的结果完好，请重新运行")
