"""What every store does the same, whatever keeps it: rows from records, selections, reads.

A backend (``sqlite.py``, ``postgres.py``) gives a connection, its transactions, how its errors
read, and the few statements its SQL dialect spells differently. The statements here use ``?``
placeholders; a backend whose driver wants another style translates them.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from showdown.errors import StoreError
from showdown.records import Result, RunInfo, from_dict, to_dict

__all__ = ["Row", "Store", "Writer", "lean", "rescue", "result_row", "where_clause"]

#: A result's row: the columns reports filter on, then the whole record as JSON.
Row = tuple[str, str, str, str, int, str, int | None, float | None, str | None, str]

_RESULT_COLUMNS = ("run_id, model, task, case_id, trial, started_at, score, tokens_per_s, error,"
                   " record")
_SPEED_COLUMNS = "run_id, started_at, model, config, depth, record"
_SAVE_RUN = ("INSERT INTO runs (run_id, started_at, finished_at, round, status, record) "
             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET "
             "finished_at=excluded.finished_at, status=excluded.status, record=excluded.record")


class Writer(Protocol):
    """What a transaction offers: statements with ``?`` placeholders."""

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement; returns the rows it changed."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


def result_row(result: Result) -> Row:
    """The values of a result's row: the columns reports filter on, then the whole record."""
    gen, verdict = result.generation, result.verdict
    return (result.run_id, result.model, result.task, result.case, result.trial,
            result.started_at, verdict.score if verdict else None, gen.tokens_per_s, gen.error,
            json.dumps(to_dict(result)))


def run_row(run: RunInfo) -> tuple[str, str, str | None, str, str, str]:
    return (run.run_id, run.started_at, run.finished_at, run.round, run.status,
            json.dumps(to_dict(run)))


def where_clause(run_ids: Sequence[str] | None, rounds: Sequence[str] | None,
                 models: Sequence[str] | None, tasks: Sequence[str] | None
                 ) -> tuple[str, list[str]]:
    """The WHERE clause (and its arguments) of a selection of results; empty: no filter."""
    where: list[str] = []
    args: list[str] = []
    for column, values in (("r.run_id", run_ids), ("runs.round", rounds),
                           ("r.model", models), ("r.task", tasks)):
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            args.extend(values)
    return (" WHERE " + " AND ".join(where) if where else ""), args


def lean(data: dict[str, Any]) -> dict[str, Any]:
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


def rescue(folder: Path, where: str, run_id: str, record: str) -> Path:
    """Append a result the database refused to a JSON-lines file, wherever one can be written."""
    for place in (folder, Path(tempfile.gettempdir())):
        target = place / f"showdown-unsaved-{run_id}.jsonl"
        try:
            with target.open("a", encoding="utf-8") as out:
                out.write(record + "\n")
        except OSError:
            continue
        return target
    raise StoreError(f"cannot save a result anywhere (database {where} and temp folder)")


