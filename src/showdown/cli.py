"""The ``showdown`` command: parse arguments, call one library function, print."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from showdown import __version__
from showdown.judge import score_file
from showdown.report.jsonout import verdict_json
from showdown.report.verdict import print_verdict
from showdown.sandbox import SandboxUnavailable, default_sandbox
from showdown.tasks import TaskError, find_task

__all__ = ["main"]

console = Console()
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


def main() -> None:
    """Console-script entry point."""
    cli()
