"""The ``showdown`` command: parse arguments, call one library function, print."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from showdown import __version__
from showdown.fetch import FetchError, ensure_bundled_model, ensure_llama_server
from showdown.hardware.assess import assess_fit
from showdown.hardware.gguf_meta import GgufError
from showdown.judge import score_file
from showdown.providers import ModelSpec, ProviderError, parse_spec
from showdown.records import GenerationSettings, Result, RunInfo
from showdown.report import FORMATS, build_report, render, write_report
from showdown.report.fit import fit_json, print_fit
from showdown.report.jsonout import result_json, verdict_json
from showdown.report.select import SelectionError, select_results
from showdown.report.terminal import print_performance, print_quality, print_report
from showdown.report.verdict import print_verdict
from showdown.runner import RunPlan, benchmark
from showdown.sandbox import SandboxUnavailable, default_sandbox
from showdown.store import Store, StoreError, default_db_path
from showdown.tasks import TaskError, find_task
from showdown.ui import RunDisplay

__all__ = ["main"]

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr and a non-zero exit."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


@click.group()
@click.version_option(__version__, prog_name="showdown")
def cli() -> None:
    """Which model should I run for coding on this hardware, how fast, and is its code good?"""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--task", "task_id", default="todo-cli", show_default=True, help="Task to judge against.")
@click.option("--task-dir", multiple=True, type=click.Path(path_type=Path), help="Extra task folder.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def score(paths: tuple[Path, ...], task_id: str, task_dir: tuple[Path, ...], as_json: bool) -> None:
    """Score saved answers (Markdown replies or .py files) with no model involved."""
    try:
        task = find_task(task_id, task_dir)
        sandbox = default_sandbox()
    except (TaskError, SandboxUnavailable) as exc:
        fail(str(exc))
    missing = [p for p in paths if not p.is_file()]
    if missing:
        fail(f"no such file: {missing[0]} (give the path of a saved answer, .md or .py)")
    verdicts = [(path, score_file(path, task, sandbox)) for path in paths]
    if as_json:
        rows = [{"path": str(p)} | verdict_json(v) for p, v in verdicts]
        click.echo(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2))
        return
    for path, verdict in verdicts:
        print_verdict(console, str(path), verdict)


@cli.command()
@click.option("--llama-server", type=click.Path(path_type=Path), help="Use this llama-server.")
def setup(llama_server: Path | None) -> None:
    """Fetch the bundled model and find or build llama-server (cached; safe to re-run)."""
    try:
        model = ensure_bundled_model(say=lambda m: err.print(f"[cyan]setup:[/] {m}"))
        server = ensure_llama_server(llama_server, say=lambda m: err.print(f"[cyan]setup:[/] {m}"))
    except FetchError as exc:
        fail(str(exc), 1)
    err.print(f"[cyan]setup:[/] model  {model}\n[cyan]setup:[/] server {server}", highlight=False)


@cli.command()
@click.option("--model", "-m", "models", multiple=True, metavar="SPEC",
              help="[NAME=]llamacpp:PATH.gguf or openai-compat:URL#MODEL (repeatable). "
                   "Default: the bundled SmolLM2-135M.")
@click.option("--task", "-t", "task_ids", multiple=True, default=["todo-cli"], show_default=True)
@click.option("--task-dir", multiple=True, type=click.Path(path_type=Path))
@click.option("--max-tokens", default=16384, show_default=True, help="Output token limit.")
@click.option("--ctx", default=16384, show_default=True, help="Context window (capped to trained).")
@click.option("--temperature", default=0.0, show_default=True)
@click.option("--seed", default=42, show_default=True)
@click.option("--trials", default=1, show_default=True, help="Repeats of each (model, task).")
@click.option("--round", "round_", default="", help="A label for this run, e.g. 'Round 2'.")
@click.option("--db", type=click.Path(path_type=Path), help="The SQLite store.")
@click.option("--llama-server", type=click.Path(path_type=Path), help="Use this llama-server.")
@click.option("--n-gpu-layers", default=0, show_default=True, help="Layers on the GPU (llamacpp).")
@click.option("--health-timeout", default=600.0, show_default=True, help="Seconds to load.")
@click.option("--idle-timeout", default=120.0, show_default=True, help="Seconds of silence "
              "before a stream counts as stalled.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
def run(models: tuple[str, ...], task_ids: tuple[str, ...], task_dir: tuple[Path, ...],
        max_tokens: int, ctx: int, temperature: float, seed: int, trials: int, round_: str,
        db: Path | None, llama_server: Path | None, n_gpu_layers: int, health_timeout: float,
        idle_timeout: float, as_json: bool) -> None:
    """Benchmark models on tasks: stream, time, judge, store and print the tables."""
    options = {"n_gpu_layers": n_gpu_layers, "llama_server": llama_server,
               "health_timeout_s": health_timeout, "idle_timeout_s": idle_timeout}
    try:
        specs = [parse_spec(m, options) for m in models] or [_bundled_spec(options)]
        tasks = [find_task(t, task_dir) for t in task_ids]
        sandbox = default_sandbox()
        store = Store(db or default_db_path())
    except (ProviderError, TaskError, SandboxUnavailable, StoreError, FetchError) as exc:
        fail(str(exc))
    plan = RunPlan(specs, tasks, GenerationSettings(max_tokens, ctx, temperature, seed),
                   trials, round_)
    try:
        with RunDisplay(err) as display:
            info, results = benchmark(plan, store, sandbox, None if as_json else display)
    except StoreError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        err.print(f"interrupted; finished results are saved in {store.path}")
        sys.exit(130)
    if as_json:
        click.echo(json.dumps({"run_id": info.run_id, "results": [result_json(r) for r in results]},
                              indent=2))
    else:
        print_performance(console, results)
        print_quality(console, results)
        err.print(f"run {info.run_id} saved to {store.path}", highlight=False)
        _write_run_report(results, info, store.path)
    if any(r.generation.error for r in results):
        sys.exit(1)


def _write_run_report(results: list[Result], info: RunInfo, db: Path) -> None:
    """The run's own HTML report beside the store; a failure to write it is only a warning."""
    path = db.parent / "reports" / f"{info.run_id}.html"
    try:
        write_report(results, [info], "html", path)
    except OSError as exc:
        err.print(f"[yellow]warning:[/] could not write the HTML report {path}: {exc}")
        return
    err.print(f"report: {path}", highlight=False, soft_wrap=True)


