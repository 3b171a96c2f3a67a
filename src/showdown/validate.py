"""Strict checks for the TOML files a user writes (``showdown.toml``, ``task.toml``).

One style for both: every key is known or refused, every value checked, and every mistake is
one line naming the file, the key and what is expected (``{file}: {where}.{key}: expected …,
got …``), raised as the caller's ``ShowdownError`` subclass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from showdown.errors import ShowdownError

__all__ = [
    "Check",
    "check",
    "check_table",
    "is_int",
    "is_number",
    "is_str",
    "is_str_list",
    "known_keys",
    "positive",
    "table",
]

#: A value's test and what it expects, said for a user: (predicate, "a whole number above 0").
Check = tuple[Callable[[Any], bool], str]


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def is_str(v: Any) -> bool:
    return isinstance(v, str) and bool(v)


def is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def is_tables(v: Any) -> bool:
    """A TOML array of tables (``[[features]]``)."""
    return isinstance(v, list) and all(isinstance(x, dict) for x in v)


def positive(v: Any) -> bool:
    return is_number(v) and v > 0


def _at(where: str, key: str) -> str:
    """``file: table.key`` (``where`` is ``file: table``), or ``file: key`` at the top."""
    return f"{where}.{key}" if ": " in where else f"{where}: {key}"


def table(value: Any, where: str, error: type[ShowdownError]) -> dict[str, Any]:
    """``value`` if it is a TOML table; else one line saying a table was expected."""
    if not isinstance(value, dict):
        raise error(f"{where}: expected a table, got {value!r}")
    return value


def known_keys(data: Mapping[str, Any], allowed: Iterable[str], where: str,
               error: type[ShowdownError]) -> None:
    """Refuse the first key not in ``allowed``, listing the ones there are."""
    names = list(allowed)
    for key in data:
        if key not in names:
            raise error(f"{_at(where, key)}: unknown key; expected one of {', '.join(names)}")


def check(checks: Mapping[str, Check], key: str, value: Any, where: str,
          error: type[ShowdownError]) -> None:
    """One key: known, and its value what ``checks`` expects."""
    known_keys({key: value}, checks, where, error)
    ok, expected = checks[key]
    if not ok(value):
        raise error(f"{_at(where, key)}: expected {expected}, got {value!r}")


def check_table(data: Mapping[str, Any], checks: Mapping[str, Check], where: str,
                error: type[ShowdownError], required: Iterable[str] = ()) -> None:
    """Every key of a table, and the ones it must have."""
    for key in required:
        if key not in data:
            raise error(f"{_at(where, key)}: missing; expected {checks[key][1]}")
    for key, value in data.items():
        check(checks, key, value, where, error)

