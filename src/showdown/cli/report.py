"""``showdown report``: tables, leaderboard, tiers, style and charts from stored results."""

from __future__ import annotations

from pathlib import Path

import click

from showdown.cli.runs import DB_OPTION

__all__ = ["FORMAT_NAMES", "command"]

#: ``showdown.report.FORMATS``'s keys, here so that --help needs no renderer (a test checks).
FORMAT_NAMES = ("terminal", "md", "html", "json", "csv")


@click.command("report")
@DB_OPTION
@click.option("--run", "run_ids", multiple=True, metavar="ID", help="A run id or unique prefix "
              "(repeatable).")
@click.option("--round", "rounds", multiple=True, metavar="NAME", help="A round label given to "
              "`showdown run --round` (repeatable; several make one leaderboard).")
@click.option("--model", "-m", "models", multiple=True, metavar="NAME", help="Only this model "
              "(repeatable).")
@click.option("--task", "-t", "tasks", multiple=True, metavar="ID", help="Only this task "
              "(repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMAT_NAMES), default="terminal",
              show_default=True, help="md pastes into a blog post; html is one offline file.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of standard output.")
def command(db: str | None, run_ids: tuple[str, ...], rounds: tuple[str, ...],
            models: tuple[str, ...], tasks: tuple[str, ...], fmt: str, output: Path | None) -> None:
    """Tables, leaderboard across rounds, speed tiers, style and charts from stored results."""
    from showdown import api
    from showdown.cli.output import console, say

    if output is not None:
        api.report(fmt, db, run_ids, rounds, models, tasks, output)
        say(f"wrote {output}")
    elif fmt == "terminal":
        from showdown.report import build_report
        from showdown.report.terminal import print_report

        chosen = api.select(db, run_ids, rounds, models, tasks)
        print_report(console, build_report(chosen.results, chosen.runs))
    else:
        click.echo(api.report(fmt, db, run_ids, rounds, models, tasks), nl=False)
