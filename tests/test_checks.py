"""Static checks: each named check on small programs, and the todo-cli task's checks as data."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from showdown.checks import (
    CHECKS,
    dotted_names,
    imported_modules,
    run_check,
    string_constants,
)
from showdown.tasks import find_task
from showdown.tasks.program import ProgramTask

UPDATE = {"pattern": r"(?is)\bUPDATE\b.+\bSET\b", "missing": "no UPDATE"}


def check(check_name: str, source: str, **params: Any) -> tuple[bool, str]:
    return run_check(check_name, ast.parse(source), params)


def todo_feature(feature_id: str, source: str) -> bool:
    """Run one of the shipped todo-cli task's checks, with the parameters its task file gives."""
    task = find_task("todo-cli")
    assert isinstance(task, ProgramTask)
    feature = next(f for f in task.features if f.id == feature_id)
    passed, _ = run_check(feature.check, ast.parse(source), feature.params)
    return passed


def test_imported_modules_top_level_names() -> None:
    tree = ast.parse("import os.path\nimport sqlite3 as db\nfrom argparse import ArgumentParser\n"
                     "from . import sibling\n")
    assert imported_modules(tree) == {"os", "sqlite3", "argparse"}


def test_dotted_names() -> None:
    names = dotted_names(ast.parse("x = sys.argv[1]\nos.path.join(a)\n"))
    assert {"sys.argv", "os.path.join", "x", "a", "argv"} <= names


def test_string_constants_include_fstring_pieces_and_the_whole() -> None:
    strings = set(string_constants(ast.parse('f"UPDATE {T} SET done = {d}"\n')))
    assert "UPDATE " in strings
    assert "UPDATE {} SET done = {}" in strings


def test_uses_any() -> None:
    names = ["argparse", "sys.argv"]
    assert check("uses_any", "import argparse\n", names=names) == (True, "uses argparse")
    assert check("uses_any", "import sys\nprint(sys.argv[1])\n", names=names)[0]
    assert check("uses_any", "from sys import argv\nprint(argv)\n", names=names)[0]
    passed, detail = check("uses_any", "import sys\nsys.exit(1)\n", names=names)
    assert not passed
    assert detail == "none of argparse, sys.argv"


def test_no_call() -> None:
    assert check("no_call", "x = 1\n", name="input") == (True, "never calls input()")
    assert check("no_call", "a = 1\nb = input('> ')\n", name="input") == (
        False, "calls input() on line 2")
    # A method that happens to be called input is not the builtin.
    assert check("no_call", "form.input('x')\n", name="input")[0]


def test_imports() -> None:
    assert check("imports", "import sqlite3\n", modules=["sqlite3"]) == (True, "imports sqlite3")
    assert check("imports", "from sqlite3 import connect\n", modules=["sqlite3"])[0]
    assert check("imports", "import json\n", modules=["sqlite3"]) == (
        False, "does not import sqlite3")


def test_string_literal_matches_whole_stripped_value_case_insensitively() -> None:
    assert check("string_literal", "p.add_parser('Add ')\n", value="add")[0]
    assert not check("string_literal", "print('address')\n", value="add")[0]
    assert not check("string_literal", "# 'add' in a comment only\nx = 1\n", value="add")[0]


def test_string_matches_ignores_docstrings_and_comments() -> None:
    source = 'def complete(c, i):\n    """Runs UPDATE tasks SET done."""\n    # UPDATE t SET x\n'
    assert check("string_matches", source, **UPDATE) == (False, "no UPDATE")
    code = 'def complete(c, i):\n    c.execute("UPDATE tasks SET done = 1 WHERE id = ?", (i,))\n'
    assert check("string_matches", code, **UPDATE) == (True, "found 'UPDATE tasks SET'")


def test_string_matches_reads_fstring_sql_with_a_table_placeholder() -> None:
    code = 'T = "tasks"\ndef f(c, i):\n    c.execute(f"UPDATE {T} SET done = 1 WHERE id = {i}")\n'
    assert check("string_matches", code, **UPDATE)[0]


def test_string_matches_names_only_when_asked() -> None:
    code = "if cur.rowcount == 0:\n    raise SystemExit(1)\n"
    assert check("string_matches", code, pattern="rowcount", names=True)[0]
    assert not check("string_matches", code, pattern="rowcount")[0]


def test_has_node() -> None:
    code = "try:\n    x = 1\nexcept ValueError:\n    pass\n"
    assert check("has_node", code, node="Try", label="try/except blocks") == (
        True, "1 try/except blocks")
    assert check("has_node", "x = 1\n", node="Try") == (False, "no Try")


def test_main_guard() -> None:
    assert check("main_guard", "if __name__ == '__main__':\n    main()\n")[0]
    assert not check("main_guard", "def f():\n    if __name__ == '__main__':\n        pass\n")[0]


def test_unknown_check_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        run_check("no_such_check", ast.parse(""), {})
    assert "uses_any" in CHECKS


# --- the todo-cli task's checks, as its task file configures them -----------------------


def test_todo_not_found_path() -> None:
    assert todo_feature("not_found", 'print(f"Task {i} not found")\n')
    assert todo_feature("not_found", 'print("Error: no task with id 3")\n')
    assert todo_feature("not_found", "if cur.rowcount == 0:\n    raise SystemExit(1)\n")
    # An empty-list message is not a path for a bad id.
    assert not todo_feature("not_found", 'print("No tasks.")\n')
    assert not todo_feature("not_found", 'print("No tasks found")\n')


def test_todo_completion_state_needs_an_update() -> None:
    assert todo_feature("completion_state", 'c.execute("UPDATE todos SET done=1 WHERE id=?")\n')
    assert not todo_feature("completion_state", 'c.execute("DELETE FROM todos WHERE id=?")\n')


def test_todo_commands_and_cli_args() -> None:
    source = "import sys\ncmd = sys.argv[1]\nadd = cmd == 'add'\nshow = cmd == 'list'\n"
    assert todo_feature("cli_args", source)
    assert todo_feature("cmd_add", source)
    assert todo_feature("cmd_list", source)
    assert not todo_feature("cmd_delete", source)
