"""The ``program`` task kind: each shipped example answer judged end to end in real processes."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest

from showdown.records import ExecResult, Verdict
from showdown.sandbox import ProcessSandbox
from showdown.tasks import Answer, TaskError, find_task
from showdown.tasks.program import ProgramTask, Step, check_step
from showdown.tasks.seeding import draw_values

ANSWERS = Path(__file__).resolve().parents[1] / "examples" / "answers"
FEATURE_IDS = ["cli_args", "no_input", "sqlite", "cmd_add", "cmd_list", "cmd_complete",
               "cmd_delete", "error_handling", "not_found", "completion_state"]
TEST_IDS = ["add", "list_shows", "add_second", "complete", "delete", "unknown_id", "persists"]

# name: (score, features passed, functional passed, failed feature ids, failed test ids, codes)
EXPECTED: dict[str, tuple[int, int, int, set[str], set[str], list[str]]] = {
    "clean": (100, 10, 7, set(), set(), []),
    "bash-first": (100, 10, 7, set(), set(), []),
    "reasoning-draft": (100, 10, 7, set(), set(), []),
    "home-db": (100, 10, 7, set(), set(), []),
    "unfenced": (100, 10, 7, set(), set(), []),
    "complete-deletes": (76, 9, 4, {"completion_state"}, {"complete", "delete", "persists"}, []),
    # "no input()" counts only for a program that handles commands; this one handles none
    # (it dies importing colorama), so 59 before issue #13, 53 since.
    "colorama": (53, 9, 0, {"no_input"}, set(TEST_IDS), ["missing_dependency"]),
    "interactive": (
        24, 4, 0,
        {"cli_args", "no_input", "cmd_add", "cmd_list", "cmd_complete", "cmd_delete"},
        set(TEST_IDS), ["interactive"],
    ),
    "truncated": (0, 0, 0, set(FEATURE_IDS), set(TEST_IDS), ["truncated", "syntax_error"]),
    "prose-only": (0, 0, 0, set(FEATURE_IDS), set(TEST_IDS), ["no_code"]),
}


def todo_task() -> ProgramTask:
    task = find_task("todo-cli")
    assert isinstance(task, ProgramTask)
    return task


# One seed for the shared judgings, so tests can name what it drew (any seed scores the same).
SEED = 20261130
V = draw_values(todo_task().seeding, SEED)


@functools.cache
def judged(name: str) -> Verdict:
    """Judge one example answer once per test session (each judging spawns ~11 processes)."""
    text = (ANSWERS / f"{name}.md").read_text(encoding="utf-8")
    return todo_task().judge(Answer(text), ProcessSandbox(), seed=SEED)


def test_every_example_answer_has_an_expectation() -> None:
    assert {p.stem for p in ANSWERS.glob("*.md")} == set(EXPECTED)


def test_todo_task_is_the_seeds_round_2_task() -> None:
    task = todo_task()
    assert "NOT interactive input" in task.prompt
    assert all(cmd in task.prompt for cmd in ("add", "list", "complete", "delete"))
    assert [f.id for f in task.features] == FEATURE_IDS
    assert [t.id for t in task.tests] == TEST_IDS
    assert task.limits.timeout_s == 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_answer_scores_as_expected(name: str) -> None:
    score, features, functional, bad_features, bad_tests, codes = EXPECTED[name]
    verdict = judged(name)
    assert verdict.score == score
    assert (verdict.features_passed, len(verdict.features)) == (features, 10)
    assert (verdict.functional_passed, len(verdict.functional)) == (functional, 7)
    assert {c.name for c in verdict.features if not c.passed} == bad_features
    assert {t.name for t in verdict.functional if not t.passed} == bad_tests
    assert [d.code for d in verdict.diagnoses] == codes
    assert verdict.isolation == "process"


def test_functional_tests_record_argv_exit_code_and_output() -> None:
    verdict = judged("clean")
    runs = {t.name: t.commands for t in verdict.functional}
    assert [len(runs[t]) for t in TEST_IDS] == [1, 1, 2, 2, 2, 1, 2]
    add = runs["add"][0]
    assert add.argv[-3:] == ["todo.py", "add", V["name1"]]
    assert (add.exit_code, add.stdout, add.stderr) == (0, f"Added task 1: {V['name1']}\n", "")
    listed = runs["complete"][1]
    assert listed.argv[-1] == "list"
    assert f"  {V['done_id']} [x] {V['done_name']}" in listed.stdout.splitlines()
    unknown = runs["unknown_id"][0]
    assert unknown.argv[-2:] == ["complete", V["unknown_id"]]
    assert unknown.exit_code == 1
    assert unknown.stderr == f"Error: task {V['unknown_id']} not found\n"
    assert verdict.seed == SEED
    for run in (r for rs in runs.values() for r in rs):
        assert not run.timed_out and not run.stdout_truncated and run.duration_s > 0


def test_complete_that_deletes_fails_where_a_user_would_see_it() -> None:
    detail = {t.name: t.detail for t in judged("complete-deletes").functional}
    assert detail["complete"] == f"no line shows {V['done_name']!r}"
    assert detail["delete"] == f"output lacks {V['done_name']!r}"


def test_interactive_answer_is_stopped_at_its_first_read_and_the_rest_skipped() -> None:
    verdict = judged("interactive")
    runs = [r for t in verdict.functional for r in t.commands]
    # The first command blocks reading stdin (a pipe nobody writes to) and is stopped there;
    # every later command would do the same, so none is started.
    assert len(runs) == 1
    assert runs[0].limit_hit == "interactive" and not runs[0].timed_out
    assert verdict.diagnoses[0].message == "calls input() on line 12"
    details = [t.detail for t in verdict.functional]
    assert details[0] == "waited for keyboard input (interactive)"
    assert all(d.startswith("skipped: ") for d in details[1:])


def test_missing_dependency_names_the_module() -> None:
    verdict = judged("colorama")
    assert verdict.diagnoses[0].message == "needs module 'colorama'"
    assert all("No module named 'colorama'" in t.commands[0].stderr for t in verdict.functional)


def test_home_database_lives_in_the_fresh_home(tmp_path: Path) -> None:
    real_db = Path(os.path.expanduser("~")) / ".todo.db"
    before = real_db.stat().st_mtime_ns if real_db.exists() else None
    verdict = judged("home-db")
    assert verdict.score == 100
    after = real_db.stat().st_mtime_ns if real_db.exists() else None
    assert before == after, "the program under test wrote to the real ~/.todo.db"


def test_each_judging_starts_from_an_empty_folder() -> None:
    # A second judging of the same home-db answer would see 'Buy milk' twice and 'Call mom'
    # from the first if HOME were shared (the seed's Kimi K2 lost a point that way).
    text = (ANSWERS / "home-db.md").read_text(encoding="utf-8")
    again = todo_task().judge(Answer(text), ProcessSandbox(), seed=SEED)
    assert again.score == 100
    first_list = next(t for t in again.functional if t.name == "list_shows").commands[0]
    assert first_list.stdout.count(V["name1"]) == 1
    assert V["name3"] not in first_list.stdout


def test_reasoning_answer_is_judged_on_final_code_only() -> None:
    verdict = judged("reasoning-draft")
    assert "UPDATE todos SET done = 1" in verdict.code
    assert "DELETE FROM t WHERE" not in verdict.code


def test_py_file_is_judged_as_code() -> None:
    code = (ANSWERS / "clean.md").read_text(encoding="utf-8").split("```python\n")[1]
    code = code.split("```")[0]
    verdict = todo_task().judge(Answer(code, is_code_file=True), ProcessSandbox())
    assert verdict.score == 100
    assert verdict.code == code


NO_COMMIT = '''import sqlite3
import sys

conn = sqlite3.connect("todo.db")
conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, text TEXT, done INTEGER)")


def main():
    cmd = sys.argv[1]
    try:
        if cmd == "add":
            conn.execute("INSERT INTO t (text, done) VALUES (?, 0)", (sys.argv[2],))
            conn.commit()
        elif cmd == "list":
            for i, text, done in conn.execute("SELECT id, text, done FROM t"):
                print(f"{i}. {text} [done: {'yes' if done else 'no'}]")
        elif cmd == "complete":
            row = conn.execute("SELECT text FROM t WHERE id = ?", (int(sys.argv[2]),)).fetchone()
            if row is None:
                print("Task not found")
                sys.exit(1)
            conn.execute("UPDATE t SET done = 1 WHERE id = ?", (int(sys.argv[2]),))
            print(f"Completed: {row[0]}")  # but never committed
        elif cmd == "delete":
            conn.execute("DELETE FROM t WHERE id = ?", (int(sys.argv[2]),))
            conn.commit()
    except ValueError:
        sys.exit(1)


if __name__ == "__main__":
    main()
'''


def test_complete_that_never_commits_fails_though_it_echoes_the_task() -> None:
    verdict = todo_task().judge(Answer(NO_COMMIT, is_code_file=True), ProcessSandbox(),
                                seed=SEED)
    failed = {t.name: t.detail for t in verdict.functional if not t.passed}
    line = f"{V['done_id']}. {V['done_name']} [done: no]"
    assert failed == {
        "complete": f"the line for {V['done_name']!r} did not change: {line!r}"}
    assert verdict.score == 94


# --- a small task of our own: timeouts and task-file errors -------------------------------


def tiny_task(tmp_path: Path, **extra: Any) -> ProgramTask:
    (tmp_path / "prompt.md").write_text("Write hello.py.\n", encoding="utf-8")
    data: dict[str, Any] = {
        "id": "hello", "kind": "program", "prompt_file": "prompt.md",
        "program_file": "hello.py", "limits": {"timeout_s": 1},
        "features": [{"id": "guard", "check": "main_guard"}],
        "tests": [{"id": "hi", "steps": [{"args": ["hi"], "stdout_has": ["hello hi"]}]}],
    }
    return ProgramTask.from_data(tmp_path, data | extra)


def test_a_program_that_hangs_is_killed_and_diagnosed(tmp_path: Path) -> None:
    code = "import time\nif __name__ == '__main__':\n    time.sleep(60)\n"
    verdict = tiny_task(tmp_path).judge(Answer(code, is_code_file=True), ProcessSandbox())
    run = verdict.functional[0].commands[0]
    assert run.timed_out and run.exit_code is None
    assert verdict.functional[0].detail == "timed out"
    assert [d.code for d in verdict.diagnoses] == ["timeout"]
    assert verdict.score == 50


def test_task_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(TaskError, match=r"task\.toml"):
        tiny_task(tmp_path, features=[{"id": "x", "check": "no_such_check"}])
    with pytest.raises(TaskError, match=r"task\.toml"):
        ProgramTask.from_data(tmp_path, {"id": "x", "kind": "program"})


# --- check_step, pure ----------------------------------------------------------------------


def ran(code: int | None, stdout: str = "", stderr: str = "", **kw: Any) -> ExecResult:
    return ExecResult(["python", "todo.py"], code, stdout, stderr, 0.01, **kw)


def test_check_step_exit_codes() -> None:
    assert check_step(Step(["add", "x"]), ran(0), None) is None
    assert check_step(Step(["add", "x"]), ran(2), None) == "exit code 2, expected 0"
    assert check_step(Step(["x"], exit="nonzero"), ran(0), None) == (
        "exit code 0, expected an error (non-zero)")
    assert check_step(Step(["x"], exit="nonzero"), ran(1, stderr="Error: not found\n"),
                      None) is None
    assert check_step(Step(["x"], exit="any"), ran(3), None) is None
    assert check_step(Step(["x"]), ran(None, timed_out=True), None) == "timed out"


def test_check_step_a_crash_is_not_a_reported_error() -> None:
    crash = "Traceback (most recent call last):\n  File ...\nIndexError: list index out of range\n"
    assert check_step(Step(["complete", "99"], exit="nonzero"), ran(1, stderr=crash), None) == (
        "exit code 1 from an uncaught exception, not a reported error")


def test_check_step_output_has_and_lacks_case_insensitively() -> None:
    step = Step(["list"], stdout_has=["Buy milk"], stdout_lacks=["Walk the dog"])
    assert check_step(step, ran(0, "1 buy MILK\n"), None) is None
    assert check_step(step, ran(0, "1 Eggs\n"), None) == "output lacks 'Buy milk'"
    assert check_step(step, ran(0, "Buy milk\nWalk the dog\n"), None) == (
        "output still shows 'Walk the dog'")


def test_check_step_line_shows_done_and_changed() -> None:
    step = Step(["list"], line_with="Buy milk", line_changed=True,
                line_matches=r"(?i)\[x\]|\bdone\b", line_not_matches=r"\[ \]")
    assert check_step(step, ran(0, "1 [x] Buy milk\n"), "1 [ ] Buy milk") is None
    assert check_step(step, ran(0, "1 [ ] Buy milk\n"), "1 [ ] Buy milk") == (
        "the line for 'Buy milk' did not change: '1 [ ] Buy milk'")
    assert check_step(step, ran(0, "1 (*) Buy milk\n"), "1 ( ) Buy milk") == (
        "the line '1 (*) Buy milk' does not show it done")
    assert check_step(step, ran(0, "1 [ ] Buy milk done?\n"), "1 [ ] Buy milk") == (
        "the line '1 [ ] Buy milk done?' still shows it not done")
    assert check_step(step, ran(0, "nothing\n"), None) == "no line shows 'Buy milk'"


def test_exit_and_quit_builtins_work_as_under_plain_python() -> None:
    """`python -S` drops exit()/quit(); the launcher puts them back so a correct program that
    calls exit(1) on a bad id is not marked down (seen in real answers)."""
    clean = (ANSWERS / "clean.md").read_text()
    with_exit = clean.replace('sys.exit(f"Error: task {task_id} not found")',
                              'print(f"Error: task {task_id} not found"); exit(1)')
    assert with_exit != clean
    verdict = find_task("todo-cli").judge(Answer(with_exit), ProcessSandbox())
    assert verdict.score == 100, [t.detail for t in verdict.functional if not t.passed]
    assert verdict.diagnoses == []
