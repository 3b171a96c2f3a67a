"""``showdown import``: runs from an export file added to a store (idempotent)."""

from __future__ import annotations

from pathlib import Path

import click

from showdown.cli.runs import DB_OPTION

__all__ = ["command"]


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@DB_OPTION
def command(file: Path, db: str | None) -> None:
    """Add the runs of a `showdown export` file to the store; runs it already holds are
    skipped, and a run id it holds with other content refuses the whole import."""
    from showdown.cli.output import say
    from showdown.run.exchange import import_bundle, read_export
    from showdown.store import locate

    bundle = read_export(file)  # the whole file checked before any store is opened
    store = locate(db).open()
    done = import_bundle(store, bundle)
    present = f"; {done.present} runs already present" if done.present else ""
    if not done.runs:
        say(f"nothing to import: {done.present} runs already present in {store.where}")
        return
    say(f"imported {done.runs} runs ({done.results} results, {done.speed} speed rows) into "
        f"{store.where}{present}")
