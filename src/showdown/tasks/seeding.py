"""Per-judging variation of a program task's functional tests, drawn from a seed (pure).

A program that counts its invocations and prints canned output would pass tests that never
change. So the task file writes its tests with placeholders (``{name1}``, ``{done_id}``...)
and names tests that may move; each judging draws the values and the order from a seed,
recorded with the verdict, so any judging can be replayed with ``showdown score --seed``.
What a test means never changes: only the names, which of two tasks is completed and which
deleted, the unknown id, and where the movable tests run.
"""

from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

__all__ = ["Seeding", "draw_values", "new_seed", "place_movable", "substitute"]

T = TypeVar("T")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Seeding:
    """The task file's ``[seeding]`` table: what varies from one judging to the next."""

    verbs: list[str] = field(default_factory=list)
    things: list[str] = field(default_factory=list)
    names: int = 0
    swap: list[str] = field(default_factory=list)
    unknown_id: list[int] = field(default_factory=lambda: [50, 9999])
    movable: list[str] = field(default_factory=list)
    movable_after: int = 0


def new_seed() -> int:
    """A fresh seed for a judging nobody asked to reproduce."""
    return secrets.randbits(32)


def draw_values(seeding: Seeding, seed: int) -> dict[str, str]:
    """The placeholders' values for ``seed``: ``nameN``, ``<swap>_id``/``_name``, ``unknown_id``.

    Names are distinct, carry a number so no two judgings share one, and come from word lists
    chosen not to look like a state ("done", "pending") to the tests' line checks.
    """
    rng = random.Random(seed)
    values: dict[str, str] = {}
    used: set[str] = set()
    for index in range(1, seeding.names + 1):
        name = ""
        while not name or name in used:
            name = f"{rng.choice(seeding.verbs)} {rng.choice(seeding.things)} {rng.randint(100, 999)}"
        used.add(name)
        values[f"name{index}"] = name
    order = list(range(1, len(seeding.swap) + 1))
    rng.shuffle(order)
    for role, number in zip(seeding.swap, order, strict=True):
        values[f"{role}_id"] = str(number)
        values[f"{role}_name"] = values.get(f"name{number}", "")
    low, high = seeding.unknown_id
    values["unknown_id"] = str(rng.randint(max(low, seeding.names + 1), high))
    return values


def substitute(value: T, values: dict[str, str]) -> T:
    """``value`` (a string, or lists and dicts of them) with every ``{placeholder}`` filled."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [substitute(v, values) for v in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: substitute(v, values) for k, v in value.items()}  # type: ignore[return-value]
    return value


def place_movable(items: list[T], ids: list[str], seeding: Seeding, seed: int) -> list[T]:
    """``items`` (ids parallel) with each movable one put at a seeded place after the fixed head."""
    rng = random.Random(seed ^ 0x5EED)
    fixed = [item for item, i in zip(items, ids, strict=True) if i not in seeding.movable]
    moving = [item for item, i in zip(items, ids, strict=True) if i in seeding.movable]
    for item in moving:
        at = rng.randint(min(seeding.movable_after, len(fixed)), len(fixed))
        fixed.insert(at, item)
    return fixed


def seeding_from(data: dict[str, Any]) -> Seeding:
    """The ``[seeding]`` table as a record (an absent table varies nothing)."""
    return replace(Seeding(), **data)
