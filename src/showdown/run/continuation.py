"""``--resume`` and ``--retry-failed``: which stored run to go on with, and what to measure again.

A finished run has nothing to resume and a run without failures nothing to retry: both are
``Nothing`` (one line, exit 0). A run still going on in another process is left alone.
"""

from __future__ import annotations

import os

from showdown.errors import Nothing, PlanError, SelectionError
from showdown.records import RunInfo
from showdown.run.request import RunRequest, given_plan_flags
from showdown.run.stored import alive, find_run, running_elsewhere
from showdown.store import Store

__all__ = ["Key", "continuation"]

#: (model, task, case, trial): one result's place in a run.
Key = tuple[str, str, str, int]


def continuation(request: RunRequest, store: Store) -> tuple[RunInfo | None, frozenset[Key]]:
    """The run to go on with (``resume`` or ``retry_failed``) and the keys to measure again."""
    if request.resume and request.retry_failed:
        raise PlanError("give --resume or --retry-failed, not both")
    if not request.resume and not request.retry_failed:
        return None, frozenset()
    run = (_resumable(store, request.resume) if request.resume
           else _retryable(store, request.retry_failed or "last"))
    given = given_plan_flags(request)
    if given:
        what = "--resume" if request.resume else "--retry-failed"
        raise PlanError(f"{what} finishes run {run.run_id} with its own settings; drop {given[0]} "
                        "(start a new run to change settings)")
    if (host := running_elsewhere(run)) and not request.take_over:
        raise PlanError(f"run {run.run_id} is marked running on host {host}, where it may still "
                        "be going: finish it there, or, if it died there, add --take-over to "
                        "finish it here")
    if (run.status == "running" and run.pid and run.pid != os.getpid() and not host
            and alive(run.pid)):
        raise PlanError(f"run {run.run_id} is still running in process {run.pid}")
    redo = frozenset(store.failed_keys(run.run_id)) if request.retry_failed else frozenset()
    return run, redo


def _resumable(store: Store, wanted: str) -> RunInfo:
    if wanted == "last":
        # In a store shared by several hosts, this host's own unfinished run comes first.
        unfinished = [r for r in store.runs() if r.status != "finished"]
        mine = [r for r in unfinished if not running_elsewhere(r)]
        if not unfinished:
            raise SelectionError(f"no unfinished run in {store.where} (`showdown runs` lists them)")
        return (mine or unfinished)[-1]
    run = find_run(store, wanted)
    if run.status == "finished":
        failed = len(store.failed_keys(run.run_id))
        retry = (f"; {failed} did not run: try them again with showdown run --retry-failed "
                 f"{run.run_id}") if failed else ""
        raise Nothing(f"run {run.run_id} has already finished{retry}; see it with: "
                      f"showdown show {run.run_id}")
    return run


def _retryable(store: Store, wanted: str) -> RunInfo:
    if wanted != "last":
        run = find_run(store, wanted)
        if not store.failed_keys(run.run_id):
            raise Nothing(f"run {run.run_id} has no failed results: nothing to retry")
        return run
    for run in reversed(store.runs()):
        if store.failed_keys(run.run_id):
            return run
    raise Nothing(f"no run in {store.where} has failed results: nothing to retry")
