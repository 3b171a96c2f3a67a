"""The ``program`` task kind: one file, judged by static checks and by running it as a CLI.

Static checks and step expectations are pure; the only side effect is the sandbox's ``exec``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from showdown import diagnose
from showdown.checks import CHECKS, run_check
from showdown.extract import Extraction, extract_code
from showdown.pyparse import parse
from showdown.records import CheckResult, ExecResult, TestRun, Verdict
from showdown.sandbox import Sandbox
from showdown.sandbox.base import scratch_dir
from showdown.sandbox.python import python_argv
from showdown.scoring import score
from showdown.tasks.base import Answer, Task
from showdown.tasks.seeding import (
    Seeding,
    draw_values,
    new_seed,
    place_movable,
    seeding_from,
    substitute,
)

__all__ = ["Feature", "FunctionalTest", "ProgramTask", "Step", "check_step", "count_required",
           "static_checks"]

_TRACEBACK = "Traceback (most recent call last)"
_SKIPPED = "skipped: the program waits for keyboard input (interactive)"


@dataclass(frozen=True)
class Feature:
    """One static check as the task file names it."""

    id: str
    title: str
    check: str
    params: dict[str, Any]
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One command of a functional test and what its result must show."""

    args: list[str]
    exit: str = "zero"  # "zero", "nonzero" or "any"
    stdout_has: list[str] = field(default_factory=list)
    stdout_lacks: list[str] = field(default_factory=list)
    line_with: str | None = None
    line_matches: str | None = None
    line_not_matches: str | None = None
    line_changed: bool = False
    message: bool = False


@dataclass(frozen=True)
class FunctionalTest:
    """A functional test: its steps, and the tests that must count for it to count."""

    id: str
    title: str
    steps: list[Step]
    requires: tuple[str, ...] = ()


def static_checks(tree: ast.Module, features: list[Feature]) -> list[CheckResult]:
    """Run every feature check on the parsed program (pure)."""
    results = []
    for feature in features:
        passed, detail = run_check(feature.check, tree, feature.params)
        results.append(CheckResult(feature.id, passed, f"{feature.title}: {detail}"))
    return results


def _find_line(stdout: str, needle: str) -> str | None:
    lowered = needle.lower()
    return next((ln for ln in stdout.splitlines() if lowered in ln.lower()), None)


def check_step(step: Step, run: ExecResult, previous_line: str | None) -> str | None:
    """Why a step's result is wrong, or None when it is right (pure)."""
    if run.timed_out:
        return "timed out"
    if run.limit_hit == "interactive":
        return "waited for keyboard input (interactive)"
    code = run.exit_code
    if step.exit == "zero" and code != 0:
        return f"exit code {code}, expected 0"
    if step.exit == "nonzero" and code == 0:
        return "exit code 0, expected an error (non-zero)"
    if step.exit == "nonzero" and _TRACEBACK in run.stderr:
        # A program that crashes (a missing module, any uncaught exception) exits non-zero
        # for every command; that is not the error it was asked to report.
        return f"exit code {code} from an uncaught exception, not a reported error"
    if step.message and not (run.stdout.strip() or run.stderr.strip()):
        return f"exit code {code} with no message saying what went wrong"
    out = run.stdout.lower()
    for text in step.stdout_has:
        if text.lower() not in out:
            return f"output lacks {text!r}"
    for text in step.stdout_lacks:
        if text.lower() in out:
            return f"output still shows {text!r}"
    if step.line_with is None:
        return None
    line = _find_line(run.stdout, step.line_with)
    if line is None:
        return f"no line shows {step.line_with!r}"
    if step.line_changed and previous_line is not None and line.strip() == previous_line.strip():
        return f"the line for {step.line_with!r} did not change: {line.strip()!r}"
    if step.line_matches and not re.search(step.line_matches, line):
        return f"the line {line.strip()!r} does not show it done"
    if step.line_not_matches and re.search(step.line_not_matches, line):
        return f"the line {line.strip()!r} still shows it not done"
    return None


def count_required(checks: list[CheckResult], tests: list[TestRun],
                   requires: dict[str, tuple[str, ...]]) -> None:
    """Fail, in place, every check or test that passed but needs a test that does not count.

    A negative check earns nothing on its own: "no input()" from a program that does nothing,
    "an unknown id is an error" from one that always fails. Repeated to a fixed point, so a
    need of a need counts too (pure apart from updating the records given).
    """
    items: list[CheckResult | TestRun] = [*checks, *tests]
    by_test = {t.name: t for t in tests}
    changed = True
    while changed:
        changed = False
        for item in items:
            needed = [by_test[r] for r in requires.get(item.name, ()) if r in by_test]
            missing = [t.name for t in needed if not t.passed]
            if item.passed and missing:
                item.passed = False
                item.detail = f"not counted: needs {', '.join(missing)} to pass ({item.detail})"
                changed = True


