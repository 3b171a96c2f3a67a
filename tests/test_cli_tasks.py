"""Tests for ``showdown tasks``: the real command through click's test runner."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from showdown.cli import cli
from showdown.tasks.loader import BUILTIN_DIR, describe_tasks


def test_builtin_tasks_with_kinds_and_case_counts() -> None:
    rows = {row.id: row for row in describe_tasks()}
    assert {"todo-cli", "humaneval", "feature-in-repo", "feature-in-repo-2",
            "feature-in-repo-3"} <= set(rows)
    assert (rows["humaneval"].kind, rows["humaneval"].cases) == ("function", 164)
    assert (rows["feature-in-repo"].kind, rows["feature-in-repo"].cases) == ("repo", 1)
    assert (rows["todo-cli"].kind, rows["todo-cli"].cases) == ("program", 1)
    assert all(row.description and not row.problem for row in rows.values())


def test_tasks_command_lists_builtin_and_user_tasks(tmp_path: Path) -> None:
    mine = tmp_path / "my-todo"
    shutil.copytree(BUILTIN_DIR / "todo_cli", mine)
    toml = (mine / "task.toml").read_text(encoding="utf-8")
    (mine / "task.toml").write_text(toml.replace('id = "todo-cli"', 'id = "my-todo"'),
                                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["tasks", "--task-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for task_id in ("todo-cli", "humaneval", "feature-in-repo-3", "my-todo"):
        assert task_id in result.output
    assert "164" in result.output and "function" in result.output


def test_tasks_command_names_a_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["tasks", "--task-dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such task folder" in " ".join(result.output.split())  # rich wraps long lines


def test_a_broken_task_folder_is_reported_and_the_others_still_listed(tmp_path: Path) -> None:
    good = tmp_path / "my-todo"
    shutil.copytree(BUILTIN_DIR / "todo_cli", good)
    toml = (good / "task.toml").read_text(encoding="utf-8")
    (good / "task.toml").write_text(toml.replace('id = "todo-cli"', 'id = "my-todo"'),
                                    encoding="utf-8")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "task.toml").write_text("kind = [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["tasks", "--task-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "my-todo" in result.stdout and "todo-cli" in result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("warning: ") and "broken" in line and "not valid TOML" in line


def test_help_imports_no_provider_renderer_or_numeric_library() -> None:
    code = ("import sys; from click.testing import CliRunner; from showdown.cli import cli; "
            "CliRunner().invoke(cli, ['--help']); "
            "print(sorted(m for m in ('numpy', 'gguf', 'httpx', 'yaml', 'showdown.providers', "
            "'showdown.report', 'showdown.runner') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