@cli.command()
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
              help="The SQLite store (default: $SHOWDOWN_DB or ~/.local/share/showdown).")
@click.option("--run", "run_ids", multiple=True, metavar="ID", help="A run id or unique prefix "
              "(repeatable).")
@click.option("--round", "rounds", multiple=True, metavar="NAME", help="A round label given to "
              "`showdown run --round` (repeatable; several make one leaderboard).")
@click.option("--model", "-m", "models", multiple=True, metavar="NAME", help="Only this model "
              "(repeatable).")
@click.option("--task", "-t", "tasks", multiple=True, metavar="ID", help="Only this task "
              "(repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(list(FORMATS)), default="terminal",
              show_default=True, help="md pastes into a blog post; html is one offline file.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of standard output.")
def report(db: Path | None, run_ids: tuple[str, ...], rounds: tuple[str, ...],
           models: tuple[str, ...], tasks: tuple[str, ...], fmt: str, output: Path | None) -> None:
    """Tables, leaderboard across rounds, speed tiers, style and charts from stored results."""
    path = db or default_db_path()
    if not path.is_file():
        fail(f"no store at {path} (run `showdown run` first, or give --db PATH)")
    try:
        results, runs = select_results(Store(path), run_ids, rounds, models, tasks)
    except (StoreError, SelectionError) as exc:
        fail(str(exc))
    if output is not None:
        try:
            write_report(results, runs, fmt, output)
        except OSError as exc:
            fail(f"cannot write {output}: {exc}", 1)
        err.print(f"wrote {output}", highlight=False, soft_wrap=True)
    elif fmt == "terminal":
        print_report(console, build_report(results, runs))
    else:
        click.echo(render(results, runs, fmt), nl=False)


def _bundled_spec(options: dict[str, Any]) -> ModelSpec:
    path = ensure_bundled_model(say=lambda m: err.print(f"[cyan]setup:[/] {m}"))
    return parse_spec(f"SmolLM2-135M (bundled)=llamacpp:{path}", dict(options))


@cli.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--vram", type=click.FloatRange(min=0),
              help="VRAM budget in GiB (default: what the GPU has free).")
@click.option("--ctx", type=click.IntRange(min=1), help="Context to size the KV cache for.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def fit(model: Path, vram: float | None, ctx: int | None, as_json: bool) -> None:
    """Predict how many layers of a GGUF model fit in VRAM, before starting any server."""
    try:
        report = assess_fit(model, vram, ctx)
    except GgufError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(fit_json(report), indent=2))
        return
    print_fit(console, report)


def main() -> None:
    """Console-script entry point."""
    cli()
