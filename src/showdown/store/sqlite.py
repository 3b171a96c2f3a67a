"""SQLite store: every result saved the moment it is measured, queried by reports and resume.

Each result is one row written in one transaction (WAL mode), holding the whole record as JSON
beside the columns reports filter on, so a reader never sees half a result. SQLite's
``user_version`` holds the schema version (0: a store from before versions were kept, which is
version 1's shape).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from showdown.errors import StoreError
from showdown.records import SCHEMA_VERSION
from showdown.store.base import Store, Writer
from showdown.store.migrations import check_version, upgrade_record

__all__ = ["SqliteStore", "check_new_store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    round TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    model TEXT NOT NULL,
    task TEXT NOT NULL,
    case_id TEXT NOT NULL DEFAULT '',
    trial INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    score INTEGER,
    tokens_per_s REAL,
    error TEXT,
    record TEXT NOT NULL,
    UNIQUE (run_id, model, task, case_id, trial)
);
CREATE INDEX IF NOT EXISTS results_model ON results(model);
CREATE TABLE IF NOT EXISTS speed_results (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    model TEXT NOT NULL,
    config TEXT NOT NULL,
    depth INTEGER NOT NULL,
    record TEXT NOT NULL,
    UNIQUE (run_id, model, config, depth)
);
"""

#: A record less its long texts, cut by SQLite (in C, before Python parses them): most of a
#: record's bytes; ``base.lean`` then makes sure of the rest (a test beyond the 16th, say).
_LEAN_RECORD = ("json_remove(r.record, '$.generation.text', '$.generation.reasoning', "
                + ", ".join(f"'$.verdict.functional[{i}].commands'" for i in range(16))
                + ", CASE WHEN json_type(r.record, '$.verdict.style') = 'object' "
                "THEN '$.verdict.code' ELSE '$.verdict.code.kept' END)")


def _damaged(path: Path, exc: sqlite3.Error) -> StoreError:
    """One line for a database that is not one, or whose pages are corrupt."""
    return StoreError(f"the store {path} is damaged or not a showdown database ({exc}); move it "
                      f"aside and start afresh, or salvage it with `sqlite3 {path} .recover`, "
                      "or choose another with --db")


def check_new_store(path: Path) -> None:
    """Refuse, creating nothing, a store path where no store could be made (a file in the way
    of its folder, a folder we cannot write); a refused run must leave no empty store behind."""
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if folder is None or not folder.is_dir():
        raise StoreError(f"cannot open the store {path}: {folder} is not a folder (choose another "
                         "with --db)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"cannot open the store {path}: {folder} is not writable (choose another "
                         "with --db)")


class _Writer:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        return self._db.execute(sql, args).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)


class SqliteStore(Store):
    """One SQLite database of runs and results."""

    _LEAN_COLUMN = _LEAN_RECORD

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path = Path(path)
        self.where = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.executescript(_SCHEMA)
            _upgrade(self._db, path)
            # A damaged file may open and still fail on the first page a query touches.
            self._db.execute("SELECT count(*) FROM runs").fetchone()
            self._db.execute("SELECT count(*) FROM results").fetchone()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot open the store {path}: {exc} (choose another with --db)") from exc
        except sqlite3.DatabaseError as exc:
            raise _damaged(path, exc) from exc
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store {path}: {exc} (choose another with --db)") from exc

    def close(self) -> None:
        self._db.close()

    def reopen(self) -> SqliteStore:
        return SqliteStore(self.path)

    def _rescue_folder(self) -> Path:
        return self.path.parent

    @contextmanager
    def _tx(self) -> Iterator[Writer]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield _Writer(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from exc
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:  # locked, unreadable: not damage
            raise StoreError(f"cannot read the store {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from exc
        except (sqlite3.Error, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise StoreError(f"cannot read the store {self.path}: {exc}") from exc

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, args).fetchall()

    def _records(self, column: str, where: str, args: list[str]) -> Iterator[str]:
        sql = f"SELECT {column} FROM results r JOIN runs USING (run_id){where} ORDER BY r.id"
        # A cursor of its own: the caller may query the store while this one is read.
        for (record,) in self._db.cursor().execute(sql, args):
            yield record

    def check_writable(self) -> None:
        with self._tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS _probe (x INTEGER)")
            db.execute("INSERT INTO _probe VALUES (1)")
            db.execute("DROP TABLE _probe")


def _upgrade(db: sqlite3.Connection, path: Path) -> None:
    """Bring the store's results up to ``SCHEMA_VERSION`` (nothing to do: one PRAGMA read)."""
    version = max(1, db.execute("PRAGMA user_version").fetchone()[0])
    if version == SCHEMA_VERSION:
        return
    check_version(version, f"the store {path}")
    try:
        _rewrite(db)
    except sqlite3.OperationalError:
        # Read-only or busy: records decode from any older shape, so reading still works and
        # the next open that can write upgrades it.
        return


def _rewrite(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have upgraded it while this one waited for the lock.
        version = max(1, db.execute("PRAGMA user_version").fetchone()[0])
        rows = db.execute("SELECT id, record FROM results").fetchall() if version < SCHEMA_VERSION else []
        for row_id, record in rows:
            try:
                data = json.loads(record)
            except ValueError:  # a damaged row: left for reading to report, not fixed here
                continue
            db.execute("UPDATE results SET record = ? WHERE id = ?",
                       (json.dumps(upgrade_record(data, version)), row_id))
        db.execute(f"PRAGMA user_version = {max(version, SCHEMA_VERSION)}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
