"""showdown from Python (notebooks, scripts): score an answer, run models, read reports.

    >>> from showdown import api
    >>> api.score(open("answer.md").read()).score          # doctest: +SKIP
    100
    >>> result = api.run(["ollama:qwen3:8b"], trials=3)     # doctest: +SKIP
    >>> [r.verdict.score for r in result.results if r.verdict]  # doctest: +SKIP

The command line is a thin layer over these functions. Every problem a user can act on is a
``ShowdownError`` (``showdown.errors``) with a one-line message; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from showdown.errors import SelectionError, ShowdownError
from showdown.records import Result, RunInfo, Verdict
from showdown.run.request import DEFAULT_TASK, RunRequest
from showdown.run.session import RunResult, execute, prepare
from showdown.run.stored import open_store
from showdown.runner import Events

__all__ = ["DEFAULT_TASK", "RunRequest", "RunResult", "Selection", "ShowdownError", "report",
           "run", "score", "score_file", "select"]


def score(answer: str, task: str = DEFAULT_TASK, case: str | None = None, *,
          task_dirs: Sequence[Path] = (), seed: int | None = None,
          allow_weak_isolation: bool = False) -> Verdict:
    """The verdict on one answer (a model's Markdown reply, or code) for a task's case."""
    from showdown.judge import judge_answer
    from showdown.tasks import Answer

    found, sandbox = _judging(task, task_dirs, allow_weak_isolation)
    return judge_answer(found, Answer(answer), sandbox, case, seed)


def score_file(paths: Sequence[Path], task: str = DEFAULT_TASK, case: str | None = None, *,
               task_dirs: Sequence[Path] = (), seed: int | None = None,
               allow_weak_isolation: bool = False) -> list[tuple[Path, Verdict]]:
    """Verdicts on saved answers: a ``.py`` file is code as-is, anything else a model's reply."""
    from showdown.judge import score_file as judge_file

    found, sandbox = _judging(task, task_dirs, allow_weak_isolation)
    return [(path, judge_file(path, found, sandbox, case, seed)) for path in paths]


def _judging(task: str, task_dirs: Sequence[Path], allow_weak: bool) -> tuple[Any, Any]:
    from showdown.sandbox import default_sandbox
    from showdown.tasks import find_task
    from showdown.tasks.loader import BUILTIN_DIR

    found = find_task(task, task_dirs)
    # The task's own files (hidden tests, reference solutions) are hidden from the answer.
    return found, default_sandbox(allow_weak=allow_weak, hide=[BUILTIN_DIR, *found.private_paths()])


def run(models: Sequence[str] = (), tasks: Sequence[str] = (), *,
        events: Events | None = None, **settings: Any) -> RunResult:
    """Benchmark ``models`` (specs or configured names; none: the config's, else the bundled
    model) on ``tasks`` (none: ``todo-cli``); ``settings`` are
    ``RunRequest``'s fields (max_tokens, trials, db, resume, …). Results are stored as the CLI
    stores them. A failed generation is a result with ``generation.error`` set, not an error."""
    try:
        request = RunRequest(models=tuple(models), tasks=tuple(tasks), **settings)
    except TypeError as exc:
        raise ShowdownError(f"run(): {exc}") from None
    return execute(prepare(request), events)


@dataclass
class Selection:
    """Stored results a report covers, and their runs."""

    results: list[Result]
    runs: list[RunInfo]


def select(db: Path | str | None = None, runs: Sequence[str] = (), rounds: Sequence[str] = (),
           models: Sequence[str] = (), tasks: Sequence[str] = ()) -> Selection:
    """The stored results matching every filter given (none: everything) and their runs."""
    from showdown.report.select import select_results

    results, chosen = select_results(open_store(db), runs, rounds, models, tasks)
    return Selection(results, chosen)



def report(fmt: str = "md", db: Path | str | None = None, runs: Sequence[str] = (),
           rounds: Sequence[str] = (), models: Sequence[str] = (), tasks: Sequence[str] = (),
           output: Path | None = None) -> str:
    """The report of the selected results as ``fmt`` (terminal, md, html, json or csv); with
    ``output``, also written there (its folder created)."""
    from showdown.report import FORMATS, render
    from showdown.report.select import select as select_source

    if fmt not in FORMATS:
        raise SelectionError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    # A source, not a list: results are read from the store as the report needs them, the
    # tables from copies without the long texts (issue #19: 100k results stay bounded).
    source, chosen_runs = select_source(open_store(db), runs, rounds, models, tasks)
    text = render(source, chosen_runs, fmt)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ShowdownError(f"cannot write {output}: {exc}", exit_code=1) from exc
    return text
