"""Results that travel: runs exported from one store to a file and imported into another.

An export is gzip-compressed JSON lines. The first line is a header (the format's name and
version, and ``records.SCHEMA_VERSION`` of the records in it); then one line per record, each a
one-key object: ``{"run": …}``, ``{"result": …}`` or ``{"speed": …}``, a run's results and speed
rows after it. A file is read whole and checked whole (every line, type and run) before anything
is written: a damaged or hostile file is one line and nothing stored. Records from an older
schema go through the store's own migration steps.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from showdown.errors import ShowdownError
from showdown.records import SCHEMA_VERSION, Result, RunInfo, from_dict, to_dict
from showdown.store.migrations import upgrade_record
from showdown.store.shape import shape_problem

__all__ = ["FORMAT", "MAX_LINE", "VERSION", "Bundle", "TransferError", "decode", "encode",
           "header"]

FORMAT = "showdown-export"
VERSION = 1
#: The longest line read (one result with its answer, code and test output is far less).
MAX_LINE = 64 * 1024 * 1024

#: A speed row's columns: run_id, started_at, model, config label, depth, and the record.
SpeedRecord = tuple[str, str, str, str, int, dict[str, Any]]


class TransferError(ShowdownError, ValueError):
    """An export file that cannot be read, or an import that would clash (one line, exit 2)."""


@dataclass
class Bundle:
    """What an export file holds, checked and at this showdown's schema."""

    runs: list[RunInfo] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    speed: list[SpeedRecord] = field(default_factory=list)

    def speed_run_ids(self) -> list[str]:
        """Speed runs (``showdown speed``), which have no row among the runs, in file order."""
        runs = {r.run_id for r in self.runs}
        return list(dict.fromkeys(s[0] for s in self.speed if s[0] not in runs))


def header() -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "schema": SCHEMA_VERSION})


def encode(run: RunInfo | None, results: Iterator[Result], speed: Sequence[dict[str, Any]]
           ) -> Iterator[str]:
    """One run's lines (a speed run has no run record): the run, its results, its speed rows."""
    if run is not None:
        yield json.dumps({"run": to_dict(run)})
    for result in results:
        yield json.dumps({"result": to_dict(result)})
    for row in speed:
        yield json.dumps({"speed": row})


def decode(stream: IO[bytes], name: str) -> Bundle:
    """The bundle in a gzip export stream; TransferError (naming ``name``) if it is not one."""
    try:
        lines = _lines(gzip.GzipFile(fileobj=stream, mode="rb"), name)
        schema = _header(next(lines, None), name)
        bundle = Bundle()
        for number, line in lines:
            _add(bundle, line, schema, f"{name} line {number}")
    except (OSError, EOFError, zlib.error) as exc:  # not gzip, truncated, unreadable
        raise TransferError(f"{name} is not a readable showdown export ({exc}); export it "
                            "again with `showdown export`") from exc
    _check_runs(bundle, name)
    return bundle


def _lines(stream: gzip.GzipFile, name: str) -> Iterator[tuple[int, bytes]]:
    number = 0
    while line := stream.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise TransferError(f"{name} line {number} is longer than {MAX_LINE // 2**20} MiB: "
                                "not a showdown export")
        if line.strip():
            yield number, line


def _header(first: tuple[int, bytes] | None, name: str) -> int:
    """The schema version the file's records were written at (checked against this one's)."""
    data = _json(first[1], f"{name} line 1") if first else None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TransferError(f"{name} is not a showdown export (no {FORMAT} header on its first "
                            "line)")
    version, schema = data.get("version"), data.get("schema")
    if not isinstance(version, int) or not isinstance(schema, int) or isinstance(schema, bool):
        raise TransferError(f"{name}: its header has no whole version and schema numbers")
    if version > VERSION or schema > SCHEMA_VERSION:
        raise TransferError(f"{name} was written by a newer showdown (export format {version}, "
                            f"schema {schema}; this one reads {VERSION} and {SCHEMA_VERSION}): "
                            "upgrade showdown to import it")
    return schema


