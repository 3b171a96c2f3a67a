"""``task.toml`` parsed once into a typed, strictly checked ``TaskConfig``.

The same checker and one-line errors as ``showdown.toml`` (``showdown.validate``): every key a
task kind does not know is refused (an unknown ``[limits]`` key too), every value checked, and
each mistake names the file, the key and what is expected. Task constructors then read typed
fields; no KeyError or FileNotFoundError stands for a broken file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from showdown.errors import TaskError
from showdown.sandbox import Limits
from showdown.validate import Check, check_table, is_int, is_str, known_keys, positive, table

__all__ = ["COMMON_KEYS", "TaskConfig", "parse_task_config", "strict_record"]

T = TypeVar("T")


def _text(v: Any) -> bool:
    return isinstance(v, str)


#: The keys every task.toml may have, whatever its kind.
COMMON_KEYS: dict[str, Check] = {
    "id": (is_str, "a task id such as \"todo-cli\""),
    "kind": (is_str, "a task kind"),
    "title": (_text, "a string"),
    "description": (_text, "a string"),
    "language": (_text, "a language name such as \"python\""),
    "prompt_file": (is_str, "the name of the prompt's file in the task folder"),
    "limits": (lambda v: isinstance(v, dict), "a table of resource limits"),
}

_LIMITS: dict[str, Check] = {
    f.name: ((lambda v: is_int(v) and v > 0), "a whole number above 0")
    if isinstance(f.default, int) else (positive, "a number above 0")
    for f in dataclasses.fields(Limits)
}


@dataclass(frozen=True)
class TaskConfig:
    """A checked task.toml: the common fields typed, the kind's own keys checked by its schema."""

    folder: Path
    id: str
    kind: str
    prompt_file: str
    title: str = ""
    description: str = ""
    language: str = "python"
    limits: Limits = field(default_factory=Limits)
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / "task.toml"

    def where(self, key: str) -> str:
        """``file: key``, the start of a one-line error about ``key``."""
        return f"{self.path}: {key}"

    def read(self, key: str, name: str) -> str:
        """The text of the file ``name`` in the task folder, named by ``key``."""
        try:
            return (self.folder / name).read_text(encoding="utf-8")
        except OSError as exc:
            raise TaskError(f"{self.where(key)}: cannot read {name!r} in {self.folder} "
                            f"({exc.strerror or exc})") from exc


def parse_task_config(folder: Path, data: Mapping[str, Any],
                      kind_keys: Mapping[str, Check]) -> TaskConfig:
    """Check a decoded task.toml against the common keys and its kind's ``kind_keys``."""
    path = str(folder / "task.toml")
    checks = {**COMMON_KEYS, **kind_keys}
    check_table(data, checks, path, TaskError, required=("id", "kind", "prompt_file"))
    limits = table(data.get("limits", {}), f"{path}: limits", TaskError)
    check_table(limits, _LIMITS, f"{path}: limits", TaskError)
    return TaskConfig(
        folder=folder, id=data["id"], kind=data["kind"], prompt_file=data["prompt_file"],
        title=data.get("title", data["id"]), description=data.get("description", ""),
        language=data.get("language", "python"), limits=Limits(**limits),
        options={k: v for k, v in data.items() if k in kind_keys})


def strict_record(cls: type[T], data: Any, where: str) -> T:
    """A dataclass from a TOML table whose keys must all be its fields (values as given)."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    known_keys(table(data, where, TaskError), names, where, TaskError)
    try:
        return cls(**data)
    except TypeError as exc:  # a required field missing
        raise TaskError(f"{where}: {exc}") from exc
