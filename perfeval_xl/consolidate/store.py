"""The incremental store (SQLite, standard library).

Results are keyed by the content hash of the file they were read from, so a file
read once is never read again (unless perfeval-xl itself changed), whatever its
name. Every run records where it saw each file (``sightings``); nothing is ever
deleted, so a unit's earlier submissions of a project stay queryable while the
review shows the latest. Each file's results go in with one transaction: an
interrupted run leaves the store consistent, and the next run carries on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import __version__

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
    output REAL, benefit REAL, satisfaction REAL, total REAL, grade TEXT, complete INTEGER, status TEXT,
    errors INTEGER, warnings INTEGER, notes INTEGER, project_key TEXT);
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
ADDED_COLUMNS = (("runs", "root", "TEXT"), ("runs", "skipped", "TEXT"), ("runs", "own_files", "TEXT"))

PROJECT_COLUMNS = ("kind", "sheet", "department", "unit", "project", "year", "profile", "budget", "executed",
                   "rate", "exec_score", "exec_weight", "output", "benefit", "satisfaction", "total", "grade",
                   "complete", "status", "errors", "warnings", "notes")


def project_key(record: dict[str, Any]) -> str:
    """Which submissions are the same project: 主管部门 + 实施单位 + 项目名称 + 年度."""
    parts = [str(record.get(k) or "").strip() for k in ("department", "unit", "project", "year")]
    return json.dumps(parts, ensure_ascii=False)


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Store:
    """The review store; a temporary one when the user gives no --db."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        for table, column, kind in ADDED_COLUMNS:
            present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    @classmethod
    def read_only(cls, path: Path | str) -> Store:
        """An existing store opened for reading only (``check --db``): nothing is created or changed;
        a FileError in Chinese when ``path`` is not a store."""
        from ..errors import FileError

        store = cls.__new__(cls)
        store.path = str(path)
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
            "INSERT INTO runs(started, inputs, generator, root, skipped) VALUES (?, ?, ?, ?, ?)",
            (_now(), json.dumps(inputs, ensure_ascii=False), GENERATOR, root,
             json.dumps(skipped or [], ensure_ascii=False)))
        self.db.commit()
        return int(cur.lastrowid or 0)

    def run_view(self, run_id: int) -> tuple[str | None, list[tuple[str, str]]]:
        """The root and the skipped files recorded with a run."""
        row = self.db.execute("SELECT root, skipped FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None, []
        return row[0], [(str(path), str(reason)) for path, reason in json.loads(row[1] or "[]")]

    def finish_run(self, run_id: int, files: int, read: int, reused: int, failed: int) -> None:
        self.db.execute("UPDATE runs SET finished=?, files=?, read=?, reused=?, failed=? WHERE id=?",
                        (_now(), files, read, reused, failed, run_id))
        self.db.commit()

    def latest_run(self) -> int | None:
        row = self.db.execute("SELECT max(id) FROM runs WHERE finished IS NOT NULL").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    # -- what is known ------------------------------------------------------------------

    def known_by_path(self, path: str, size: int, mtime: float) -> str | None:
        """The content hash of a file seen before at this path with this size and time."""
        row = self.db.execute(
            "SELECT s.sha256 FROM sightings s JOIN contents c ON c.sha256 = s.sha256 AND c.generator = ? "
            "WHERE s.path = ? AND s.size = ? AND s.mtime = ? ORDER BY s.id DESC LIMIT 1",
            (GENERATOR, path, size, mtime)).fetchone()
        return None if row is None else str(row[0])

    def has_content(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM contents WHERE sha256 = ? AND generator = ?",
                               (sha256, GENERATOR)).fetchone() is not None

    # -- writing --------------------------------------------------------------------------

    def add_sighting(self, run_id: int, path: str, size: int | None, mtime: float | None,
                     sha256: str | None) -> None:
        self.db.execute("INSERT INTO sightings(run_id, path, size, mtime, sha256) VALUES (?, ?, ?, ?, ?)",
                        (run_id, path, size, mtime, sha256))

    def add_results(self, run_id: int, records: list[dict[str, Any]]) -> None:
        """Several workers' records in one transaction: all of them are stored, or none."""
        with self.db:
            for record in records:
                self._add(run_id, record)

    def add_result(self, run_id: int, record: dict[str, Any]) -> None:
        """A worker's record: content, projects, indicators, findings and the sighting, atomically."""
        with self.db:
            self._add(run_id, record)

    def _add(self, run_id: int, record: dict[str, Any]) -> None:
        """One record (the caller holds the transaction)."""
        sha = record["sha256"]
        if sha is not None and not self.has_content(sha):
            self.db.execute(
                "INSERT INTO contents(sha256, generator, status, error, read_at, saved_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (sha, GENERATOR, record["status"], record["error"], _now(), record.get("saved_at")))
            for position, project in enumerate(record["projects"]):
                values = [project[c] for c in PROJECT_COLUMNS]
                cur = self.db.execute(
                    f"INSERT INTO projects(sha256, generator, position, {', '.join(PROJECT_COLUMNS)}, "
                    f"project_key) VALUES (?, ?, ?, {', '.join('?' * len(PROJECT_COLUMNS))}, ?)",
                    [sha, GENERATOR, position, *values, project_key(project)])
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
                (f"path:{record['path']}", GENERATOR, record["status"], record["error"], _now()))

    # -- reading the review --------------------------------------------------------------

    def run_files(self, run_id: int) -> Iterator[tuple[str, float | None, str | None, str, str | None]]:
        """(path, mtime, sha256, status, error) of every file seen in a run."""
        yield from self.db.execute(
            "SELECT s.path, s.mtime, s.sha256, coalesce(c.status, c2.status), coalesce(c.error, c2.error) "
            "FROM sightings s "
            "LEFT JOIN contents c ON c.sha256 = s.sha256 AND c.generator = ? "
            "LEFT JOIN contents c2 ON c2.sha256 = 'path:' || s.path AND c2.generator = ? "
            "WHERE s.run_id = ? ORDER BY s.path", (GENERATOR, GENERATOR, run_id))

    def run_projects(self, run_id: int) -> list[sqlite3.Row]:
        """Every project of every readable file seen in a run, with the file's path and time."""
        self.db.row_factory = sqlite3.Row
        try:
            return list(self.db.execute(
                "SELECT p.*, s.path AS path, s.mtime AS mtime, c.saved_at AS saved_at FROM sightings s "
                "JOIN projects p ON p.sha256 = s.sha256 AND p.generator = ? "
                "JOIN contents c ON c.sha256 = s.sha256 AND c.generator = p.generator "
                "WHERE s.run_id = ? ORDER BY s.path, p.position", (GENERATOR, run_id)))
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
