"""Coding tasks as data: a folder with task.toml, a prompt and its checks and tests."""

from showdown.tasks.base import Answer, Task, TaskError
from showdown.tasks.loader import find_task, load_task, load_tasks

__all__ = ["Answer", "Task", "TaskError", "find_task", "load_task", "load_tasks"]
