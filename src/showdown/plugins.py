"""Third-party additions through Python entry points, as simonw/llm loads its plugins.

Two groups: ``showdown.providers`` (a Provider class, or a module whose classes register
themselves with ``@register``) and ``showdown.tasks`` (a folder of tasks, a list of them, or a
function returning either). Each group is loaded at most once per process and only when needed,
so ``showdown`` starts as fast without plugins as with them. A plugin that fails to load is one
warning line on stderr (through ``logging``), never a traceback, and showdown goes on without it.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any

__all__ = ["PROVIDERS_GROUP", "TASKS_GROUP", "load_group", "task_folders", "warn"]

PROVIDERS_GROUP = "showdown.providers"
TASKS_GROUP = "showdown.tasks"

_log = logging.getLogger("showdown.plugins")


def warn(message: str) -> None:
    """One warning line (Python's last-resort handler prints it alone when logging is unset)."""
    _log.warning("warning: %s", " ".join(message.split()))


@functools.cache
def load_group(group: str) -> tuple[tuple[str, Any], ...]:
    """(entry point name, loaded object) for each plugin of ``group`` that loads."""
    from importlib.metadata import entry_points  # here: a start without plugins never pays for it

    loaded: list[tuple[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for point in entry_points(group=group):
        if (point.name, point.value) in seen:  # one distribution found twice on sys.path
            continue
        seen.add((point.name, point.value))
        try:
            loaded.append((point.name, point.load()))
        except (Exception, SystemExit) as exc:  # a plugin's bug must not stop showdown
            warn(f"plugin {point.name!r} ({group} = {point.value}) was not loaded: "
                 f"{type(exc).__name__}: {exc}")
    return tuple(loaded)


@functools.cache
def task_folders() -> tuple[Path, ...]:
    """The task folders plugins ship (``showdown.tasks``): each entry point is a folder, a list
    of folders, or a function returning either; one that is not a folder is a warning line."""
    folders: list[Path] = []
    for name, value in load_group(TASKS_GROUP):
        try:
            found = value() if callable(value) else value
            items = [found] if isinstance(found, str | os.PathLike) else list(found)
            paths = [Path(item) for item in items]
        except (Exception, SystemExit) as exc:
            warn(f"plugin {name!r} ({TASKS_GROUP}) gave no task folders: "
                 f"{type(exc).__name__}: {exc}")
            continue
        for path in paths:
            if path.is_dir():
                folders.append(path)
            else:
                warn(f"plugin {name!r} ({TASKS_GROUP}): {path}: no such task folder")
    return tuple(folders)
