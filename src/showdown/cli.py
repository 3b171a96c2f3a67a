"""The ``showdown`` command: parse arguments, call one library function, print."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from rich.console import Console

from showdown import __version__
from showdown.config import ConfigError, find_config, load_config, resolve
from showdown.fetch import FetchError, ensure_bundled_model, ensure_llama_server
from showdown.hardware.assess import assess_fit
from showdown.hardware.gguf_meta import GgufError
from showdown.hardware.host import host_fingerprint
from showdown.inventory import survey
from showdown.judge import score_file
from showdown.providers import ModelSpec, ProviderError, parse_spec
from showdown.records import Result, RunInfo, to_dict
from showdown.report import FORMATS, build_report, render, write_report
from showdown.report.fit import fit_json, print_fit
from showdown.report.jsonout import result_json, verdict_json
from showdown.report.models import print_models
from showdown.report.select import SelectionError, select_results
from showdown.report.tasks import print_tasks
from showdown.report.terminal import print_performance, print_quality, print_report
from showdown.report.verdict import print_verdict
from showdown.runner import RunPlan, benchmark, check_plan, plan_from_run
from showdown.sandbox import SandboxUnavailable, default_sandbox
from showdown.signals import Interrupted, graceful_signals
from showdown.store import Store, StoreError, default_db_path
from showdown.tasks import TaskError, find_task
from showdown.tasks.loader import BUILTIN_DIR, describe_tasks
from showdown.ui import RunDisplay

__all__ = ["main"]

# Wide tables when output goes to a file or pipe: rich would otherwise assume 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr and a non-zero exit."""
    # soft_wrap: rich would otherwise break a long path over several lines at 80 columns.
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
@click.option("--case", "case_id", help="Which case the answer is for (tasks with several, "
              "e.g. HumanEval/3).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option("--allow-weak-isolation", "allow_weak", is_flag=True,
              help="Run the code with process isolation only where bubblewrap cannot run.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None,
              help="Replay a judging: the seed a verdict recorded (default: a fresh one).")
def score(paths: tuple[Path, ...], task_id: str, task_dir: tuple[Path, ...], case_id: str | None,
          as_json: bool, allow_weak: bool, seed: int | None) -> None:
    """Score saved answers (Markdown replies or .py files) with no model involved."""
    missing = [p for p in paths if not p.is_file()]
    if missing:
        fail(f"no such file: {missing[0]} (give the path of a saved answer, .md or .py)")
    try:
        task = find_task(task_id, task_dir)
        sandbox = default_sandbox(allow_weak=allow_weak, hide=[BUILTIN_DIR, *task.private_paths()])
        verdicts = [(path, score_file(path, task, sandbox, case_id, seed)) for path in paths]
    except (TaskError, SandboxUnavailable) as exc:
        fail(str(exc))
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
              help="[NAME=]ollama:NAME[:TAG], llamacpp:PATH.gguf, openai-compat:URL#MODEL, "
                   "openai:MODEL or anthropic:MODEL, or a configured model's name (repeatable). "
                   "Default: the config's models, else the bundled SmolLM2-135M.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Config file of models and settings (default: ./showdown.toml if present); "
                   "the command line overrides it.")
@click.option("--task", "-t", "task_ids", multiple=True, default=["todo-cli"], show_default=True)
@click.option("--task-dir", multiple=True, type=click.Path(path_type=Path))
@click.option("--max-tokens", default=16384, show_default=True, help="Output token limit.")
@click.option("--ctx", "ctx_size", default=16384, show_default=True,
              help="Context window (capped to the model's trained context).")
@click.option("--temperature", default=0.0, show_default=True)
@click.option("--seed", default=42, show_default=True)
@click.option("--trials", default=1, show_default=True, help="Repeats of each (model, task).")
@click.option("--limit", "case_limit", type=int, help="Only the first N cases of each task "
              "(e.g. 20 HumanEval problems).")
@click.option("--problems", "only_cases", help="Only these cases, comma-separated (e.g. 0,5,HumanEval/7).")
@click.option("--round", "round_", default="", help="A label for this run, e.g. 'Round 2'.")
@click.option("--db", type=click.Path(path_type=Path), help="The SQLite store.")
@click.option("--resume", is_flag=False, flag_value="last", default=None, metavar="[RUN_ID]",
              help="Finish an interrupted run (default: the last unfinished one).")
@click.option("--llama-server", type=click.Path(path_type=Path), help="Use this llama-server.")
@click.option("--n-gpu-layers", default="auto", show_default=True,
              help="Layers on the GPU for llamacpp models: a number, or auto (predicted from the "
                   "GGUF and the GPU's free memory; 0 without a GPU). Ollama: num_gpu, when given.")
@click.option("--health-timeout", default=600.0, show_default=True, help="Seconds to load.")
@click.option("--idle-timeout", default=120.0, show_default=True, help="Seconds of silence "
              "before a stream counts as stalled.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--allow-weak-isolation", "allow_weak", is_flag=True,
              help="Run the code with process isolation only where bubblewrap cannot run.")
