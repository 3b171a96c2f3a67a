"""Pure static checks on a program's AST, named so task files can list them as data.

Each check takes the parsed module and the task file's parameters and returns (passed, detail).
They look at what the code does (calls, imports, SQL it sends), not at comments or prose.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["CHECKS", "dotted_names", "forget", "imported_modules", "run_check", "string_constants"]

Check = Callable[[ast.Module, dict[str, Any]], tuple[bool, str]]

# Longest ``a.b.c`` chain spelled out whole, and how much of one string a pattern searches.
_MAX_DOTTED = 32
_MAX_MATCHED = 2000


@functools.lru_cache(maxsize=1)
def _walk(tree: ast.Module) -> tuple[ast.AST, ...]:
    """Every node of the tree, listed once for all the checks run on it (a MiB of code has
    hundreds of thousands of nodes; walking them once per check costs seconds)."""
    return tuple(ast.walk(tree))


def forget() -> None:
    """Drop the kept node list of the last tree checked."""
    _walk.cache_clear()


def imported_modules(tree: ast.Module) -> set[str]:
    """Top-level names of every module the code imports."""
    names: set[str] = set()
    for node in _walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def dotted_names(tree: ast.Module) -> set[str]:
    """Every ``a.b.c`` and bare name the code mentions.

    A chain longer than ``_MAX_DOTTED`` parts adds its names one by one, not dotted: spelling
    out every prefix of ``a.b.c…`` thousands long would take time and memory squared.
    """
    found: set[str] = set()
    for node in _walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            parts: list[str] = [node.attr]
            value: ast.expr = node.value
            while isinstance(value, ast.Attribute) and len(parts) <= _MAX_DOTTED:
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                parts.append(value.id)
                found.add(".".join(reversed(parts)))
            found.add(node.attr)
    return found


def string_constants(tree: ast.Module) -> Iterator[str]:
    """Every string literal, f-string pieces included (docstrings too: callers filter).

    An f-string is also yielded whole, each placeholder as ``{}``, so that
    ``f"UPDATE {TABLE} SET done = 1"`` reads as the SQL it sends.
    """
    for node in _walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            parts = node.values
            yield "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in parts)


def _called_names(tree: ast.Module) -> set[str]:
    called: set[str] = set()
    for node in _walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                called.add(func.id)
            elif isinstance(func, ast.Attribute):
                called.add(func.attr)
    return called


def _uses_any(tree: ast.Module, params: dict[str, Any]) -> tuple[bool, str]:
    wanted: list[str] = params["names"]
    # ``from sys import argv`` uses sys.argv as much as ``sys.argv`` does.
    from_imports = {f"{node.module}.{alias.name}" for node in _walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}
    seen = imported_modules(tree) | dotted_names(tree) | from_imports
    hits = [n for n in wanted if n in seen]
    return bool(hits), f"uses {', '.join(hits)}" if hits else f"none of {', '.join(wanted)}"


def _no_call(tree: ast.Module, params: dict[str, Any]) -> tuple[bool, str]:
    name: str = params["name"]
    calls = [n for n in _walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id == name]
    if calls:
        return False, f"calls {name}() on line {calls[0].lineno}"
    return True, f"never calls {name}()"


def _imports(tree: ast.Module, params: dict[str, Any]) -> tuple[bool, str]:
    wanted: list[str] = params["modules"]
    hits = sorted(imported_modules(tree) & set(wanted))
    return bool(hits), f"imports {', '.join(hits)}" if hits else f"does not import {wanted[0]}"


def _string_literal(tree: ast.Module, params: dict[str, Any]) -> tuple[bool, str]:
    value: str = params["value"]
    found = any(s.strip().lower() == value.lower() for s in string_constants(tree))
    return found, f"handles '{value}'" if found else f"no '{value}' command found"


def _string_matches(tree: ast.Module, params: dict[str, Any]) -> tuple[bool, str]:
    pattern = re.compile(params["pattern"])
    docstrings = _docstrings(tree)
    texts = [s for s in string_constants(tree) if id(s) not in docstrings]
    texts += sorted(dotted_names(tree)) if params.get("names", False) else []
    for text in texts:
        # A task's pattern may backtrack (``UPDATE.+SET``): on a hostile string of a million
        # characters that is quadratic. SQL and messages are short; their start is enough.
        if match := pattern.search(text[:_MAX_MATCHED]):
            return True, f"found {match.group(0)!r}"
    return False, params.get("missing", "not found")


def _has_node(tree: ast.Module, params: dict[str, Any]) -> tuple[bool, str]:
    kind = getattr(ast, params["node"])
    nodes = [n for n in _walk(tree) if isinstance(n, kind)]
    label = params.get("label", params["node"])
    return bool(nodes), f"{len(nodes)} {label}" if nodes else f"no {label}"


def _main_guard(tree: ast.Module, params: dict[str, Any]) -> tuple[bool, str]:
    for node in tree.body:
        if isinstance(node, ast.If) and any(_mentions_name_dunder(n) for n in ast.walk(node.test)):
            return True, "has if __name__ == '__main__'"
    return False, "no main guard"


def _mentions_name_dunder(node: ast.AST) -> bool:
    """``__name__`` as a name, an attribute or in a string (walked: ``ast.unparse`` recurses)."""
    if isinstance(node, ast.Name):
        return "__name__" in node.id
    if isinstance(node, ast.Attribute):
        return "__name__" in node.attr
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and "__name__" in node.value


def _docstrings(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in _walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value.value))
    return ids


CHECKS: dict[str, Check] = {
    "uses_any": _uses_any,
    "no_call": _no_call,
    "imports": _imports,
    "string_literal": _string_literal,
    "string_matches": _string_matches,
    "has_node": _has_node,
    "main_guard": _main_guard,
}


def run_check(name: str, tree: ast.Module, params: dict[str, Any]) -> tuple[bool, str]:
    """Run the named check; an unknown name is a task-file error, raised as KeyError."""
    return CHECKS[name](tree, params)
