"""``showdown fit``: how many layers of a GGUF model fit in VRAM."""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["command"]


@click.command("fit")
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--vram", type=click.FloatRange(min=0),
              help="VRAM budget in GiB (default: what the GPU has free).")
@click.option("--ctx", type=click.IntRange(min=1), help="Context to size the KV cache for.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def command(model: Path, vram: float | None, ctx: int | None, as_json: bool) -> None:
    """Predict how many layers of a GGUF model fit in VRAM, before starting any server."""
    from showdown.cli.output import console
    from showdown.hardware.assess import assess_fit
    from showdown.report.fit import fit_json, print_fit

    report = assess_fit(model, vram, ctx)
    if as_json:
        click.echo(json.dumps(fit_json(report), indent=2))
        return
    print_fit(console, report)
