"""``showdown speed``: a thin command over :mod:`showdown.speed` (plan, measure, store, print)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from showdown.cli.output import console, err, fail, note
from showdown.cli.runs import DB_OPTION

if TYPE_CHECKING:
    from showdown.providers import ModelSpec
    from showdown.speed.records import SpeedRow
    from showdown.store import Store

__all__ = ["command"]


def _specs(models: tuple[str, ...], llama_server: Path | None) -> list[ModelSpec]:
    from showdown.fetch import FetchError, ensure_bundled_model
    from showdown.providers import ProviderError, parse_spec
    from showdown.providers.registry import applicable

    options = {"llama_server": str(llama_server)} if llama_server else {}
    if not models:
        try:
            path = ensure_bundled_model(say=lambda m: note(m, "setup", "cyan"))
        except FetchError as exc:
            fail(str(exc), 1)
        models = (f"SmolLM2-135M (bundled)=llamacpp:{path}",)
    try:
        specs = [parse_spec(m) for m in models]
        # --llama-server concerns llamacpp: models only; the others would refuse the option.
        return [dataclasses.replace(s, options=applicable(s.provider, options)) for s in specs]
    except ProviderError as exc:
        fail(str(exc))


def _print(rows: list[SpeedRow], fmt: str, store: Store) -> None:
    from rich.table import Table

    from showdown.report.hosts import split_by_host
    from showdown.speed.chart import to_html
    from showdown.speed.report import (
        COLUMNS,
        best_configs,
        problems,
        rows_json,
        table_cells,
        to_csv,
        to_markdown,
    )
    from showdown.speed.storage import load_scores
    from showdown.store import StoreError

    try:  # the score each configuration got in `showdown run --set`, where there is one
        scores = load_scores(store, rows)
        rows = split_by_host(rows)  # one model on several machines: one line per machine
        best = best_configs(rows, scores)
    except StoreError as exc:
        fail(str(exc), 1)
    if fmt == "json":
        click.echo(json.dumps(rows_json(rows, best), indent=2))
        return
    if fmt == "html":
        click.echo(to_html(rows, best), nl=False)
        return
    if fmt == "csv":
        click.echo(to_csv(rows, best), nl=False)
        return
    lines = [line for b in best.values() for line in b.lines()]
    if fmt == "md":
        click.echo(to_markdown(rows))
        for line in problems(rows):
            click.echo(f"- {line}")
        for line in lines:
            click.echo(f"- best: {line}")
        return
    table = Table(title="speed (median, min–max over repetitions)")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column != "model" else "left")
    for cells in table_cells(rows):
        table.add_row(*cells)
    console.print(table)
    for line in problems(rows):
        note(line, "failed", "red")
    for line in lines:
        note(line, "best", "green")


@click.command("speed")
@click.option("--model", "-m", "models", multiple=True, metavar="SPEC",
              help="llamacpp:PATH.gguf or ollama:NAME (repeatable: several files, e.g. "
                   "quantisations, are measured in turn). Default: the bundled SmolLM2-135M.")
@click.option("--depth", default="0,1024", show_default=True,
              help="Context depths in tokens, comma-separated.")
@click.option("--gen", default=128, show_default=True, type=click.IntRange(min=1),
              help="Tokens to write at each depth (llama-server: end of text ignored).")
@click.option("--repetitions", "-r", default=3, show_default=True, type=click.IntRange(min=1),
              help="Cold requests per depth (median and min–max).")
@click.option("--set", "sets", multiple=True, metavar="KEY=V1,V2",
              help="Sweep a llama-server setting (repeatable; the product of all): threads, "
                   "batch_size, ubatch_size, ctx, flash_attn, cache_type_k, cache_type_v, "
                   "n_gpu_layers, mmap, mlock; for ollama: models num_ctx, num_gpu, num_thread.")
@click.option("--force", is_flag=True, help="Measure configurations predicted not to fit too.")
@click.option("--vram", type=click.FloatRange(min=0),
              help="VRAM budget in GiB for the fit check (default: what the GPU has free).")
@click.option("--llama-server", type=click.Path(path_type=Path), help="Use this llama-server.")
@click.option("--show", is_flag=True, help="Measure nothing: list the stored speed results "
              "(-m NAME: only that model's).")
@click.option("--run", "run_id", metavar="ID", help="With --show: only this speed run (an id "
              "or its prefix, as JSON's run_id says).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON rows (same as --format json).")
@click.option("--format", "-f", "fmt", type=click.Choice(["terminal", "md", "json", "csv", "html"]),
              default="terminal", show_default=True,
              help="html: one offline page with a chart of tg speed against depth.")
@DB_OPTION
def command(models: tuple[str, ...], depth: str, gen: int, repetitions: int, sets: tuple[str, ...],
          force: bool, vram: float | None, llama_server: Path | None, show: bool,
          run_id: str | None, as_json: bool, fmt: str, db: str | None) -> None:
    """Prompt and generation speed at context depth, per model and llama-server configuration."""
    from showdown.speed.plan import SweepError, expand_sets, parse_depths
    from showdown.speed.storage import load_rows, save_row
    from showdown.speed.sweep import plan_speed, run_speed
    from showdown.store import StoreError, locate

    fmt = "json" if as_json else fmt
    location = locate(db)
    if show:
        if location.path is not None and not location.path.is_file():
            fail(f"no store at {location.where} (run `showdown speed` first, or give --db "
                 "PATH|URL)")
        try:
            store = location.open()
            rows = load_rows(store, models)
        except StoreError as exc:
            fail(str(exc))
        rows = [r for r in rows if r.run_id.startswith(run_id or "")]
        if not rows:
            fail(f"no speed results in {location.where}" + (f" for run {run_id}" if run_id else "")
                 + (f" for {', '.join(models)}" if models else "") + " (run `showdown speed`)")
        _print(rows, fmt, store)
        return
    try:
        depths, configs = parse_depths(depth), expand_sets(sets)
        plan = plan_speed(_specs(models, llama_server), configs, depths, gen, repetitions,
                          vram, force)
        store = location.open()
        store.check_writable()
        outcome = run_speed(plan, lambda row: save_row(store, row),
                            lambda m: note(m, "speed", "cyan"))
    except (SweepError, StoreError) as exc:
        fail(str(exc))
    _print(outcome.rows, fmt, store)
    if fmt in ("terminal", "md"):
        err.print(f"saved {len(outcome.rows)} rows to {location.where}", highlight=False, markup=False)
    if not outcome.rows:
        fail("nothing was measured: every configuration was skipped (see above; --force "
             "measures them anyway)", 1)
    if any(r.error for r in outcome.rows):
        sys.exit(1)  # stored and shown, but a configuration that failed is not a clean run
