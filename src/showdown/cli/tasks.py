"""``showdown tasks``: the built-in tasks and those in --task-dir folders."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("tasks")
@click.option("--task-dir", multiple=True, type=click.Path(path_type=Path),
              help="Extra task folder.")
def command(task_dir: tuple[Path, ...]) -> None:
    """List the tasks: built-in ones, those in --task-dir folders and those plugins ship."""
    from showdown.cli.output import console, note
    from showdown.report.tasks import print_tasks
    from showdown.tasks.loader import describe_tasks

    rows = describe_tasks(task_dir)
    print_tasks(console, rows)
    for row in rows:
        if row.problem and row.kind == "?":
            note(row.problem, "warning")
