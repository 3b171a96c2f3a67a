"""``showdown export``: runs written to a compressed file another store can import."""

from __future__ import annotations

from pathlib import Path

import click

from showdown.cli.runs import DB_OPTION

__all__ = ["command"]


@click.command("export")
@click.argument("run_ids", nargs=-1, metavar="[RUN]...")
@DB_OPTION
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The file to write (gzip-compressed JSON lines, e.g. runs.jsonl.gz).")
def command(run_ids: tuple[str, ...], db: str | None, output: Path) -> None:
    """Write runs (ids or unique prefixes; none: every run), their results and speed rows to a
    file that `showdown import` reads into another store."""
    from showdown.cli.output import say
    from showdown.run.exchange import export_runs
    from showdown.run.stored import open_store

    done = export_runs(open_store(db), run_ids, output)
    say(f"exported {done.runs} runs ({done.results} results, {done.speed} speed rows) to {output}")
