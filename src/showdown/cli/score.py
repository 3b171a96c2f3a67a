"""``showdown score``: judge saved answers with no model involved."""

from __future__ import annotations

import json
from pathlib import Path

import click

from showdown.run.request import DEFAULT_TASK

__all__ = ["answer_problem", "command"]


@click.command("score")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--task", "task_id", default=DEFAULT_TASK, show_default=True,
              help="Task to judge against.")
@click.option("--task-dir", multiple=True, type=click.Path(path_type=Path), help="Extra task folder.")
@click.option("--case", "case_id", help="Which case the answer is for (tasks with several, "
              "e.g. HumanEval/3).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option("--allow-weak-isolation", "allow_weak", is_flag=True,
              help="Run the code with process isolation only where bubblewrap cannot run.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None,
              help="Replay a judging: the seed a verdict recorded (default: a fresh one).")
def command(paths: tuple[Path, ...], task_id: str, task_dir: tuple[Path, ...], case_id: str | None,
            as_json: bool, allow_weak: bool, seed: int | None) -> None:
    """Score saved answers (Markdown replies or .py files) with no model involved."""
    from showdown import api
    from showdown.cli.output import console, fail
    from showdown.report.jsonout import verdict_json
    from showdown.report.verdict import print_verdict

    for path in paths:
        if problem := answer_problem(path):
            fail(problem)
    verdicts = api.score_file(paths, task_id, case_id, task_dirs=task_dir, seed=seed,
                              allow_weak_isolation=allow_weak)
    if as_json:
        # Always a list, one object per file, however many files were given.
        click.echo(json.dumps([{"path": str(p)} | verdict_json(v) for p, v in verdicts],
                              indent=2, ensure_ascii=False))
        return
    for path, verdict in verdicts:
        print_verdict(console, str(path), verdict)


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
