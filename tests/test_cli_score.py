"""``showdown score``: the real command in a subprocess, its JSON shape, tables and errors."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from showdown.extract import extract_code
from showdown.sandbox import default_sandbox

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "examples" / "answers"


def showdown(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m showdown`` from this checkout's sources, as a user's shell would."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "showdown", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@functools.cache
def score_json(name: str) -> dict[str, Any]:
    proc = showdown("score", "--json", ANSWERS / name)
    assert proc.returncode == 0, proc.stderr
    (data,) = json.loads(proc.stdout)  # always a list, even for one file
    assert isinstance(data, dict)
    return data


def test_json_has_the_documented_keys_and_types() -> None:
    data = score_json("clean.md")
    assert data["syntax_ok"] is True
    assert data["score"] == 100
    assert data["diagnoses"] == []
    assert data["isolation"] == default_sandbox().isolation
    assert data["path"] == str(ANSWERS / "clean.md")
    assert data["features"]["passed"] == data["features"]["total"] == 10
    assert data["functional"]["passed"] == data["functional"]["total"] == 7
    for check in data["features"]["checks"]:
        assert set(check) == {"name", "passed", "detail"}
        assert check["passed"] is True and check["detail"]
    answer = (ANSWERS / "clean.md").read_text(encoding="utf-8")
    assert data["code"] == extract_code(answer).code
    assert data["code_lines"] == 58
    assert isinstance(data["code_lines"], int)


def test_json_functional_tests_carry_their_commands() -> None:
    tests = score_json("clean.md")["functional"]["tests"]
    assert [t["name"] for t in tests] == [
        "add", "list_shows", "add_second", "complete", "delete", "unknown_id", "persists"]
    add = tests[0]
    assert set(add) == {"name", "passed", "detail", "commands"}
    command = add["commands"][0]
    assert command["argv"][-2:] == ["add", "Buy milk"]
    assert command["exit_code"] == 0
    assert command["stdout"] == "Added task 1: Buy milk\n"
    assert command["stderr"] == ""
    unknown = tests[5]["commands"][0]
    assert unknown["exit_code"] == 1
    assert "not found" in unknown["stderr"]


def test_json_diagnoses_are_code_and_message() -> None:
    data = score_json("interactive.md")
    assert data["diagnoses"] == [{"code": "interactive", "message": "calls input() on line 12"}]
    assert data["score"] == 24
    prose = score_json("prose-only.md")
    assert prose["syntax_ok"] is False
    assert prose["code"] == ""
    assert prose["code_lines"] == 0
    assert [d["code"] for d in prose["diagnoses"]] == ["no_code"]


def test_several_files_give_a_list(tmp_path: Path) -> None:
    code = extract_code((ANSWERS / "clean.md").read_text(encoding="utf-8")).code
    program = tmp_path / "todo.py"
    program.write_text(code, encoding="utf-8")
    proc = showdown("score", "--json", program, ANSWERS / "prose-only.md")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [(Path(r["path"]).name, r["score"]) for r in rows] == [
        ("todo.py", 100), ("prose-only.md", 0)]


def test_terminal_summary_shows_each_check_and_test() -> None:
    proc = showdown("score", ANSWERS / "complete-deletes.md")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "score 76/100" in out
    assert "Features 9/10" in out
    assert "Functional 4/7" in out
    assert "Syntax: pass" in out
    assert out.count("FAIL") == 4
    assert "Diagnoses: none" in out


def test_missing_file_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "a" / "rather" / "long" / "folder" / "name" / "for" / "a" / "missing.md"
    proc = showdown("score", missing)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"error: no such file: {missing} (give the path of a saved answer, .md or .py)"]


def test_unknown_task_is_one_error_line_and_exit_2() -> None:
    proc = showdown("score", "--task", "nope", ANSWERS / "clean.md")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "error: unknown task 'nope'; known tasks: feature-in-repo, feature-in-repo-2, "
        "feature-in-repo-3, humaneval, todo-cli"]


def test_task_dir_adds_a_task(tmp_path: Path) -> None:
    folder = tmp_path / "hello"
    folder.mkdir()
    (folder / "prompt.md").write_text("Write hello.py.\n", encoding="utf-8")
    (folder / "task.toml").write_text(
        'id = "hello"\nkind = "program"\nprompt_file = "prompt.md"\nprogram_file = "hello.py"\n'
        '[[features]]\nid = "guard"\ncheck = "main_guard"\n'
        '[[tests]]\nid = "hi"\nsteps = [{ args = ["Ada"], stdout_has = ["hello Ada"] }]\n',
        encoding="utf-8",
    )
    answer = tmp_path / "hello.md"
    answer.write_text("```python\nimport sys\nif __name__ == '__main__':\n"
                      "    print('hello', sys.argv[1])\n```\n", encoding="utf-8")
    proc = showdown("score", "--json", "--task", "hello", "--task-dir", tmp_path, answer)
    assert proc.returncode == 0, proc.stderr
    (data,) = json.loads(proc.stdout)
    assert (data["task"], data["score"]) == ("hello", 100)
