"""task.toml checked strictly, like showdown.toml: every mistake one line naming the file, the
key and what is expected (before, unknown [limits] keys were dropped silently)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from showdown.errors import TaskError
from showdown.tasks.loader import load_task

TOML = '''id = "hello"
kind = "program"
prompt_file = "prompt.md"
program_file = "hello.py"
{extra}
[limits]
timeout_s = 5
{limits}
[[features]]
id = "guard"
check = "main_guard"
{feature}
[[tests]]
id = "hi"
steps = [{{ args = ["Ada"], stdout_has = ["hello Ada"] {step} }}]
'''


def folder(tmp_path: Path, **parts: Any) -> Path:
    (tmp_path / "prompt.md").write_text("Write hello.py.\n", encoding="utf-8")
    fields = {"extra": "", "limits": "", "feature": "", "step": ""} | parts
    (tmp_path / "task.toml").write_text(TOML.format(**fields), encoding="utf-8")
    return tmp_path


def refusal(tmp_path: Path, **parts: Any) -> str:
    with pytest.raises(TaskError) as caught:
        load_task(folder(tmp_path, **parts))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "task.toml"))
    return message


def test_a_good_task_loads_with_its_limits(tmp_path: Path) -> None:
    task = load_task(folder(tmp_path, limits="memory_mb = 256"))
    assert (task.id, task.limits.timeout_s, task.limits.memory_mb) == ("hello", 5, 256)


def test_an_unknown_limit_is_refused_naming_the_allowed_ones(tmp_path: Path) -> None:
    message = refusal(tmp_path, limits="memory = 256")
    assert "limits.memory: unknown key; expected one of timeout_s, max_output_bytes" in message


def test_a_bad_limit_value_is_refused(tmp_path: Path) -> None:
    assert "limits.memory_mb: expected a whole number above 0, got -1" in refusal(
        tmp_path, limits="memory_mb = -1")


def test_an_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, extra='program = "x.py"')
    assert ": program: unknown key; expected one of id, kind, title" in message
    assert "program_file" in message


def test_entries_are_checked_too(tmp_path: Path) -> None:
    assert "features[0].requires: expected a list of ids, got 'guard'" in refusal(
        tmp_path, feature='requires = "guard"')
    assert "tests[0].steps[0].stdout_hs: unknown key" in refusal(
        tmp_path, step=', stdout_hs = ["x"]')


def test_a_missing_prompt_file_is_one_line(tmp_path: Path) -> None:
    root = folder(tmp_path)
    (root / "prompt.md").unlink()
    with pytest.raises(TaskError, match=r"task\.toml: prompt_file: cannot read 'prompt.md'"):
        load_task(root)
