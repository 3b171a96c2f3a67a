"""Stored runs and results found by id or unique prefix (as git takes commit ids), deleted,
and a result's prompt read back from its task: what ``runs``, ``show`` and resume look up."""

from __future__ import annotations

import platform
from pathlib import Path

from showdown.errors import PlanError, SelectionError, StoreError, TaskError
from showdown.records import Result, RunInfo, result_id
from showdown.sandbox.files import pid_alive as alive
from showdown.store import Store, locate

__all__ = ["alive", "case_prompt", "delete_run", "find_results", "find_run", "open_store",
           "running_elsewhere"]


def open_store(db: Path | str | None) -> Store:
    """The existing store ``db`` names: a SQLite path, or a postgresql:// URL (default:
    $SHOWDOWN_DB, else ~/.local/share/showdown/showdown.db)."""
    location = locate(db)
    if location.path is not None and not location.path.is_file():
        raise StoreError(f"no store at {location.where} (run `showdown run` first, or give "
                         "--db PATH|URL)")
    return location.open()


def find_run(store: Store, wanted: str) -> RunInfo:
    """The run with this id, or the one run whose id starts with it."""
    exact = store.run(wanted)
    if exact is not None:
        return exact
    matches = [r for r in store.runs() if r.run_id.startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise SelectionError(f"{wanted!r} matches {len(matches)} runs; give more of the id "
                             "(`showdown runs` lists them)")
    raise SelectionError(f"no run {wanted!r} in {store.where} (`showdown runs` lists them)")


def running_elsewhere(run: RunInfo) -> str | None:
    """The other host a run is marked running on (a store shared by several hosts), whose
    process this one cannot look at; None for a run of this host, or one not running."""
    host = run.host.get("hostname") if isinstance(run.host, dict) else None
    if run.status != "running" or not host or host == platform.node():
        return None
    return str(host)


def delete_run(store: Store, wanted: str, force: bool = False) -> tuple[RunInfo, int]:
    """Delete a run (not one still going on, here or, unless ``force``, on another host) and
    its results; returns it and how many went."""
    run = find_run(store, wanted)
    host = running_elsewhere(run)
    if host and not force:
        raise PlanError(f"run {run.run_id} is marked running on host {host}, where it may still "
                        f"be going; delete it there, or, if it died there, give --force")
    if run.status == "running" and run.pid and not host and alive(run.pid):
        raise PlanError(f"run {run.run_id} is still running in process {run.pid}; stop it first "
                        "(Ctrl-C, or kill it) or wait for it")
    return run, store.delete_run(run.run_id)


def find_results(store: Store, wanted: str) -> tuple[RunInfo | None, list[Result]]:
    """A run (all its results) or one result, by id or unique prefix; the last run if empty."""
    if not wanted:
        all_runs = store.runs()
        if not all_runs:
            raise SelectionError(f"no runs in {store.where} yet")
        run = all_runs[-1]
        return run, store.results(run_ids=[run.run_id])
    try:
        run = find_run(store, wanted)
        return run, store.results(run_ids=[run.run_id])
    except SelectionError:
        pass
    hits = [r for r in store.results() if result_id(r).startswith(wanted.lower())]
    if len(hits) == 1:
        return None, hits
    if hits:
        raise SelectionError(f"{wanted!r} matches {len(hits)} results; give more of the id")
    raise SelectionError(f"no run or result {wanted!r} in {store.where} (`showdown runs` lists "
                         "runs, `showdown show RUN` a run's result ids)")


def case_prompt(result: Result, run: RunInfo | None) -> str | None:
    """The case's prompt, read back from the task (the store keeps answers, not prompts)."""
    from showdown.tasks import find_task

    dirs = [Path(d) for d in run.task_dirs] if run else []
    try:
        task = find_task(result.task, dirs)
        return next((c.prompt for c in task.cases() if c.id == result.case), None)
    except (TaskError, OSError):
        return None
