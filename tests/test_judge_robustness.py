"""Hostile answers get a verdict, never a crash: deep nesting, huge answers, 100,000 fences,
unclosed reasoning, text no file can hold, and a judge that breaks mid-way.

Each answer is built here. Sizes are chosen so that a quadratic regression would take minutes
(and show in benchmarks/bench_extract.py), while the linear code takes well under a second.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from httpfake import fake_server
from test_runner import answer_stream, plan_for

from showdown.checks import CHECKS, run_check
from showdown.diagnose import diagnose_answer, syntax_problem
from showdown.extract import extract_code, fenced_blocks, split_reasoning
from showdown.judge import MAX_ANSWER_CHARS, judge_answer, score_file
from showdown.pyparse import MAX_SOURCE_CHARS, compiles, parse
from showdown.records import ExecResult, Verdict
from showdown.report.style import style_metrics
from showdown.runner import benchmark, plan_from_run
from showdown.sandbox import Limits, ProcessSandbox, Sandbox, SandboxUnavailable
from showdown.sandbox.base import DEFAULT_LIMITS
from showdown.store import Store
from showdown.tasks import Answer, find_task
from showdown.tasks.repo_edit import MAX_HUNKS, MAX_PATHS, apply_edit, parse_answer

ROOT = Path(__file__).resolve().parents[1]
CLEAN = (ROOT / "examples" / "answers" / "clean.md").read_text(encoding="utf-8")


def fenced(code: str, info: str = "python") -> str:
    return f"Here is the program.\n\n```{info}\n{code}\n```\n"


# Python's parser gives up on these (3.11: RecursionError, MemoryError) — 8 to 24 KB each.
DEEP = {
    "plus": "x = " + " + ".join(["1"] * 4000),
    "minus": "x = " + "- " * 6000 + "1",
    "not": "x = " + "not " * 5000 + "1",
    "attr": "x = a" + ".b" * 5000,
}


def codes(verdict: Verdict) -> list[str]:
    return [d.code for d in verdict.diagnoses]


def message(verdict: Verdict, code: str) -> str:
    return next(d.message for d in verdict.diagnoses if d.code == code)


# --- the parser ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_does_not_compile_and_says_why(name: str) -> None:
    failure = parse(DEEP[name])
    assert not isinstance(failure, ast.Module)
    assert failure.kind == "too_deep"
    assert not compiles(DEEP[name])
    problem = syntax_problem(DEEP[name])
    assert problem is not None and problem[0].startswith("too_deep: nested too deeply")


def test_text_python_cannot_read_does_not_compile() -> None:
    for code in ("x = '\ud800'\n", "x = 1\x00\n", "x = " + "9" * 5000 + "\n", "\ufeffx = 1\n"):
        assert syntax_problem(code) is not None, repr(code[:20])


def test_code_over_the_parse_bound_is_not_parsed() -> None:
    code = "x = 1\n" * (MAX_SOURCE_CHARS // 6 + 1)
    failure = parse(code)
    assert not isinstance(failure, ast.Module) and failure.kind == "too_large"


# --- every task kind, in process ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_gets_a_verdict_on_todo_cli(name: str) -> None:
    verdict = judge_answer(find_task("todo-cli"), Answer(fenced(DEEP[name])), ProcessSandbox())
    assert verdict.score == 0 and not verdict.syntax_ok
    assert "nested too deeply" in message(verdict, "syntax_error")
    assert all(not f.passed for f in verdict.features)  # "no input()" is not earned either


def test_deep_nesting_gets_a_verdict_on_humaneval() -> None:
    answer = fenced("def has_close_elements(numbers, threshold):\n    return " + DEEP["plus"][4:])
    verdict = judge_answer(find_task("humaneval"), Answer(answer), ProcessSandbox(), "HumanEval/0")
    assert verdict.score == 0 and not verdict.syntax_ok
    assert "nested too deeply" in message(verdict, "syntax_error")


def test_deep_nesting_gets_a_verdict_on_a_repo_task() -> None:
    answer = fenced(DEEP["minus"], "python bookmarks/db.py")
    verdict = judge_answer(find_task("feature-in-repo"), Answer(answer), ProcessSandbox())
    assert verdict.score == 0 and not verdict.syntax_ok
    assert "bookmarks/db.py: too_deep" in message(verdict, "syntax_error")


def test_deep_but_parseable_code_is_checked_without_recursion() -> None:
    """2,000 levels parse (and would run); ast.unparse and naive walks would recurse."""
    code = ("import sys, sqlite3\n\n\ndef add():\n    pass\n\n\n"
            "if __name__" + " + x" * 2000 + " == '__main__':\n    y = a" + ".b" * 2000 + "\n"
            "    z = " + " + ".join(["'UPDATE '"] * 2000) + "\n")
    tree = parse(code)
    assert isinstance(tree, ast.Module)
    params = {"names": ["sys.argv"], "name": "input", "modules": ["sqlite3"], "value": "add",
              "pattern": r"(?is)\bUPDATE\b.+\bSET\b", "node": "Try"}
    for name in CHECKS:
        passed, detail = run_check(name, tree, params)
        assert isinstance(passed, bool) and detail
    assert run_check("main_guard", tree, {}) == (True, "has if __name__ == '__main__'")
    assert style_metrics(code) is not None


def test_a_backtracking_pattern_on_a_million_character_string_finishes() -> None:
    """``UPDATE.+SET`` over 150,000 UPDATEs and no SET is quadratic: hours, unbounded."""
    tree = ast.parse(f"SQL = {'UPDATE ' * 150_000!r}\n")
    passed, detail = run_check("string_matches", tree, {"pattern": r"(?is)\bUPDATE\b.+\bSET\b",
                                                        "missing": "no UPDATE ... SET"})
    assert (passed, detail) == (False, "no UPDATE ... SET")


# --- huge and degenerate answers ------------------------------------------------------------


def test_an_answer_over_the_limit_is_refused_unjudged() -> None:
    loop = "```python\nprint('again')\n```\n" * (MAX_ANSWER_CHARS // 28 + 10)
    verdict = judge_answer(find_task("todo-cli"), Answer(loop, "length"), ProcessSandbox())
    assert verdict.score == 0 and not verdict.syntax_ok
    assert codes(verdict) == ["answer_too_large", "truncated", "repetition"]
    assert f"over the {MAX_ANSWER_CHARS:,} characters" in message(verdict, "answer_too_large")
    assert verdict.functional == [] and verdict.features == []


def test_an_answer_at_the_limit_is_judged() -> None:
    prose = "No code today, only words. " * (MAX_ANSWER_CHARS // 27)
    assert len(prose) <= MAX_ANSWER_CHARS
    verdict = judge_answer(find_task("todo-cli"), Answer(prose), ProcessSandbox())
    assert "answer_too_large" not in codes(verdict)
    assert "no_code" in codes(verdict)


def test_a_file_far_over_the_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("w", encoding="utf-8") as file:
        file.write("```python\n")
        file.truncate(5 * MAX_ANSWER_CHARS)  # sparse: five MiB of NULs, nothing stored
    verdict = score_file(path, find_task("todo-cli"), ProcessSandbox())
    assert codes(verdict)[0] == "answer_too_large"
    assert f"{5 * MAX_ANSWER_CHARS:,} bytes" in message(verdict, "answer_too_large")


def test_a_hundred_thousand_fences() -> None:
    answer = "".join(f"```\nv{i} = {i}\n```\n" for i in range(100_000))
    blocks = fenced_blocks(answer)
    assert len(blocks) == 100_000
    extraction = extract_code(answer)
    # Every block parses and has one line: the last one wins, as before.
    assert extraction.code == "v99999 = 99999\n" and extraction.blocks == 100_000
    assert diagnose_answer(answer, extraction, None) == []


def test_a_hundred_thousand_broken_fences_still_pick_one() -> None:
    answer = "".join(f"```python\ndef f{i}(:\n```\n" for i in range(100_000))
    extraction = extract_code(answer)
    assert extraction.code == "def f99999(:\n"
    assert "syntax_error" in [d.code for d in diagnose_answer(answer, extraction, None)]


def test_thousands_of_unclosed_think_tags() -> None:
    answer = "Intro.\n" + "<think> still thinking\n" * 20_000
    text, reasoning = split_reasoning(answer)
    assert text == "Intro."
    assert reasoning.count("<think>") == 19_999
    verdict = judge_answer(find_task("todo-cli"), Answer(answer), ProcessSandbox())
    assert "no_code" in codes(verdict) and verdict.score == 0


def test_unfenced_megabyte_of_code_over_the_parse_bound() -> None:
    answer = "import sys\n" + "def f(:\n    pass\n" * (MAX_SOURCE_CHARS // 16)
    extraction = extract_code(answer)
    assert extraction.source == "unfenced"
    found = diagnose_answer(answer, extraction, None)
    assert [d.code for d in found][:1] == ["syntax_error"]
    assert found[0].message.startswith("too_large:")


def test_lone_surrogates_and_nuls_are_judged() -> None:
    answer = fenced("import sys\nprint('\ud800\udfff')\x00\n") + "\ud83d tail"
    verdict = judge_answer(find_task("todo-cli"), Answer(answer), ProcessSandbox())
    assert verdict.score == 0 and "syntax_error" in codes(verdict)
    repo = judge_answer(find_task("feature-in-repo"),
                        Answer(fenced("\ud800 notes", "text NOTES.md")), ProcessSandbox())
    assert "judge_error" not in codes(repo)


def test_a_diff_against_a_huge_repetitive_file_is_matched_in_linear_time() -> None:
    """Comparing at every index would take 40,000 x 20,000 line comparisons (minutes)."""
    big = "x = 1\n" * 40_000
    context = " x = 1\n" * 20_000
    answer = (fenced(big, "python big.py") + "```diff\n--- a/big.py\n+++ b/big.py\n"
              f"@@ -1,3 +1,3 @@\n{context}-y = 2\n+z = 3\n```\n")
    applied = apply_edit({}, parse_answer(answer))
    assert applied.problems == ["hunk 1 of big.py does not match"]
    fits = answer.replace("-y = 2\n", "-x = 1\n")
    applied = apply_edit({}, parse_answer(fits))
    assert applied.problems == []
    assert applied.files["big.py"].splitlines()[19_999:20_002] == ["x = 1", "z = 3", "x = 1"]


def test_an_answer_may_not_write_thousands_of_files() -> None:
    answer = "".join(f"```python pkg/m{i}.py\nA = {i}\n```\n" for i in range(5000))
    applied = apply_edit({}, parse_answer(answer))
    assert len(applied.changed) == MAX_PATHS
    assert applied.problems == [f"refused 4800 change(s) beyond the {MAX_PATHS} files and "
                                f"{MAX_HUNKS} diff hunks one answer may make (first: pkg/m200.py)"]


# --- the safety net -------------------------------------------------------------------------


class BrokenSandbox(Sandbox):
    """A sandbox whose every run fails as a harness fault would (the disk filled up)."""

    isolation = "broken"

    def exec(self, argv: Sequence[str], *, workdir: Path, limits: Limits = DEFAULT_LIMITS,
             stdin: bytes | None = None) -> ExecResult:
        raise OSError(28, "No space left on device")


class GoneSandbox(BrokenSandbox):
    def exec(self, argv: Sequence[str], *, workdir: Path, limits: Limits = DEFAULT_LIMITS,
             stdin: bytes | None = None) -> ExecResult:
        raise SandboxUnavailable("bwrap vanished")


def test_anything_that_breaks_the_judge_is_a_judge_error_verdict() -> None:
    verdict = judge_answer(find_task("todo-cli"), Answer(CLEAN), BrokenSandbox())
    assert codes(verdict) == ["judge_error"]
    assert verdict.score == 0 and not verdict.syntax_ok and verdict.isolation == "broken"
    text = message(verdict, "judge_error")
    assert text.startswith("judging failed: OSError in tasks/program.py:")
    assert "No space left on device" in text


def test_a_missing_sandbox_still_stops_the_judge() -> None:
    with pytest.raises(SandboxUnavailable):
        judge_answer(find_task("todo-cli"), Answer(CLEAN), GoneSandbox())


# --- the commands a user runs ----------------------------------------------------------------


def showdown(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "showdown", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(("task", "case", "answer"), [
    ("todo-cli", None, fenced(DEEP["plus"])),
    ("humaneval", "HumanEval/0", fenced("def has_close_elements(n, t):\n    return " + "-" * 6000 + "1")),
    ("feature-in-repo", None, fenced(DEEP["attr"], "python bookmarks/store.py")),
])
def test_showdown_score_gives_a_verdict_for_deep_nesting(tmp_path: Path, task: str,
                                                         case: str | None, answer: str) -> None:
    path = tmp_path / "deep.md"
    path.write_text(answer, encoding="utf-8")
    args: list[str | Path] = ["score", "--json", "--allow-weak-isolation", "--task", task, path]
    proc = showdown(*args, *(["--case", case] if case else []))
    assert proc.returncode == 0, proc.stderr  # as for any failing answer
    assert "Traceback" not in proc.stderr
    (data,) = json.loads(proc.stdout)  # score --json is always a list
    assert data["score"] == 0 and data["syntax_ok"] is False
    found = {d["code"]: d["message"] for d in data["diagnoses"]}
    assert "too_deep" in found["syntax_error"]
    tables = showdown(*[a for a in args if a != "--json"], *(["--case", case] if case else []))
    assert tables.returncode == 0 and "too_deep" in tables.stdout, tables.stderr


def test_a_run_stores_the_hostile_answer_and_goes_on(tmp_path: Path) -> None:
    """Before: the run was marked interrupted, the generation lost, later models never ran."""
    deep = fenced(DEEP["minus"])
    routes = {"POST /deep/v1/chat/completions": lambda p, b: answer_stream(deep),
              "POST /good/v1/chat/completions": lambda p, b: answer_stream(CLEAN)}
    store = Store(tmp_path / "s.db")
    with fake_server(routes) as server:
        run, results = benchmark(plan_for(server.url, names=("deep", "good")), store,
                                 ProcessSandbox())
    assert run.status == "finished"
    hostile, good = results
    assert hostile.generation.text == deep  # the generation is kept
    assert hostile.verdict is not None and "syntax_error" in codes(hostile.verdict)
    assert good.verdict is not None and good.verdict.score == 100
    assert store.results(run_ids=[run.run_id]) == results


def test_a_run_whose_judge_breaks_stores_a_judge_error_and_resumes(tmp_path: Path) -> None:
    routes = {f"POST /{n}/v1/chat/completions": (lambda p, b: answer_stream(CLEAN))
              for n in ("first", "second")}
    store = Store(tmp_path / "s.db")
    with fake_server(routes) as server:
        plan = plan_for(server.url, names=("first", "second"))
        run, results = benchmark(plan, store, BrokenSandbox())
        assert run.status == "finished"
        assert [codes(r.verdict) for r in results if r.verdict] == [["judge_error"]] * 2
        # Pretend it was cut short after the first model; --resume finishes the rest.
        run.trials, run.status = 2, "interrupted"
        store.save_run(run)
        again = store.last_unfinished()
        assert again is not None
        resumed, rest = benchmark(plan_from_run(again), store, BrokenSandbox(), resume=again)
    assert resumed.status == "finished"
    assert [(r.model, r.trial) for r in rest] == [("first", 2), ("second", 2)]
    assert all(r.verdict is not None and codes(r.verdict) == ["judge_error"] for r in rest)


def test_every_diagnosis_code_is_documented_in_the_readme() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    found = set(re.findall(r'Diagnosis\(\s*"([a-z_]+)"', source))
    assert {"judge_error", "answer_too_large", "syntax_error"} <= found
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [c for c in sorted(found) if f"`{c}`" not in readme] == []