class ProgramTask(Task):
    """A single-file program run as a command-line tool by functional tests."""

    kind = "program"

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        super().__init__(root, data)
        self.program_file: str = data.get("program_file", "main.py")
        self._prompt = (root / data["prompt_file"]).read_text(encoding="utf-8")
        self.features = [_feature(f) for f in data.get("features", [])]
        self.tests = [_test(t) for t in data.get("tests", [])]
        self.seeding: Seeding = seeding_from(data.get("seeding", {}))

    @property
    def prompt(self) -> str:
        return str(self._prompt)

    def plan(self, seed: int) -> list[FunctionalTest]:
        """The functional tests as judging ``seed`` runs them: values drawn, movable ones placed."""
        values = draw_values(self.seeding, seed)
        tests = [replace(t, title=substitute(t.title, values),
                         steps=[_fill(s, values) for s in t.steps]) for t in self.tests]
        return place_movable(tests, [t.id for t in tests], self.seeding, seed)

    def judge(self, answer: Answer, sandbox: Sandbox, case: str | None = None,
              seed: int | None = None) -> Verdict:
        extraction = (
            Extraction(answer.text, "", "file", "python")
            if answer.is_code_file
            else extract_code(answer.text)
        )
        code = extraction.code
        found = diagnose.diagnose_answer(answer.text, extraction, answer.finish_reason)
        tree = parse(code) if code.strip() else None
        verdict = Verdict(
            task=self.id,
            syntax_ok=isinstance(tree, ast.Module),
            code=code,
            code_lines=len([ln for ln in code.splitlines() if ln.strip()]),
            isolation=sandbox.isolation,
            seed=new_seed() if seed is None else seed,
        )
        tests = self.plan(verdict.seed or 0)
        if isinstance(tree, ast.Module):
            verdict.features = static_checks(tree, self.features)
            verdict.functional = self._run_tests(code, sandbox, tests)
            requires = {f.id: f.requires for f in self.features} | {t.id: t.requires
                                                                      for t in tests}
            count_required(verdict.features, verdict.functional, requires)
        else:
            # Checking an empty tree would "pass" negative checks such as no input() call.
            verdict.features = [CheckResult(f.id, False, f"{f.title}: not checked (no code that "
                                            "compiles)") for f in self.features]
            verdict.functional = [TestRun(t.id, False, "not run: the code does not compile")
                                  for t in tests]
        runs = [c for t in verdict.functional for c in t.commands]
        verdict.diagnoses = diagnose.merge(found, diagnose.diagnose_runs(runs))
        verdict.score = score(
            verdict.syntax_ok,
            verdict.features_passed,
            len(verdict.features),
            verdict.functional_passed,
            len(verdict.functional),
        )
        return verdict

    def _run_tests(self, code: str, sandbox: Sandbox,
                   tests: list[FunctionalTest]) -> list[TestRun]:
        results: list[TestRun] = []
        # The line for each needle as the same command last printed it: ``line_changed`` must
        # compare one ``list`` with the previous ``list``, not with what ``complete`` echoed.
        last_lines: dict[tuple[tuple[str, ...], str], str] = {}
        interactive = False
        with scratch_dir({self.program_file: code}) as workdir:
            for test in tests:
                if interactive:
                    # Each further command would wait for input too: seconds for nothing.
                    results.append(TestRun(test.id, False, _SKIPPED))
                    continue
                runs: list[ExecResult] = []
                failure: str | None = None
                for step in test.steps:
                    # -S: the program gets the standard library only, as the prompt says,
                    # whatever happens to be installed beside showdown.
                    argv = python_argv(self.program_file, *step.args)
                    run = sandbox.exec(argv, workdir=workdir, limits=self.limits)
                    runs.append(run)
                    key = (tuple(step.args), step.line_with or "")
                    previous = last_lines.get(key) if step.line_with else None
                    failure = check_step(step, run, previous)
                    _remember_lines(last_lines, step.args, run.stdout, tests)
                    interactive = run.limit_hit == "interactive"
                    if failure:
                        break
                results.append(TestRun(test.id, failure is None, failure or "ok", runs))
        return results


def _remember_lines(
    last: dict[tuple[tuple[str, ...], str], str],
    args: list[str],
    stdout: str,
    tests: list[FunctionalTest],
) -> None:
    for test in tests:
        for step in test.steps:
            if step.line_with and (line := _find_line(stdout, step.line_with)) is not None:
                last[(tuple(args), step.line_with)] = line


def _feature(data: dict[str, Any]) -> Feature:
    if data["check"] not in CHECKS:
        raise KeyError(f"features.check {data['check']!r}; expected one of {sorted(CHECKS)}")
    params = {k: v for k, v in data.items() if k not in ("id", "title", "check", "requires")}
    return Feature(data["id"], data.get("title", data["id"]), data["check"], params,
                   tuple(data.get("requires", ())))


def _test(data: dict[str, Any]) -> FunctionalTest:
    steps = [Step(**s) for s in data["steps"]]
    return FunctionalTest(data["id"], data.get("title", data["id"]), steps,
                          tuple(data.get("requires", ())))


def _fill(step: Step, values: dict[str, str]) -> Step:
    """``step`` with the judging's values in its arguments and expectations."""
    return replace(step, args=substitute(step.args, values),
                   stdout_has=substitute(step.stdout_has, values),
                   stdout_lacks=substitute(step.stdout_lacks, values),
                   line_with=substitute(step.line_with, values))
