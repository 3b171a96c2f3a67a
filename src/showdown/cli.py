"""The ``showdown`` command: parse arguments, call one library function, print."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from showdown import __version__
from showdown.cliout import console, err, fail, note

# Each command imports what it needs when it runs: `showdown --help` or `showdown tasks` must
# not pay for numpy, gguf, httpx, the providers and the report renderers.

__all__ = ["REPORT_FORMATS", "cli", "main"]

#: ``showdown.report.FORMATS``'s names, here so ``--help`` need not import the renderers.
REPORT_FORMATS = ("terminal", "md", "html", "json", "csv")

#: Commands defined in modules of their own, imported only when run: name -> (module,
#: attribute, the short help ``showdown --help`` lists, equal to the command's own).
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("showdown.cli_run", "run",
            "Benchmark models on tasks: stream, time, judge, store and print the tables."),
    "runs": ("showdown.cli_inspect", "runs",
             "List the stored runs: status, models, tasks, results and how many did not run."),
    "show": ("showdown.cli_inspect", "show",
             "Show a run's results with their ids, or one result in full: prompt, answer, "
             "reasoning, extracted code, each check and test with its commands and output, "
             "settings and host."),
}


class _LazyGroup(click.Group):
    """A group whose larger commands are imported only when invoked (or asked for help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attr, _ = LAZY_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            if name in LAZY_COMMANDS and name not in self.commands:
                rows.append((name, _short(LAZY_COMMANDS[name][2], limit)))
            elif (command := self.get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _short(text: str, limit: int) -> str:
    """The short help of a docstring, as click makes it (first sentence, cut to ``limit``)."""
    return click.Command("x", help=text).get_short_help_str(limit)


@click.group(cls=_LazyGroup)
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
    import json

    from showdown.judge import score_file
    from showdown.report.jsonout import verdict_json
    from showdown.report.verdict import print_verdict
    from showdown.sandbox import SandboxUnavailable, default_sandbox
    from showdown.tasks import TaskError, find_task
    from showdown.tasks.loader import BUILTIN_DIR

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
    from showdown.fetch import FetchError, ensure_bundled_model, ensure_llama_server

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
@click.option("--format", "-f", "fmt", type=click.Choice(REPORT_FORMATS), default="terminal",
              show_default=True, help="md pastes into a blog post; html is one offline file.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of standard output.")
def report(db: Path | None, run_ids: tuple[str, ...], rounds: tuple[str, ...],
           models: tuple[str, ...], tasks: tuple[str, ...], fmt: str, output: Path | None) -> None:
    """Tables, leaderboard across rounds, speed tiers, style and charts from stored results."""
    from showdown.report import build_report, render_parts, write_report
    from showdown.report.select import SelectionError, select
    from showdown.report.terminal import print_report
    from showdown.store import Store, StoreError, default_db_path

    path = db or default_db_path()
    if not path.is_file():
        fail(f"no store at {path} (run `showdown run` first, or give --db PATH)")
    try:
        # Read from the store as each format needs them, never all held in full at once.
        results, chosen = select(Store(path), run_ids, rounds, models, tasks)
    except (StoreError, SelectionError) as exc:
        fail(str(exc))
    try:
        if output is not None:
            try:
                write_report(results, chosen, fmt, output)
            except OSError as exc:
                fail(f"cannot write {output}: {exc}", 1)
            err.print(f"wrote {output}", highlight=False, soft_wrap=True, markup=False)
        elif fmt == "terminal":
            print_report(console, build_report(results, chosen))
        else:
            for part in render_parts(results, chosen, fmt):
                click.echo(part, nl=False)
    except StoreError as exc:  # the results are read as the report is built
        fail(str(exc))


@cli.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Config file (default: ./showdown.toml if present).")
@click.option("--ollama-url", help="Ollama server (default: $OLLAMA_HOST or 127.0.0.1:11434).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def models(config_path: Path | None, ollama_url: str | None, as_json: bool) -> None:
    """List the models showdown can see: Ollama's, GGUF files in gguf_dirs, configured ones."""
    import json

    from showdown.config import ConfigError, find_config, load_config
    from showdown.inventory import survey
    from showdown.records import to_dict
    from showdown.report.models import print_models

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
    for line in found.notes:
        note(line)


@cli.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--vram", type=click.FloatRange(min=0),
              help="VRAM budget in GiB (default: what the GPU has free).")
@click.option("--ctx", type=click.IntRange(min=1), help="Context to size the KV cache for.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def fit(model: Path, vram: float | None, ctx: int | None, as_json: bool) -> None:
    """Predict how many layers of a GGUF model fit in VRAM, before starting any server."""
    import json

    from showdown.hardware.assess import assess_fit
    from showdown.hardware.gguf_meta import GgufError
    from showdown.report.fit import fit_json, print_fit

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
    from showdown.report.tasks import print_tasks
    from showdown.tasks import TaskError
    from showdown.tasks.loader import describe_tasks

    try:
        rows = describe_tasks(task_dir)
    except TaskError as exc:
        fail(str(exc))
    print_tasks(console, rows)
    for row in rows:
        if row.problem and row.kind == "?":
            note(row.problem, "warning")


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
    except Exception as exc:
        from showdown.store import StoreError  # imported here: most commands never need it

        if isinstance(exc, StoreError):  # a store that broke mid-command: one line, no traceback
            fail(str(exc))
        raise
