"""``showdown runs`` (list the stored runs) and ``showdown runs delete``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from showdown.records import RunInfo

__all__ = ["DB_OPTION", "command"]

DB_OPTION = click.option("--db", metavar="PATH|URL",
                         help="The store: a SQLite file, or a postgresql://USER@HOST/DB URL (default: "
                         "$SHOWDOWN_DB, else ~/.local/share/showdown/showdown.db).")


def _run_row(run: RunInfo, counts: tuple[int, int]) -> dict[str, object]:
    from showdown.records import to_dict

    results, failed = counts
    return {"run_id": run.run_id, "round": run.round, "status": run.status,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "models": run.models, "tasks": run.tasks, "trials": run.trials,
            "results": results, "failed": failed, "settings": to_dict(run.settings)}


@click.group("runs", invoke_without_command=True)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def command(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """List the stored runs: status, models, tasks, results and how many did not run."""
    from rich.table import Table

    from showdown.cli.output import console, say
    from showdown.run.stored import open_store
    from showdown.safetext import safe_text

    ctx.obj = db
    if ctx.invoked_subcommand is not None:
        return
    store = open_store(db)
    counts, stored = store.counts(), store.runs()
    if as_json:
        click.echo(json.dumps([_run_row(r, counts.get(r.run_id, (0, 0))) for r in stored],
                              indent=2))
        return
    if not stored:
        say(f"no runs in {store.where} yet")
        return
    table = Table(title="Runs", title_justify="left", header_style="bold cyan")
    for name in ("Run", "Round", "Status", "Started", "Models", "Tasks", "Results", "Failed"):
        table.add_column(name, overflow="fold")
    for r in stored:
        done, failed = counts.get(r.run_id, (0, 0))
        table.add_row(r.run_id, safe_text(r.round), r.status, r.started_at,
                      safe_text(", ".join(r.models)), ", ".join(r.tasks), str(done), str(failed))
    console.print(table)


@command.command("delete")
@click.argument("run_id")
@DB_OPTION
@click.option("--force", is_flag=True, help="Delete a run marked running on another host "
              "(whose showdown died).")
@click.pass_obj
def delete(group_db: str | None, run_id: str, db: str | None, force: bool) -> None:
    """Delete a run and its results from the store (reports already written stay)."""
    from showdown.cli.output import say
    from showdown.run.stored import delete_run, open_store

    store = open_store(db or group_db)
    run, gone = delete_run(store, run_id, force)
    say(f"deleted run {run.run_id} and its {gone} results from {store.where}")
