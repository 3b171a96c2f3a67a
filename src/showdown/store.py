"""SQLite store: every result saved the moment it is measured, queried by reports and resume.

Each result is one row written in one transaction (WAL mode), holding the whole record as JSON
beside the columns reports filter on, so a reader never sees half a result.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from showdown.errors import StoreError
from showdown.migrate import upgrade
from showdown.records import Result, RunInfo, from_dict, to_dict

__all__ = ["Store", "StoreError", "check_new_store", "default_db_path"]

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



def _damaged(path: Path, exc: sqlite3.Error) -> StoreError:
    """One line for a database that is not one, or whose pages are corrupt."""
    return StoreError(f"the store {path} is damaged or not a showdown database ({exc}); move it "
                      f"aside and start afresh, or salvage it with `sqlite3 {path} .recover`, "
                      "or choose another with --db")


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:  # locked, unreadable: not damage
        raise StoreError(f"cannot read the store {path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from exc
    except (sqlite3.Error, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise StoreError(f"cannot read the store {path}: {exc}") from exc


def _rescue(db_path: Path, run_id: str, record: str) -> Path:
    """Append a result the database refused to a JSON-lines file, wherever one can be written."""
    for folder in (db_path.parent, Path(tempfile.gettempdir())):
        target = folder / f"showdown-unsaved-{run_id}.jsonl"
        try:
            with target.open("a", encoding="utf-8") as out:
                out.write(record + "\n")
        except OSError:
            continue
        return target
    raise StoreError(f"cannot save a result anywhere (database {db_path} and temp folder)")


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


_INSERT = ("INSERT OR REPLACE INTO results (run_id, model, task, case_id, trial, started_at,"
           " score, tokens_per_s, error, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _row(result: Result) -> tuple[str, str, str, str, int, str, int | None, float | None,
                                  str | None, str]:
    """The values of a result's row: the columns reports filter on, then the whole record."""
    gen, verdict = result.generation, result.verdict
    return (result.run_id, result.model, result.task, result.case, result.trial,
            result.started_at, verdict.score if verdict else None, gen.tokens_per_s, gen.error,
            json.dumps(to_dict(result)))


def _where(run_ids: Sequence[str] | None, rounds: Sequence[str] | None,
           models: Sequence[str] | None, tasks: Sequence[str] | None) -> tuple[str, list[str]]:
    """The WHERE clause (and its arguments) of a selection of results; empty: no filter."""
    where: list[str] = []
    args: list[str] = []
    for column, values in (("r.run_id", run_ids), ("runs.round", rounds),
                           ("r.model", models), ("r.task", tasks)):
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            args.extend(values)
    return (" WHERE " + " AND ".join(where) if where else ""), args


#: A record less its long texts, cut by SQLite (in C, before Python parses them): most of a
#: record's bytes; ``_lean`` then makes sure of the rest (a test beyond the 16th, say).
_LEAN_RECORD = ("json_remove(r.record, '$.generation.text', '$.generation.reasoning', "
                + ", ".join(f"'$.verdict.functional[{i}].commands'" for i in range(16))
                + ", CASE WHEN json_type(r.record, '$.verdict.style') = 'object' "
                "THEN '$.verdict.code' ELSE '$.verdict.code.kept' END)")


def _lean(data: dict[str, Any]) -> dict[str, Any]:
    """A stored result's dict less its long texts (see ``Store.iter_results``)."""
    gen, verdict = data.get("generation") or {}, data.get("verdict")
    gen.pop("text", None)
    gen.pop("reasoning", None)
    if verdict:
        for test in verdict.get("functional") or ():
            test.pop("commands", None)
        if verdict.get("style") is not None:
            verdict.pop("code", None)
    return data


def default_db_path() -> Path:
    """``$SHOWDOWN_DB``, else ``$XDG_DATA_HOME/showdown/showdown.db`` (~/.local/share/...)."""
    if env := os.environ.get("SHOWDOWN_DB"):
        return Path(env)
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "showdown" / "showdown.db"