class Store:
    """Runs and results in a database: ``Store(path)`` opens SQLite, ``Store(url)`` with a
    ``postgresql://`` URL PostgreSQL (see ``location.locate``). ``where`` names it in messages
    (a URL's password hidden)."""

    where: str
    #: The column that orders runs as they were first written (SQLite's rowid).
    _RUN_SEQ = "rowid"
    #: What a lean read selects from results ``r``; the rest is cut by ``lean`` in Python.
    _LEAN_COLUMN = "r.record"
    _INSERT_RESULT = f"INSERT OR REPLACE INTO results ({_RESULT_COLUMNS}) VALUES ({', '.join('?' * 10)})"
    _INSERT_SPEED = f"INSERT OR REPLACE INTO speed_results ({_SPEED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"

    def __new__(cls, target: str | os.PathLike[str]) -> Store:
        if cls is Store:
            from showdown.store.location import backend

            cls = backend(target)
        return super().__new__(cls)

    # --- what a backend (SqliteStore, PostgresStore) provides -------------------------------
    def close(self) -> None:
        raise NotImplementedError

    def reopen(self) -> Store:
        """A new connection to the same store (one per thread that writes)."""
        raise NotImplementedError

    def check_writable(self) -> None:
        """Fail now, not after an hour of generation, if results could not be saved."""
        raise NotImplementedError

    def _tx(self) -> AbstractContextManager[Writer]:
        """One write transaction; a database error leaves it as a StoreError."""
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[None]:
        """Database and decoding errors while reading, as one StoreError line."""
        raise NotImplementedError

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of a read (called inside ``_reading``)."""
        raise NotImplementedError

    def _records(self, column: str, where: str, args: list[str]) -> Iterator[str]:
        """The selected results' ``column``, in measured order, a few at a time, on a cursor
        of their own (the caller may query the store while these are read)."""
        raise NotImplementedError

    def _rescue_folder(self) -> Path:
        """Where a result the database refused is kept first."""
        raise NotImplementedError

    def _reconnected(self) -> bool:
        """After a failed write: True if the connection had been lost and a new one is open
        (the write is then worth one more try), False if there is nothing to reconnect."""
        return False

    def _write(self, sql: str, row: Sequence[Any]) -> None:
        """One statement in its own transaction, tried again once over a new connection when
        the old one was lost (a server restarted, a network blip): every write is an upsert,
        so a second try after a commit whose answer was lost changes nothing."""
        try:
            with self._tx() as db:
                db.execute(sql, row)
        except StoreError:
            if not self._reconnected():
                raise
            with self._tx() as db:
                db.execute(sql, row)

    # --- writes ------------------------------------------------------------------------------
    def save_run(self, run: RunInfo) -> None:
        """Insert or update a run's row."""
        self._write(_SAVE_RUN, run_row(run))

    def save_results(self, results: Iterable[Result]) -> int:
        """Write many results in one transaction (imports, benchmarks); returns how many.

        All or nothing: on an error none of them is kept (unlike ``save_result`` there is no
        rescue file, as the caller still holds the results).
        """
        rows = [result_row(r) for r in results]
        with self._tx() as db:
            if rows:
                db.executemany(self._INSERT_RESULT, rows)
        return len(rows)

    def save_result(self, result: Result) -> None:
        """Write one result atomically; a second write of the same key replaces it.

        If the database cannot take it (disk full, store gone read-only, server gone), the
        measured result is appended to a JSON-lines file beside the store, or in the temp
        folder, and the StoreError names that file: a measurement is never simply dropped.
        """
        row = result_row(result)
        try:
            self._write(self._INSERT_RESULT, row)
        except StoreError as exc:
            kept = rescue(self._rescue_folder(), self.where, result.run_id, row[-1])
            raise StoreError(f"{exc}; the result was kept in {kept}") from exc

    def save_speed(self, run_id: str, started_at: str, model: str, config: str, depth: int,
                   record: dict[str, Any]) -> None:
        """Write one ``showdown speed`` row (one model, configuration and depth) atomically."""
        with self._tx() as db:
            db.execute(self._INSERT_SPEED,
                       (run_id, started_at, model, config, depth, json.dumps(record)))

    def save_all(self, runs: Sequence[RunInfo], results: Sequence[Result],
                 speed: Sequence[tuple[str, str, str, str, int, dict[str, Any]]]) -> None:
        """Runs, their results and speed rows in one transaction: all kept or none (import)."""
        with self._tx() as db:
            for run in runs:
                db.execute(_SAVE_RUN, run_row(run))
            if results:
                db.executemany(self._INSERT_RESULT, [result_row(r) for r in results])
            if speed:
                db.executemany(self._INSERT_SPEED,
                               [(*s[:5], json.dumps(s[5])) for s in speed])

    def delete_run(self, run_id: str) -> int:
        """Remove a run and its results; returns how many results went with it."""
        with self._tx() as db:
            gone = db.execute("DELETE FROM results WHERE run_id = ?", (run_id,))
            db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
        return gone

    # --- reads -------------------------------------------------------------------------------
    def speed_records(self, models: Sequence[str] | None = None,
                      run_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Stored speed rows as saved, oldest first (only these models, runs when given)."""
        sql, where, args = "SELECT record FROM speed_results", list[str](), list[str]()
        for column, values in (("model", models), ("run_id", run_ids)):
            if values:
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                args.extend(values)
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._reading():
            return [json.loads(r[0]) for r in self._query(sql + " ORDER BY id", args)]

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first."""
        with self._reading():
            rows = self._query("SELECT record FROM runs ORDER BY started_at, run_id")
            return [from_dict(RunInfo, json.loads(r[0])) for r in rows]

    def run(self, run_id: str) -> RunInfo | None:
        with self._reading():
            rows = self._query("SELECT record FROM runs WHERE run_id = ?", (run_id,))
            return from_dict(RunInfo, json.loads(rows[0][0])) if rows else None

    def last_unfinished(self) -> RunInfo | None:
        """The newest run that did not finish (interrupted, or its process died)."""
        with self._reading():
            rows = self._query("SELECT record FROM runs WHERE status != 'finished' "
                               f"ORDER BY started_at DESC, {self._RUN_SEQ} DESC LIMIT 1")
            return from_dict(RunInfo, json.loads(rows[0][0])) if rows else None

    def counts(self) -> dict[str, tuple[int, int]]:
        """run_id -> (results, failed generations), for listing runs without loading them."""
        with self._reading():
            rows = self._query("SELECT run_id, count(*), count(error) FROM results "
                               "GROUP BY run_id")
        return {r: (n, f) for r, n, f in rows}

    def failed_keys(self, run_id: str) -> set[tuple[str, str, str, int]]:
        """(model, task, case, trial) of a run's failed generations (``error`` set)."""
        with self._reading():
            rows = self._query("SELECT model, task, case_id, trial FROM results "
                               "WHERE run_id = ? AND error IS NOT NULL", (run_id,))
        return {(m, t, c, n) for m, t, c, n in rows}

    def done_keys(self, run_id: str) -> set[tuple[str, str, str, int]]:
        """(model, task, case, trial) of every result a run already holds."""
        with self._reading():
            rows = self._query("SELECT model, task, case_id, trial FROM results "
                               "WHERE run_id = ?", (run_id,))
        return {(m, t, c, n) for m, t, c, n in rows}

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
        where, args = where_clause(run_ids, rounds, models, tasks)
        column = self._LEAN_COLUMN if lean else "r.record"
        with self._reading():
            for record in self._records(column, where, args):
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
        where, args = where_clause(run_ids, rounds, models, tasks)
        with self._reading():
            rows = self._query("SELECT r.run_id, count(*) FROM results r JOIN runs USING "
                               f"(run_id){where} GROUP BY r.run_id", args)
        return {r: n for r, n in rows}


_lean = lean  # ``iter_results`` has an argument of that name