#: The largest whole number a record may hold (SQLite's and PostgreSQL's 64-bit integers).
_INT_MAX = 2**63 - 1


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a measurement can have")


def _bounded_int(text: str) -> int:
    value = int(text)
    if abs(value) > _INT_MAX:
        raise ValueError(f"{text[:20]}… is too large a number")
    return value


def _json(line: bytes, where: str) -> Any:
    """One line's JSON: standard JSON only (no NaN or Infinity, which would break every report
    of the store they land in), numbers that fit a database column, text without lone
    surrogates (which no database can store)."""
    try:
        text = line.decode("utf-8")
        text.encode("utf-8")  # a lone surrogate escaped as \udXXX decodes below, checked after
        data = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as exc:  # UnicodeError is a ValueError
        raise TransferError(f"{where} is not JSON showdown can store ({type(exc).__name__}: "
                            f"{str(exc)[:120]}): the file is damaged") from exc
    return data


def _add(bundle: Bundle, line: bytes, schema: int, where: str) -> None:
    """One record line, rebuilt, upgraded and checked, into the bundle."""
    data = _json(line, where)
    if not isinstance(data, dict) or len(data) != 1:
        raise TransferError(f"{where} is not one record (run, result or speed)")
    ((kind, value),) = data.items()
    if not isinstance(value, dict):
        raise TransferError(f"{where}: the {kind} is not an object")
    if kind == "run":
        bundle.runs.append(_rebuilt(RunInfo, "run", value, where))
    elif kind == "result":
        bundle.results.append(_rebuilt(Result, "result", upgrade_record(value, schema), where))
    elif kind == "speed":
        bundle.speed.append(_speed(value, where))
    else:
        raise TransferError(f"{where}: unknown record kind {kind!r} (run, result or speed)")


def _rebuilt(cls: type[Any], kind: str, data: dict[str, Any], where: str) -> Any:
    try:
        record = from_dict(cls, data)
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise TransferError(f"{where}: not a {cls.__name__} record ({exc})") from exc
    problem = shape_problem(record, cls, kind)
    if problem:
        raise TransferError(f"{where}: {problem}")
    return record


def _speed(data: dict[str, Any], where: str) -> SpeedRecord:
    """A speed row's columns, read from its record as ``speed.storage.save_row`` writes them."""
    from showdown.speed.plan import config_label
    from showdown.speed.records import SpeedRow, row_from_dict

    try:
        row = row_from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise TransferError(f"{where}: not a speed row ({exc})") from exc
    problem = shape_problem(row, SpeedRow, "speed")
    if problem:
        raise TransferError(f"{where}: {problem}")
    return (row.run_id, row.started_at, row.model, config_label(row.config), row.depth, data)


def _check_runs(bundle: Bundle, name: str) -> None:
    """Every run once, every result once and under a run the file holds."""
    runs = {r.run_id for r in bundle.runs}
    if len(runs) != len(bundle.runs):
        raise TransferError(f"{name} holds a run twice: not an export of one store")
    keys = set()
    for result in bundle.results:
        if result.run_id not in runs:
            raise TransferError(f"{name} holds a result of run {result.run_id!r} but not the "
                                "run itself: export the whole run")
        key = (result.run_id, result.model, result.task, result.case, result.trial)
        if key in keys:
            raise TransferError(f"{name} holds result {'/'.join(map(str, key))} twice")
        keys.add(key)
    speed_keys = set()
    for row in bundle.speed:
        if row[:5] in speed_keys:
            raise TransferError(f"{name} holds speed row {'/'.join(map(str, row[:5]))} twice")
        speed_keys.add(row[:5])
    for run in bundle.runs:
        # A run was going on where it was exported: here no process runs it, so it is one to
        # resume (a pid from another machine must never block or match one of this host's).
        if run.status == "running":
            run.status, run.pid = "interrupted", None
