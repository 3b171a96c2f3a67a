"""The task contract: how to ask a model, and how to judge what it answered.

The run loop only calls ``prompt`` and ``judge``; each task kind is one class, so nothing
outside this package branches on a task's kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

from showdown.errors import TaskError
from showdown.records import Verdict
from showdown.sandbox import Limits, Sandbox
from showdown.tasks.config import TaskConfig, parse_task_config
from showdown.validate import Check

__all__ = ["Answer", "Case", "Task", "TaskError"]


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

    #: The task.toml keys of this kind, besides the common ones (``tasks.config.COMMON_KEYS``).
    KEYS: ClassVar[dict[str, Check]] = {}

    def __init__(self, config: TaskConfig) -> None:
        """The fields every task has, from its checked task.toml."""
        self.config = config
        self.root = config.folder
        self.id = config.id
        self.title = config.title
        self.description = config.description
        self.limits = config.limits

    @property
    @abstractmethod
    def prompt(self) -> str:
        """The exact user message every model receives."""

    @classmethod
    def from_data(cls, root: Path, data: dict[str, Any]) -> Self:
        """Check a decoded task.toml (one line naming the file and key on error) and build."""
        return cls(parse_task_config(root, data, cls.KEYS))

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
