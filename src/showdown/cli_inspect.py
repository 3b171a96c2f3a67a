"""``showdown runs`` (list, delete) and ``showdown show`` (a run's results, or one in full)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from showdown.cli_run import alive, find_run
from showdown.cliout import console, err, fail
from showdown.errors import SelectionError, ShowdownError
from showdown.records import Result, RunInfo, is_failed, result_id, to_dict
from showdown.report.detail import detail_json, print_detail, print_run_results
from showdown.safetext import safe_text
from showdown.store import Store, default_db_path
from showdown.tasks import TaskError, find_task

__all__ = ["runs", "show"]

_DB = click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
                   help="The SQLite store (default: $SHOWDOWN_DB or ~/.local/share/showdown).")


def _store(db: Path | None) -> Store:
    path = db or default_db_path()
    if not path.is_file():
        fail(f"no store at {path} (run `showdown run` first, or give --db PATH)")
    try:
        return Store(path)
    except ShowdownError as exc:
        fail(str(exc), exc.exit_code)


def _run_row(run: RunInfo, counts: tuple[int, int]) -> dict[str, object]:
    results, failed = counts
    return {"run_id": run.run_id, "round": run.round, "status": run.status,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "models": run.models, "tasks": run.tasks, "trials": run.trials,
            "results": results, "failed": failed, "settings": to_dict(run.settings)}


@click.group(invoke_without_command=True)
@_DB
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def runs(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """List the stored runs: status, models, tasks, results and how many did not run."""
    ctx.obj = db
    if ctx.invoked_subcommand is not None:
        return
    store = _store(db)
    try:
        counts, stored = store.counts(), store.runs()
    except ShowdownError as exc:
        fail(str(exc), exc.exit_code)
    if as_json:
        click.echo(json.dumps([_run_row(r, counts.get(r.run_id, (0, 0))) for r in stored],
                              indent=2))
        return
    if not stored:
        err.print(f"no runs in {store.path} yet", highlight=False, markup=False)
        return
    table = Table(title="Runs", title_justify="left", header_style="bold cyan")
    for name in ("Run", "Round", "Status", "Started", "Models", "Tasks", "Results", "Failed"):
        table.add_column(name, overflow="fold")
    for r in stored:
        done, failed = counts.get(r.run_id, (0, 0))
        table.add_row(r.run_id, safe_text(r.round), r.status, r.started_at,
                      safe_text(", ".join(r.models)), ", ".join(r.tasks), str(done), str(failed))
    console.print(table)


@runs.command("delete")
@click.argument("run_id")
@_DB
@click.pass_obj
def delete(group_db: Path | None, run_id: str, db: Path | None) -> None:
    """Delete a run and its results from the store (reports already written stay)."""
    store = _store(db or group_db)
    try:
        run = find_run(store, run_id)
        if run.status == "running" and run.pid and alive(run.pid):
            fail(f"run {run.run_id} is still running in process {run.pid}; stop it first "
                 "(Ctrl-C, or kill it) or wait for it")
        gone = store.delete_run(run.run_id)
    except ShowdownError as exc:
        fail(str(exc), exc.exit_code)
    err.print(f"deleted run {run.run_id} and its {gone} results from {store.path}",
              highlight=False, markup=False)


def _find_result(store: Store, wanted: str) -> tuple[RunInfo | None, list[Result]]:
    """A run (all its results) or one result, by id or unique prefix; the last run if empty."""
    if not wanted:
        all_runs = store.runs()
        if not all_runs:
            raise SelectionError(f"no runs in {store.path} yet")
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
    raise SelectionError(f"no run or result {wanted!r} in {store.path} (`showdown runs` lists runs, "
                     "`showdown show RUN` a run's result ids)")


def _prompt(result: Result, run: RunInfo | None) -> str | None:
    """The case's prompt, read back from the task (the store keeps answers, not prompts)."""
    dirs = [Path(d) for d in run.task_dirs] if run else []
    try:
        task = find_task(result.task, dirs)
        return next((c.prompt for c in task.cases() if c.id == result.case), None)
    except (TaskError, OSError):
        return None


@click.command()
@click.argument("target", required=False, default="", metavar="[RESULT|RUN]")
@_DB
@click.option("--json", "as_json", is_flag=True, help="Print JSON (exact text) instead.")
def show(target: str, db: Path | None, as_json: bool) -> None:
    """Show a run's results with their ids, or one result in full: prompt, answer, reasoning,
    extracted code, each check and test with its commands and output, settings and host."""
    store = _store(db)
    try:
        run, results = _find_result(store, target)
        owner = run or store.run(results[0].run_id)
    except ShowdownError as exc:
        fail(str(exc), exc.exit_code)
    if run is not None and (len(results) != 1 or not target):
        if as_json:
            click.echo(json.dumps({"run": to_dict(run), "results": [
                {"id": result_id(r), "model": r.model, "task": r.task, "case": r.case,
                 "trial": r.trial, "failed": is_failed(r), "error": r.generation.error,
                 "score": r.verdict.score if r.verdict else None} for r in results]}, indent=2))
            return
        print_run_results(console, run, results)
        return
    (result,) = results
    prompt = _prompt(result, owner)
    if as_json:
        click.echo(json.dumps(detail_json(result, prompt), indent=2, ensure_ascii=False))
        return
    print_detail(console, result, prompt)
