"""``showdown export`` and ``import``: runs written to a file from one store, read into another.

The file format is ``store.transfer``'s. An import checks the whole file and every run it holds
against the store before it writes anything, then writes what is new in one transaction: run
ids already there with the same content are skipped (importing twice changes nothing), with
other content the import is refused.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from showdown.errors import SelectionError
from showdown.records import Result, RunInfo
from showdown.run.stored import find_run
from showdown.store import Store
from showdown.store.transfer import Bundle, SpeedRecord, TransferError, decode, encode, header

__all__ = ["Exported", "Imported", "export_runs", "import_bundle", "read_export"]


@dataclass
class Exported:
    runs: int
    results: int
    speed: int


@dataclass
class Imported:
    """What an import added, and how many of the file's runs the store already held."""

    runs: int
    results: int
    speed: int
    present: int


def _chosen(store: Store, wanted: Sequence[str]) -> list[tuple[str, RunInfo | None]]:
    """(run id, run) to export: the runs named (a speed run has no run record), else all."""
    speed_ids = list(dict.fromkeys(r.get("run_id") for r in store.speed_records()))
    if not wanted:
        runs = store.runs()
        known = {r.run_id for r in runs}
        return [(r.run_id, r) for r in runs] + [(s, None) for s in speed_ids
                                                if isinstance(s, str) and s not in known]
    chosen: list[tuple[str, RunInfo | None]] = []
    for name in wanted:
        try:
            run = find_run(store, name)
            chosen.append((run.run_id, run))
        except SelectionError:
            speed = [s for s in speed_ids if isinstance(s, str) and s.startswith(name)]
            if len(speed) != 1:
                raise
            chosen.append((speed[0], None))
    return list({run_id: (run_id, run) for run_id, run in chosen}.values())


def export_runs(store: Store, wanted: Sequence[str], output: Path) -> Exported:
    """Write the chosen runs (none: every run) to ``output``; it appears whole or not at all."""
    chosen = _chosen(store, wanted)
    if not chosen:
        raise SelectionError(f"no runs in {store.where} to export")
    done = Exported(0, 0, 0)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as out:
            out.write((header() + "\n").encode())
            for run_id, run in chosen:
                results = store.iter_results(run_ids=[run_id]) if run else iter(())
                speed = store.speed_records(run_ids=[run_id])
                for line in encode(run, results, speed):
                    out.write((line + "\n").encode())
                    done.results += line.startswith('{"result"')
                done.runs += 1
                done.speed += len(speed)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return done


def read_export(path: Path) -> Bundle:
    """The checked contents of an export file (TransferError in one line if it is not one)."""
    try:
        with path.open("rb") as stream:
            return decode(stream, str(path))
    except OSError as exc:
        raise TransferError(f"cannot read {path}: {exc.strerror or exc}") from exc


def import_bundle(store: Store, bundle: Bundle) -> Imported:
    """Add the bundle's new runs to ``store``; refuse it whole if a run id clashes."""
    new_runs: list[RunInfo] = []
    present = 0
    for run in bundle.runs:
        if _present(store, run.run_id, run, _of(bundle.results, run.run_id),
                    _speed_of(bundle.speed, run.run_id)):
            present += 1
        else:
            new_runs.append(run)
    new_ids = {r.run_id for r in new_runs}
    for run_id in bundle.speed_run_ids():
        if _present(store, run_id, None, [], _speed_of(bundle.speed, run_id)):
            present += 1
        else:
            new_ids.add(run_id)
    results = [r for r in bundle.results if r.run_id in new_ids]
    speed = [s for s in bundle.speed if s[0] in new_ids]
    if new_ids:
        store.save_all(new_runs, results, speed)
    return Imported(len(new_ids), len(results), len(speed), present)


def _present(store: Store, run_id: str, run: RunInfo | None, results: list[Result],
             speed: list[dict[str, object]]) -> bool:
    """True if the store holds this run as the file does, False if not at all; a clash raises."""
    stored = store.run(run_id) if run is not None else None
    stored_speed = store.speed_records(run_ids=[run_id])
    stored_results = store.results(run_ids=[run_id]) if stored is not None else []
    if stored is None and not stored_speed:
        return False
    same = (stored == run and _keyed(stored_results) == _keyed(results)
            and _sorted(stored_speed) == _sorted(speed))
    if not same:
        raise TransferError(f"run {run_id} is already in {store.where} with different content; "
                            f"nothing was imported (delete it there with `showdown runs delete "
                            f"{run_id}`, or import into another --db)")
    return True


def _of(results: list[Result], run_id: str) -> list[Result]:
    return [r for r in results if r.run_id == run_id]


def _speed_of(speed: list[SpeedRecord], run_id: str) -> list[dict[str, object]]:
    return [s[5] for s in speed if s[0] == run_id]


def _keyed(results: list[Result]) -> dict[tuple[str, str, str, int], Result]:
    return {(r.model, r.task, r.case, r.trial): r for r in results}


def _sorted(rows: list[dict[str, object]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in rows)