@click.pass_context
def run(ctx: click.Context, /, **_: Any) -> None:
    """Benchmark models on tasks: stream, time, judge, store and print the tables."""
    p = ctx.params
    try:
        db_path = p["db"] or default_db_path()
        store = Store(db_path)
        resume = _resumable(ctx, store) if p["resume"] else None
        plan = plan_from_run(resume) if resume else _plan(ctx)
        plan.host = host_fingerprint()  # where this part is measured, also when resuming
        check_plan(plan)
        # Hidden from the programs under test: the store, and the tasks' own files (hidden
        # tests, reference solutions).
        private = [db_path.resolve().parent, BUILTIN_DIR,
                   *(path for t in plan.tasks for path in t.private_paths())]
        sandbox = default_sandbox(allow_weak=p["allow_weak"], hide=private)
    except (ConfigError, ProviderError, TaskError, SandboxUnavailable, StoreError,
            FetchError) as exc:
        fail(str(exc))
    try:
        with graceful_signals(), RunDisplay(err) as display:
            info, results = benchmark(plan, store, sandbox, None if p["as_json"] else display,
                                      resume)
    except StoreError as exc:
        fail(str(exc), 1)
    except Interrupted as exc:
        run_id = exc.run_id or ""
        saved = len(store.results(run_ids=[run_id])) if run_id else 0
        err.print(f"interrupted ({exc}): {saved} results saved in {store.path}; finish with: "
                  f"showdown run --resume {run_id} --db {store.path}",
                  highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    if resume:  # the tables and report cover the whole run, not only the part just finished
        results = store.results(run_ids=[info.run_id])
    _print_run(info, results, store, p["as_json"])
    if any(r.generation.error for r in results):
        sys.exit(1)


def _plan(ctx: click.Context) -> RunPlan:
    """The run's plan: the command line over the config file over the defaults."""
    p = ctx.params
    options = _given(ctx, {"n_gpu_layers": "n_gpu_layers", "llama_server": "llama_server",
                           "health_timeout_s": "health_timeout", "idle_timeout_s": "idle_timeout"})
    settings = _given(ctx, {"max_tokens": "max_tokens", "ctx": "ctx_size",
                            "temperature": "temperature", "seed": "seed", "trials": "trials"})
    config = load_config(find_config(p["config_path"], Path.cwd()))
    chosen = resolve(config, p["models"], settings, options)
    specs = chosen.specs or [_bundled_spec(options)]
    tasks = [find_task(t, p["task_dir"]) for t in p["task_ids"]]
    only = [c.strip() for c in p["only_cases"].split(",")] if p["only_cases"] else None
    return RunPlan(specs, tasks, chosen.settings, chosen.trials, p["round_"], p["case_limit"],
                   only, task_dirs=list(p["task_dir"]))


def _given(ctx: click.Context, names: dict[str, str]) -> dict[str, Any]:
    """{key: value} of the options (key → parameter name) the user actually typed."""
    return {key: ctx.params[name] for key, name in names.items()
            if ctx.get_parameter_source(name)
            not in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)}


_PLAN_OPTIONS = ("models", "config_path", "task_ids", "task_dir", "max_tokens", "ctx_size",
                 "temperature", "seed", "trials", "round_", "n_gpu_layers", "llama_server",
                 "case_limit", "only_cases")


def _resumable(ctx: click.Context, store: Store) -> RunInfo:
    """The run to finish; refuses a command line that asks for other settings."""
    wanted = ctx.params["resume"]
    run = store.last_unfinished() if wanted == "last" else store.run(wanted)
    if run is None:
        raise StoreError(f"no {'unfinished ' if wanted == 'last' else ''}run "
                         f"{'' if wanted == 'last' else wanted + ' '}in {store.path}")
    given = [n for n in _PLAN_OPTIONS
             if ctx.get_parameter_source(n) == click.core.ParameterSource.COMMANDLINE]
    if given:
        flag = next(p.opts[0] for p in ctx.command.params if p.name == given[0])
        raise StoreError(f"--resume finishes run {run.run_id} with its own settings; drop {flag} "
                         "(start a new run to change settings)")
    if run.status == "running" and run.pid and run.pid != os.getpid() and _alive(run.pid):
        raise StoreError(f"run {run.run_id} is still running in process {run.pid}")
    return run


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _print_run(info: RunInfo, results: list[Result], store: Store, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"run_id": info.run_id, "results": [result_json(r) for r in results]},
                              indent=2))
        _write_run_report(results, info, store.path)
        return
    print_performance(console, results)
    print_quality(console, results)
    err.print(f"run {info.run_id} saved to {store.path}", highlight=False)
    _write_run_report(results, info, store.path)


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


@cli.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Config file (default: ./showdown.toml if present).")
@click.option("--ollama-url", help="Ollama server (default: $OLLAMA_HOST or 127.0.0.1:11434).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def models(config_path: Path | None, ollama_url: str | None, as_json: bool) -> None:
    """List the models showdown can see: Ollama's, GGUF files in gguf_dirs, configured ones."""
    try:
        config = load_config(find_config(config_path, Path.cwd()))
    except ConfigError as exc:
        fail(str(exc))
    found = survey(config, ollama_url)
    if as_json:
        click.echo(json.dumps({"models": [to_dict(m) for m in found.models],
                               "notes": found.notes}, indent=2))
        return
    print_models(console, found.models)
    for note in found.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)


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


@cli.command("tasks")
@click.option("--task-dir", multiple=True, type=click.Path(path_type=Path),
              help="Extra task folder.")
def tasks_command(task_dir: tuple[Path, ...]) -> None:
    """List the tasks: built-in ones and those in --task-dir folders."""
    try:
        rows = describe_tasks(task_dir)
    except TaskError as exc:
        fail(str(exc))
    print_tasks(console, rows)


def main() -> None:
    """Console-script entry point."""
    try:
        cli()
    except KeyboardInterrupt:  # Ctrl-C before a run has started: nothing to save or stop
        err.print("interrupted")
        sys.exit(130)
