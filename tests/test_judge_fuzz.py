"""Fuzzing the judge with Hypothesis: random and hostile text in, invariants out, never a crash.

Answers are random text, random bytes decoded as ``showdown score`` decodes a file
(``errors="replace"``), and mixes of the pieces models and attackers write: fences (closed,
unclosed, nested, tilde), reasoning tags (paired, orphan, unclosed, any case), code, deep
nesting, huge lines, NULs, lone surrogates, CRLF. The tests are derandomized (the same
examples every run, so CI is deterministic) and kept small (``max_examples``).

Programs are never executed here: the sandbox is a stand-in that runs nothing, so the fuzz
exercises extraction, checks, diagnosis and scoring without running random code.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showdown.diagnose import diagnose_answer, is_repetitive, syntax_problem
from showdown.extract import extract_code, fenced_blocks, split_reasoning
from showdown.judge import judge_answer
from showdown.pyparse import parse
from showdown.records import ExecResult
from showdown.sandbox import Limits, Sandbox
from showdown.sandbox.base import DEFAULT_LIMITS
from showdown.tasks import Answer, find_task
from showdown.tasks.program import ProgramTask, static_checks

FUZZ = settings(max_examples=60, derandomize=True, deadline=timedelta(seconds=10),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ANSWER_CODES = {"truncated", "no_code", "syntax_error", "interactive", "repetition"}
VERDICT_CODES = ANSWER_CODES | {
    "answer_too_large", "crashed", "exited_early", "missing_dependency", "patch_failed",
    "tests_failed", "test_run_failed", "unsafe_path", "hidden_tests_failed",
    "existing_tests_broken", "timeout",
}

PIECES = [
    "```python\n", "```py\n", "```\n", "````\n", "~~~\n", "~~~python\n", "```bash\n",
    "```python bookmarks/db.py\n", "```diff\n", "```text ../../etc/passwd\n", "**app/x.py**\n",
    "<think>", "</think>", "<THINKING>", "</thinking>", "<reasoning>", "</Reasoning>",
    "import sys\n", "import sqlite3\n", "from x import y\n", "def main():\n", "    return 1\n",
    "class A:\n", "@decorator\n", "if __name__ == '__main__':\n", "    main()\n",
    "print(input())\n", "x = (\n", "'''\n", "\t\n", "\r\n", "\r", "\x00", "\x0c", "\u2028",
    "\ufeff", "\udc80", "\ud800", "Some prose here.\n", "  - a list item\n", "$ python todo.py add\n",
    "--- a/bookmarks/db.py\n+++ b/bookmarks/db.py\n@@ -1,2 +1,2 @@\n-x\n+y\n",
    "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+A = 1\n", "# file: bookmarks/cli.py\n",
    "x = " + " + ".join(["1"] * 3000) + "\n", "y = " + "-" * 5000 + "1\n",
    "z = " + "(" * 300 + ")" * 300 + "\n", "w = a" + ".b" * 3000 + "\n",
    "s = '" + "UPDATE " * 2000 + "'\n", "q = " + "9" * 5000 + "\n",
    "h" * 60_000, "same looping line here\n" * 40,
]

raw_bytes = st.binary(max_size=2000).map(lambda b: b.decode("utf-8", errors="replace"))
lone_surrogates = st.integers(0xD800, 0xDFFF).map(chr)
pieces = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=40), lone_surrogates),
                  max_size=30).map("".join)
answers = st.one_of(st.text(max_size=400), raw_bytes, pieces)


class DryRun(Sandbox):
    """Runs nothing: every command "exits 1" at once, as a program that does nothing right."""

    isolation = "dry-run"

    def exec(self, argv: Sequence[str], *, workdir: Path, limits: Limits = DEFAULT_LIMITS,
             stdin: bytes | None = None) -> ExecResult:
        return ExecResult(list(argv), 1, "", "", 0.0)


def _lines_within(part: str, whole: str) -> bool:
    """Whether ``part``'s lines appear, in a row, among ``whole``'s lines."""
    return "\n".join(part.splitlines()) in "\n".join(whole.splitlines())


@FUZZ
@given(answers)
def test_extraction_never_raises_and_code_comes_from_the_answer(answer: str) -> None:
    text, reasoning = split_reasoning(answer)
    extraction = extract_code(answer)
    assert extraction.reasoning == reasoning
    assert extraction.source in {"fence", "unfenced", "none"}
    if extraction.source == "fence":
        assert extraction.code.endswith("\n")
        assert extraction.code.rstrip() in text  # a block's body, as written, reasoning removed
        assert 1 <= extraction.blocks == len(fenced_blocks(text))
    elif extraction.source == "unfenced":
        assert _lines_within(extraction.code, text)
    else:
        assert extraction.code == ""


@FUZZ
@given(answers, answers, st.sampled_from(["think", "thinking", "reasoning", "THINK"]))
def test_reasoning_never_leaks_into_the_code(before: str, after: str, tag: str) -> None:
    secret = "SECRET_REASONING_MARK"
    answer = f"{before}<{tag}>\n```python\nprint('{secret}')\n```\n</{tag}>{after}"
    text, reasoning = split_reasoning(answer)
    extraction = extract_code(answer)
    assert secret not in text and secret not in extraction.code
    assert secret in reasoning


@FUZZ
@given(answers, st.sampled_from([None, "stop", "length"]))
def test_diagnoses_are_from_the_known_set(answer: str, finish: str | None) -> None:
    found = diagnose_answer(answer, extract_code(answer), finish)
    assert {d.code for d in found} <= ANSWER_CODES
    assert all(d.message for d in found)
    assert isinstance(is_repetitive(answer), bool)


@FUZZ
@given(answers)
def test_parse_and_syntax_problem_agree(code: str) -> None:
    tree = parse(code)
    problem = syntax_problem(code)
    assert (problem is None) == isinstance(tree, ast.Module)
    if problem is not None:
        assert problem[0]


@FUZZ
@given(answers)
def test_static_checks_never_raise_on_code_that_parses(answer: str) -> None:
    task = find_task("todo-cli")
    assert isinstance(task, ProgramTask)
    tree = parse(extract_code(answer).code)
    if isinstance(tree, ast.Module):
        results = static_checks(tree, task.features)
        assert [r.name for r in results] == [f.id for f in task.features]


@FUZZ
@given(answers, st.sampled_from(["todo-cli", "humaneval", "feature-in-repo"]))
def test_every_task_kind_gives_a_verdict_without_the_safety_net(answer: str, task_id: str) -> None:
    task = find_task(task_id)
    case = "HumanEval/0" if task_id == "humaneval" else None
    verdict = judge_answer(task, Answer(answer), DryRun(), case)
    codes = {d.code for d in verdict.diagnoses}
    assert "judge_error" not in codes, verdict.diagnoses
    assert codes <= VERDICT_CODES
    assert 0 <= verdict.score < 100  # nothing ran, so no test passed
