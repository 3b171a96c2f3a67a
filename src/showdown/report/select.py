"""Which stored results a report covers: runs, rounds, models and tasks, checked against the store.

The report builders never read the store; this is the one place that does, so a typo in
``--round`` gets a sentence naming the rounds that exist instead of an empty report.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from showdown.errors import SelectionError
from showdown.records import Result, RunInfo
from showdown.store import Store

__all__ = ["Selection", "SelectionError", "select", "select_results"]


def _known(kind: str, asked: Sequence[str], known: Sequence[str]) -> None:
    missing = [a for a in asked if a not in known]
    if missing:
        have = ", ".join(repr(k) for k in known) or "none"
        raise SelectionError(f"no {kind} {missing[0]!r} in the store ({kind}s there: {have})")


def _expand_runs(asked: Sequence[str], runs: Sequence[RunInfo]) -> list[str]:
    """Run ids, each given in full or as a unique prefix (as git takes commit ids)."""
    out = []
    for prefix in asked:
        hits = [r.run_id for r in runs if r.run_id.startswith(prefix)]
        if len(hits) != 1:
            shown = ", ".join(r.run_id for r in runs[-5:]) or "none"
            why = "matches several runs" if hits else "matches no run"
            raise SelectionError(f"--run {prefix!r} {why} (latest runs: {shown})")
        out.append(hits[0])
    return out


@dataclass(frozen=True)
class Selection:
    """The selected results, read from the store afresh each time they are iterated, so a
    report of 100k results never holds them all (``lean``: without their long texts)."""

    store: Store
    run_ids: tuple[str, ...] = ()
    rounds: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Result]:
        return self.store.iter_results(self.run_ids, self.rounds, self.models, self.tasks)

    def lean(self) -> Iterator[Result]:
        return self.store.iter_results(self.run_ids, self.rounds, self.models, self.tasks,
                                       lean=True)


def select(store: Store, run_ids: Sequence[str] = (), rounds: Sequence[str] = (),
           models: Sequence[str] = (), tasks: Sequence[str] = ()) -> tuple[Selection, list[RunInfo]]:
    """The results matching every filter given (none given: everything) and their runs."""
    runs = store.runs()
    chosen = Selection(store, tuple(_expand_runs(run_ids, runs)), tuple(rounds), tuple(models),
                       tuple(tasks))
    _known("round", rounds, list(dict.fromkeys(r.round for r in runs if r.round)))
    used = store.result_runs(chosen.run_ids, chosen.rounds, chosen.models, chosen.tasks)
    if not used:
        everything = store.results()
        if not everything:
            raise SelectionError(f"the store {store.where} holds no results yet (run `showdown run`)")
        _known("model", models, sorted({r.model for r in everything}))
        _known("task", tasks, sorted({r.task for r in everything}))
        raise SelectionError("no results match that selection (each filter matches something, "
                             "but not all together)")
    return chosen, [r for r in runs if r.run_id in used]


def select_results(store: Store, run_ids: Sequence[str] = (), rounds: Sequence[str] = (),
                   models: Sequence[str] = (), tasks: Sequence[str] = ()
                   ) -> tuple[list[Result], list[RunInfo]]:
    """``select``, with the results read into a list."""
    chosen, runs = select(store, run_ids, rounds, models, tasks)
    return list(chosen), runs
