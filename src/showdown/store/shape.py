"""Is a rebuilt record what its type hints say? ``records.from_dict`` trusts its input (a
store's own rows); a file from elsewhere is checked field by field before it is stored."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any

__all__ = ["shape_problem"]


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def shape_problem(value: Any, hint: Any, where: str) -> str | None:
    """Where ``value`` first departs from ``hint`` (``run.settings.ctx is 'x', not int``), or None."""
    if hint is Any or hint is object:
        return None
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, hint):
            return f"{where} is not a {hint.__name__} record"
        for name, field_hint in _hints(hint).items():
            problem = shape_problem(getattr(value, name, None), field_hint, f"{where}.{name}")
            if problem:
                return problem
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if any(shape_problem(value, a, where) is None for a in args):
            return None
        return f"{where} is {_shown(value)}, not {_name(hint)}"
    if origin is typing.Literal:
        return None if value in args else f"{where} is {_shown(value)}, not one of {args}"
    if origin in (list, tuple, dict):
        return _container_problem(value, origin, args, where)
    return _scalar_problem(value, hint, where)


def _container_problem(value: Any, origin: Any, args: tuple[Any, ...], where: str) -> str | None:
    if not isinstance(value, origin):
        return f"{where} is {_shown(value)}, not a {origin.__name__}"
    if origin is dict:
        key_hint, item_hint = args or (Any, Any)
        for key, item in value.items():
            problem = (shape_problem(key, key_hint, f"{where} key")
                       or shape_problem(item, item_hint, f"{where}[{key!r}]"))
            if problem:
                return problem
        return None
    item_hints = [args[0]] * len(value) if origin is list or (args and args[-1] is ...) else args
    if origin is tuple and args and args[-1] is not ... and len(value) != len(args):
        return f"{where} has {len(value)} items, not {len(args)}"
    for i, (item, item_hint) in enumerate(zip(value, item_hints or [Any] * len(value),
                                              strict=False)):
        problem = shape_problem(item, item_hint, f"{where}[{i}]")
        if problem:
            return problem
    return None


def _scalar_problem(value: Any, hint: Any, where: str) -> str | None:
    if hint is None or hint is type(None):
        return None if value is None else f"{where} is {_shown(value)}, not null"
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(hint, type):
        ok = isinstance(value, hint)
    else:  # a hint this check does not know: taken as it is
        ok = True
    return None if ok else f"{where} is {_shown(value)}, not {_name(hint)}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"a {type(value).__name__}"


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