class Store:
    """One SQLite database of runs and results."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.executescript(_SCHEMA)
            upgrade(self._db, path)
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

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
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

    def check_writable(self) -> None:
        """Fail now, not after an hour of generation, if results could not be saved."""
        with self._tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS _probe (x INTEGER)")
            db.execute("INSERT INTO _probe VALUES (1)")
            db.execute("DROP TABLE _probe")

    def save_run(self, run: RunInfo) -> None:
        """Insert or update a run's row."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO runs (run_id, started_at, finished_at, round, status, record) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET "
                "finished_at=excluded.finished_at, status=excluded.status, record=excluded.record",
                (run.run_id, run.started_at, run.finished_at, run.round, run.status,
                 json.dumps(to_dict(run))),
            )

    def save_results(self, results: Iterable[Result]) -> int:
        """Write many results in one transaction (imports, benchmarks); returns how many.

        All or nothing: on an error none of them is kept (unlike ``save_result`` there is no
        rescue file, as the caller still holds the results).
        """
        count = 0
        with self._tx() as db:
            for result in results:
                db.execute(_INSERT, _row(result))
                count += 1
        return count

    def save_result(self, result: Result) -> None:
        """Write one result atomically; a second write of the same key replaces it.

        If the database cannot take it (disk full, store gone read-only), the measured result
        is appended to a JSON-lines file beside the store, or in the temp folder, and the
        StoreError names that file: a measurement is never simply dropped.
        """
        row = _row(result)
        try:
            with self._tx() as db:
                db.execute(_INSERT, row)
        except StoreError as exc:
            rescue = _rescue(self.path, result.run_id, row[-1])
            raise StoreError(f"{exc}; the result was kept in {rescue}") from exc

    def save_speed(self, run_id: str, started_at: str, model: str, config: str, depth: int,
                   record: dict[str, Any]) -> None:
        """Write one ``showdown speed`` row (one model, configuration and depth) atomically."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO speed_results (run_id, started_at, model, config,"
                       " depth, record) VALUES (?, ?, ?, ?, ?, ?)",
                       (run_id, started_at, model, config, depth, json.dumps(record)))

    def speed_records(self, models: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Stored speed rows as saved, oldest first (only these models when given)."""
        sql, args = "SELECT record FROM speed_results", list(models or ())
        if args:
            sql += f" WHERE model IN ({', '.join('?' * len(args))})"
        with _reading(self.path):
            rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
            return [json.loads(r[0]) for r in rows]

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first."""
        with _reading(self.path):
            rows = self._db.execute("SELECT record FROM runs ORDER BY started_at, run_id").fetchall()
            return [from_dict(RunInfo, json.loads(r[0])) for r in rows]

    def run(self, run_id: str) -> RunInfo | None:
        with _reading(self.path):
            row = self._db.execute("SELECT record FROM runs WHERE run_id = ?",
                                   (run_id,)).fetchone()
            return from_dict(RunInfo, json.loads(row[0])) if row else None

    def last_unfinished(self) -> RunInfo | None:
        """The newest run that did not finish (interrupted, or its process died)."""
        with _reading(self.path):
            row = self._db.execute("SELECT record FROM runs WHERE status != 'finished' "
                                   "ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
            return from_dict(RunInfo, json.loads(row[0])) if row else None

    def counts(self) -> dict[str, tuple[int, int]]:
        """run_id -> (results, failed generations), for listing runs without loading them."""
        with _reading(self.path):
            rows = self._db.execute("SELECT run_id, count(*), count(error) FROM results "
                                    "GROUP BY run_id").fetchall()
        return {r: (n, f) for r, n, f in rows}

    def failed_keys(self, run_id: str) -> set[tuple[str, str, str, int]]:
        """(model, task, case, trial) of a run's failed generations (``error`` set)."""
        with _reading(self.path):
            rows = self._db.execute("SELECT model, task, case_id, trial FROM results "
                                    "WHERE run_id = ? AND error IS NOT NULL", (run_id,)).fetchall()
        return {(m, t, c, n) for m, t, c, n in rows}

    def delete_run(self, run_id: str) -> int:
        """Remove a run and its results; returns how many results went with it."""
        with self._tx() as db:
            gone = db.execute("DELETE FROM results WHERE run_id = ?", (run_id,)).rowcount
            db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
        return int(gone)

    def results(
        self,
        run_ids: Sequence[str] | None = None,
        rounds: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        tasks: Sequence[str] | None = None,
    ) -> list[Result]:
        """Results matching every filter given (None or empty: no filter), in measured order."""
        return list(self.iter_results(run_ids, rounds, models, tasks))

    def iter_results(
        self,
        run_ids: Sequence[str] | None = None,
        rounds: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        tasks: Sequence[str] | None = None,
        lean: bool = False,
    ) -> Iterator[Result]:
        """``results``, one at a time as the rows are read (a report of 100k results need not
        hold them all). ``lean``: the long texts (answer, reasoning, test command output, and
        code whose style counts are stored) are left empty, for tables that only count."""
        where, args = _where(run_ids, rounds, models, tasks)
        column = _LEAN_RECORD if lean else "r.record"
        sql = f"SELECT {column} FROM results r JOIN runs USING (run_id){where} ORDER BY r.id"
        with _reading(self.path):
            # A cursor of its own: the caller may query the store while this one is read.
            for (record,) in self._db.cursor().execute(sql, args):
                data = json.loads(record)
                yield from_dict(Result, _lean(data) if lean else data)

    def result_runs(
        self,
        run_ids: Sequence[str] | None = None,
        rounds: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        tasks: Sequence[str] | None = None,
    ) -> dict[str, int]:
        """run_id -> how many results it holds among those the filters select (as ``results``)."""
        where, args = _where(run_ids, rounds, models, tasks)
        with _reading(self.path):
            rows = self._db.execute("SELECT r.run_id, count(*) FROM results r JOIN runs USING "
                                    f"(run_id){where} GROUP BY r.run_id", args).fetchall()
        return dict(rows)

    def done_keys(self, run_id: str) -> set[tuple[str, str, str, int]]:
        """(model, task, case, trial) of every result a run already holds."""
        with _reading(self.path):
            rows = self._db.execute(
                "SELECT model, task, case_id, trial FROM results WHERE run_id = ?", (run_id,)
            ).fetchall()
        return {(m, t, c, n) for m, t, c, n in rows}

