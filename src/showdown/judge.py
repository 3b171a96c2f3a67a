"""Score an existing answer: the library call behind ``showdown score``."""

from __future__ import annotations

from pathlib import Path

from showdown.records import Verdict
from showdown.sandbox import Sandbox
from showdown.tasks import Answer, Task

__all__ = ["score_file"]


def score_file(path: Path, task: Task, sandbox: Sandbox, case: str | None = None,
               seed: int | None = None) -> Verdict:
    """Judge a saved answer: a ``.py`` file is code as-is, anything else is a model's reply."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return task.judge(Answer(text, is_code_file=path.suffix == ".py"), sandbox, case, seed)
