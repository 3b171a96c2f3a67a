"""The task contract: how to ask a model, and how to judge what it answered.

The run loop only calls ``prompt`` and ``judge``; each task kind is one class, so nothing
outside this package branches on a task's kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from showdown.records import Verdict
from showdown.sandbox import Limits, Sandbox

__all__ = ["Answer", "Case", "Task", "TaskError"]


class TaskError(ValueError):
    """A task folder or task file is broken (the message names the file and the key)."""


@dataclass(frozen=True)
class Answer:
    """What a model returned, or a file a user asked to score."""

    text: str
    finish_reason: str | None = None
    is_code_file: bool = False


@dataclass(frozen=True)
class Case:
    """One prompt of a task: a program task has one, HumanEval has 164."""

    id: str
    prompt: str


class Task(ABC):
    """A coding task: a prompt, and a judge that runs answers in a sandbox."""

    id: str
    title: str
    description: str
    kind: str
    root: Path
    limits: Limits

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        """The keys every task.toml has: id, title, description and [limits]."""
        self.root = root
        self.id = data["id"]
        self.title = data.get("title", self.id)
        self.description = data.get("description", "")
        known = Limits.__dataclass_fields__
        self.limits = Limits(**{k: v for k, v in data.get("limits", {}).items() if k in known})

    @property
    @abstractmethod
    def prompt(self) -> str:
        """The exact user message every model receives."""

    @classmethod
    def from_data(cls, root: Path, data: dict[str, Any]) -> Self:
        """Build from a parsed task.toml, naming the file and key on error."""
        try:
            return cls(root, data)
        except (KeyError, TypeError, FileNotFoundError) as exc:
            raise TaskError(f"{root / 'task.toml'}: missing or bad key ({exc})") from exc

    def private_paths(self) -> list[Path]:
        """Files the programs under test must not read (hidden tests, reference answers)."""
        return [self.root]

    def cases(self, limit: int | None = None, only: list[str] | None = None) -> list[Case]:
        """The prompts to send; one for most tasks. ``limit``/``only`` select a subset."""
        return [Case(self.id, self.prompt)]

    @abstractmethod
    def judge(self, answer: Answer, sandbox: Sandbox, case: str | None = None,
              seed: int | None = None) -> Verdict:
        """Extract, check, run and score one answer to ``case`` (the task's only case if None).

        ``seed``: tasks that vary their tests per judging draw them from it (None: a fresh one,
        recorded in the verdict); other tasks ignore it.
        """
