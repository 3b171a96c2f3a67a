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
from showdown.tasks import find_task
from showdown.tasks.program import ProgramTask
from showdown.tasks.seeding import draw_values

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "examples" / "answers"
SEED = 7


def drawn(seed: int) -> dict[str, str]:
    """The names and ids judging ``seed`` uses in the todo-cli tests."""
    task = find_task("todo-cli")
    assert isinstance(task, ProgramTask)
    return draw_values(task.seeding, seed)


def showdown(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m showdown`` from this checkout's sources, as a user's shell would."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "showdown", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@functools.cache
def score_json(name: str) -> dict[str, Any]:
    proc = showdown("score", "--json", "--seed", str(SEED), ANSWERS / name)
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
    assert data["seed"] == SEED


def test_json_functional_tests_carry_their_commands() -> None:
    tests = {t["name"]: t for t in score_json("clean.md")["functional"]["tests"]}
    assert set(tests) == {
        "add", "list_shows", "add_second", "complete", "delete", "unknown_id", "persists"}
    values = drawn(SEED)
    add = tests["add"]
    assert set(add) == {"name", "passed", "detail", "commands"}
    command = add["commands"][0]
    assert command["argv"][-2:] == ["add", values["name1"]]
    assert command["exit_code"] == 0
    assert command["stdout"] == f"Added task 1: {values['name1']}\n"
    assert command["stderr"] == ""
    unknown = tests["unknown_id"]["commands"][0]
    assert unknown["argv"][-2:] == ["complete", values["unknown_id"]]
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


def test_each_judging_draws_a_seed_and_records_it() -> None:
    first, second = (showdown("score", "--json", ANSWERS / "clean.md") for _ in range(2))
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    seeds = [json.loads(p.stdout)[0]["seed"] for p in (first, second)]
    assert all(isinstance(s, int) for s in seeds) and seeds[0] != seeds[1]
    # The recorded seed replays that judging: the same names, in the same commands.
    again = showdown("score", "--json", "--seed", str(seeds[0]), ANSWERS / "clean.md")
    argv = [[c["argv"][-2:] for t in json.loads(p.stdout)[0]["functional"]["tests"]
             for c in t["commands"]] for p in (first, again)]
    assert argv[0] == argv[1]
    assert ["add", drawn(seeds[0])["name1"]] in argv[0]


def test_a_bad_seed_is_one_error_line_and_exit_2() -> None:
    proc = showdown("score", "--seed", "-3", ANSWERS / "clean.md")
    assert proc.returncode == 2
    assert "--seed" in proc.stderr and "Traceback" not in proc.stderr
