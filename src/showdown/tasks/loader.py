"""Find tasks: built-in folders shipped in the package, folders a user names, and folders
installed plugins ship (entry point group ``showdown.tasks``, looked at only when needed)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from showdown.plugins import task_folders
from showdown.tasks.base import Task, TaskError
from showdown.tasks.function import FunctionTask
from showdown.tasks.program import ProgramTask
from showdown.tasks.repo import RepoTask

__all__ = [
    "BUILTIN_DIR",
    "KINDS",
    "TaskSummary",
    "describe_tasks",
    "find_task",
    "load_task",
    "load_tasks",
]

BUILTIN_DIR = Path(__file__).parent / "builtin"

KINDS: dict[str, Callable[[Path, dict[str, Any]], Task]] = {
    "program": ProgramTask.from_data,
    "function": FunctionTask.from_data,
    "repo": RepoTask.from_data,
}


def load_task(folder: Path) -> Task:
    """Load one task folder (``task.toml`` and the files it names)."""
    path = folder / "task.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TaskError(f"{path}: no task.toml in this task folder") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TaskError(f"{path}: not valid TOML ({exc})") from exc
    kind = data.get("kind")
    if kind not in KINDS:
        raise TaskError(f"{path}: key 'kind' is {kind!r}; expected one of {sorted(KINDS)}")
    return KINDS[kind](folder, data)


def load_tasks(extra_dirs: Iterable[Path] = (), problems: dict[Path, str] | None = None,
               plugins: bool = False) -> dict[str, Task]:
    """Every task by id: built-in ones, then each extra folder (a task, or a folder of tasks),
    then with ``plugins`` the folders installed plugins ship.

    With ``problems``, a task folder that cannot be loaded is recorded there (folder → reason)
    and the others still load; without, it raises TaskError.
    """
    tasks: dict[str, Task] = {}
    roots = [BUILTIN_DIR, *extra_dirs, *(task_folders() if plugins else ())]
    for root in roots:
        if not root.is_dir():
            raise TaskError(f"{root}: no such task folder")
        folders = [root] if (root / "task.toml").exists() else sorted(root.iterdir())
        for folder in folders:
            if (folder / "task.toml").exists():
                try:
                    task = load_task(folder)
                except (TaskError, OSError, ValueError, KeyError, TypeError) as exc:
                    if problems is None:
                        raise
                    problems[folder] = str(exc)
                    continue
                tasks[task.id] = task
    return tasks


def find_task(task_id: str, extra_dirs: Iterable[Path] = ()) -> Task:
    """The task with this id, or a TaskError listing the ones there are."""
    tasks = load_tasks(extra_dirs)
    if task_id not in tasks:  # only now are plugins looked at: no plugin slows a built-in task
        tasks = load_tasks(extra_dirs, plugins=True)
    if task_id not in tasks:
        raise TaskError(f"unknown task {task_id!r}; known tasks: {', '.join(sorted(tasks))}")
    return tasks[task_id]


@dataclass(frozen=True)
class TaskSummary:
    """One line of ``showdown tasks``: what a task is and how many prompts it sends."""

    id: str
    kind: str
    cases: int | None
    title: str
    description: str
    folder: str
    problem: str = ""


def describe_tasks(extra_dirs: Iterable[Path] = ()) -> list[TaskSummary]:
    """Every task with its case count; a task whose cases cannot be read says why."""
    rows = []
    broken: dict[Path, str] = {}
    for task in load_tasks(extra_dirs, broken, plugins=True).values():
        try:
            cases: int | None = len(task.cases())
            problem = ""
        except TaskError as exc:
            cases, problem = None, str(exc)
        rows.append(TaskSummary(task.id, task.kind, cases, task.title, task.description,
                                str(task.root), problem))
    # A broken folder is a row of its own (kind "?"), so one bad task.toml hides nothing else.
    rows += [TaskSummary(folder.name, "?", None, "", "", str(folder), reason)
             for folder, reason in broken.items()]
    return rows
