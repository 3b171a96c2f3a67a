"""Tests for the ``function`` task kind: HumanEval's data, program building and real runs."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from showdown.records import Verdict
from showdown.sandbox import ProcessSandbox
from showdown.tasks import Answer, TaskError, find_task, load_task
from showdown.tasks.function import (
    FunctionTask,
    Problem,
    build_program,
    defines_function,
    parse_problems,
    select_problems,
)

ADD = Problem(
    task_id="Mini/0",
    prompt='from typing import List\n\n\ndef add(xs: List[int]) -> int:\n    """Sum xs."""\n',
    entry_point="add",
    test="def check(candidate):\n"
         "    assert candidate([1, 2]) == 3\n    assert candidate([]) == 0\n",
    canonical_solution="    return sum(xs)\n",
)
SPIN = Problem("Mini/1", "def spin() -> None:\n    pass\n", "spin",
               "def check(candidate):\n    candidate()\n")


@pytest.fixture(scope="module")
def humaneval() -> FunctionTask:
    task = find_task("humaneval")
    assert isinstance(task, FunctionTask)
    return task


@pytest.fixture()
def mini(tmp_path: Path) -> FunctionTask:
    """A user's own function task in HumanEval's format, with a short timeout."""
    rows = [ADD, SPIN]
    (tmp_path / "problems.jsonl").write_text(
        "\n".join(json.dumps(p.__dict__) for p in rows) + "\n", encoding="utf-8")
    (tmp_path / "prompt.md").write_text("Finish it:\n{prompt}", encoding="utf-8")
    (tmp_path / "task.toml").write_text(
        'id = "mini"\nkind = "function"\ndata = "problems.jsonl"\nprompt_file = "prompt.md"\n'
        "[limits]\ntimeout_s = 2\n", encoding="utf-8")
    task = load_task(tmp_path)
    assert isinstance(task, FunctionTask)
    return task


def judge(task: FunctionTask, text: str, case: str) -> Verdict:
    return task.judge(Answer(text), ProcessSandbox(), case)


def test_parse_problems_names_the_bad_line() -> None:
    with pytest.raises(TaskError, match=r"p\.jsonl:2: missing key\(s\) test"):
        parse_problems('{"task_id":"a","prompt":"","entry_point":"f","test":""}\n'
                       '{"task_id":"b","prompt":"","entry_point":"f"}', "p.jsonl")
    with pytest.raises(TaskError, match=r"p\.jsonl:1: not valid JSON"):
        parse_problems("{nope", "p.jsonl")


def test_select_by_id_number_and_limit() -> None:
    problems = [ADD, SPIN]
    assert select_problems(problems, only=["Mini/1"]) == [SPIN]
    assert select_problems(problems, only=["0"]) == [ADD]
    assert select_problems(problems, limit=1) == [ADD]
    with pytest.raises(TaskError, match="no such problem"):
        select_problems(problems, only=["7"])


def test_whole_function_goes_after_the_prompt() -> None:
    program = build_program(ADD, "def add(xs):\n    return sum(xs)\n\n"
                                 "if __name__ == '__main__':\n    print(add(input()))\n")
    assert program.startswith(ADD.prompt.rstrip())  # keeps the prompt's `from typing` import
    assert "def add(xs):\n    return sum(xs)" in program
    assert "__main__" not in program and "input()" not in program


def test_body_is_appended_and_indented_when_flush_left() -> None:
    assert build_program(ADD, ADD.canonical_solution) == ADD.prompt + ADD.canonical_solution
    assert build_program(ADD, "total = sum(xs)\nreturn total\n") == (
        ADD.prompt + "    total = sum(xs)\n    return total\n")
    assert defines_function(build_program(ADD, "return 0\n"), "add")
    assert not defines_function("def other():\n    pass\n", "add")


def test_user_task_cases_and_prompt(mini: FunctionTask) -> None:
    cases = mini.cases()
    assert [c.id for c in cases] == ["Mini/0", "Mini/1"]
    assert cases[0].prompt == "Finish it:\n" + ADD.prompt
    with pytest.raises(TaskError, match="name the case"):
        mini.problem(None)


def test_right_and_wrong_answers(mini: FunctionTask) -> None:
    right = judge(mini, "```python\ndef add(xs):\n    return sum(xs)\n```", "Mini/0")
    assert (right.score, right.functional_passed, right.diagnoses) == (100, 1, [])
    wrong = judge(mini, "```python\ndef add(xs):\n    return 0\n```", "Mini/0")
    assert wrong.score == 0 and not wrong.functional[0].passed
    assert wrong.functional[0].detail == "AssertionError"
    assert [d.code for d in wrong.diagnoses] == ["tests_failed"]


def test_timeout_syntax_error_and_no_code(mini: FunctionTask) -> None:
    hang = judge(mini, "```python\ndef spin():\n    while True:\n        pass\n```", "Mini/1")
    assert hang.score == 0 and hang.functional[0].detail == "timed out"
    assert "timeout" in [d.code for d in hang.diagnoses]
    broken = judge(mini, "```python\ndef add(xs:\n    return 1\n```", "Mini/0")
    assert not broken.syntax_ok and broken.functional[0].detail.startswith("not run")
    assert "syntax_error" in [d.code for d in broken.diagnoses]
    empty = judge(mini, "I cannot help with that.", "Mini/0")
    assert empty.score == 0 and [d.code for d in empty.diagnoses] == ["no_code"]


def test_missing_package_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "prompt.md").write_text("{prompt}", encoding="utf-8")
    (tmp_path / "task.toml").write_text(
        'id = "x"\nkind = "function"\ndata = "package:no_such_pkg_showdown/p.jsonl"\n'
        'prompt_file = "prompt.md"\n', encoding="utf-8")
    with pytest.raises(TaskError, match="no_such_pkg_showdown"):
        load_task(tmp_path).cases()


def test_humaneval_has_164_cases(humaneval: FunctionTask) -> None:
    cases = humaneval.cases()
    assert len(cases) == 164 and cases[0].id == "HumanEval/0" and cases[-1].id == "HumanEval/163"
    assert "def has_close_elements(" in cases[0].prompt
    assert cases[0].prompt.startswith("Complete the following Python function.")
    assert [c.id for c in humaneval.cases(limit=3, only=["5", "HumanEval/7", "2"])] == [
        "HumanEval/2", "HumanEval/5", "HumanEval/7"]


def test_humaneval_canonical_solutions_all_pass(humaneval: FunctionTask) -> None:
    sandbox = ProcessSandbox()

    def canonical(case: str) -> Verdict:
        problem = humaneval.problem(case)
        answer = f"```python\n{problem.prompt}{problem.canonical_solution}```"
        return humaneval.judge(Answer(answer), sandbox, case)

    ids = [c.id for c in humaneval.cases()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        verdicts = dict(zip(ids, pool.map(canonical, ids), strict=True))
    failed = {i: v.functional[0].detail for i, v in verdicts.items() if v.score != 100}
    assert failed == {}
    assert len(verdicts) == 164


def test_humaneval_obviously_wrong_solution_fails(humaneval: FunctionTask) -> None:
    wrong = "```python\ndef has_close_elements(numbers, threshold):\n    return False\n```"
    verdict = humaneval.judge(Answer(wrong), ProcessSandbox(), "HumanEval/0")
    assert verdict.syntax_ok and verdict.score == 0
    assert verdict.functional[0].commands[0].exit_code not in (0, None)


@pytest.mark.parametrize("exit_call", [
    "import os; os._exit(0)", "import sys; sys.exit(0)", "exit(0)", "raise SystemExit",
])
def test_exiting_before_the_tests_run_is_not_a_pass(mini: FunctionTask, exit_call: str) -> None:
    # The answer ends the process with status 0 before check(add) is ever called.
    answer = f"```python\ndef add(xs):\n    return 0\n\n\n{exit_call}\n```"
    verdict = judge(mini, answer, "Mini/0")
    assert verdict.score == 0 and not verdict.functional[0].passed
    # The answer's process ended; the checker (another process) says so and exits 1.
    assert verdict.functional[0].commands[0].exit_code == 1
    # An exit at module level can only end the tests early: tampering, with its line.
    assert [d.code for d in verdict.diagnoses] == ["tampering", "exited_early"]
    assert "line 5: exits" in verdict.diagnoses[0].message
    assert "before the unit tests ran" in verdict.functional[0].detail


def test_exiting_inside_the_function_is_not_a_pass(mini: FunctionTask) -> None:
    answer = "```python\ndef add(xs):\n    import os\n    os._exit(0)\n```"
    verdict = judge(mini, answer, "Mini/0")
    assert verdict.score == 0 and "exited_early" in [d.code for d in verdict.diagnoses]


def test_output_without_a_newline_still_passes(mini: FunctionTask) -> None:
    # The end-of-tests marker starts its own line whatever the function printed last.
    answer = "```python\ndef add(xs):\n    print('summing', end='')\n    return sum(xs)\n```"
    assert judge(mini, answer, "Mini/0").score == 100


def test_humaneval_forged_exit_scores_zero(humaneval: FunctionTask) -> None:
    forged = ("```python\ndef has_close_elements(numbers, threshold):\n    return False\n\n\n"
              "import os; os._exit(0)\n```")
    verdict = humaneval.judge(Answer(forged), ProcessSandbox(), "HumanEval/0")
    assert verdict.syntax_ok and verdict.score == 0
