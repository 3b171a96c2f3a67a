"""The ``function`` task kind: complete one function, judged by the problem's unit tests.

Built for HumanEval's data format (JSON lines with ``task_id``, ``prompt``, ``entry_point``,
``test`` and optionally ``canonical_solution``), so any problem set in that format is a task.
Turning an answer into a test program is pure; the only side effect is the sandbox's ``exec``.
"""

from __future__ import annotations

import ast
import dataclasses
import gzip
import importlib.resources
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from showdown import diagnose
from showdown.extract import Extraction, extract_code
from showdown.pyparse import parse
from showdown.records import Diagnosis, ExecResult, TestRun, Verdict
from showdown.sandbox import Sandbox
from showdown.sandbox.base import scratch_dir
from showdown.sandbox.python import python_argv
from showdown.tasks.base import Answer, Case, Task, TaskError

__all__ = [
    "FunctionTask",
    "Problem",
    "build_program",
    "defines_function",
    "parse_problems",
    "passed",
    "program_with_tests",
    "select_problems",
]

_PACKAGE = "package:"
_TEST_FILE = "solution_test.py"
_REQUIRED = ("task_id", "prompt", "entry_point", "test")


@dataclass(frozen=True)
class Problem:
    """One function to complete and the unit tests that judge it."""

    task_id: str
    prompt: str
    entry_point: str
    test: str
    canonical_solution: str = ""


def parse_problems(text: str, source: str) -> list[Problem]:
    """Problems from JSON-lines text; ``source`` names the file in errors (pure)."""
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TaskError(f"{source}:{number}: not valid JSON ({exc})") from exc
        missing = [key for key in _REQUIRED if key not in row]
        if missing:
            raise TaskError(f"{source}:{number}: missing key(s) {', '.join(missing)}")
        fields = {key: str(row[key]) for key in _REQUIRED}
        solution = str(row.get("canonical_solution", ""))
        problems.append(Problem(**fields, canonical_solution=solution))
    return problems


def select_problems(
    problems: list[Problem], limit: int | None = None, only: list[str] | None = None
) -> list[Problem]:
    """The problems ``only`` names ("HumanEval/3" or just "3"), then the first ``limit``."""
    chosen = problems
    if only:
        wanted = {w.strip() for w in only if w.strip()}
        chosen = [p for p in problems if p.task_id in wanted or _number(p.task_id) in wanted]
        found = {p.task_id for p in chosen} | {_number(p.task_id) for p in chosen}
        unknown = sorted(wanted - found)
        if unknown:
            raise TaskError(f"no such problem(s): {', '.join(unknown)}")
    return chosen[:limit] if limit is not None else chosen


def _number(task_id: str) -> str:
    return task_id.rsplit("/", 1)[-1]


def defines_function(code: str, name: str) -> bool:
    """Whether ``code`` parses and defines ``name`` at its top level."""
    tree = parse(code)
    return isinstance(tree, ast.Module) and any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
        for node in tree.body)


def _drop_main_block(code: str) -> str:
    """Remove a top-level ``if __name__ == "__main__":`` block: a demo, not the function."""
    tree = parse(code)
    if not isinstance(tree, ast.Module):
        return code
    lines = code.splitlines(keepends=True)
    for node in reversed(tree.body):
        test = node.test if isinstance(node, ast.If) else None
        if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
                and test.left.id == "__name__" and node.end_lineno is not None):
            del lines[node.lineno - 1 : node.end_lineno]
    return "".join(lines)


def build_program(problem: Problem, code: str) -> str:
    """The module an answer stands for (pure).

    A whole function (the code defines ``entry_point``) goes after the problem's prompt, so the
    prompt's imports and helper functions stay defined and the answer's definition wins. Code
    that does not define it is taken as the body and appended to the prompt, indented if the
    model wrote it flush left.
    """
    if defines_function(code, problem.entry_point):
        return problem.prompt.rstrip("\n") + "\n\n\n" + _drop_main_block(code)
    lines = code.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if first and not first[0].isspace():
        code = "".join(f"    {ln}\n" if ln.strip() else "\n" for ln in lines)
    return problem.prompt + code


def program_with_tests(problem: Problem, program: str, token: str) -> str:
    """The program the sandbox runs: the answer's module, the problem's tests, the call, ``token``.

    Exit status 0 alone is no proof the tests ran: the answer's code comes first, and an
    ``exit(0)``/``os._exit(0)`` there (or in the function) ends the process with 0 before or
    during ``check``. So the program prints ``token`` on a line of its own once ``check``
    returns, and only a run whose last line of output is that token passes (``passed``).
    """
    # The leading newline: the token starts its own line whatever the function printed last.
    marker = "\n" + token
    return (f"{program.rstrip()}\n\n\n{problem.test.strip()}\n\n\n"
            f"check({problem.entry_point})\nprint({marker!r})\n")


def passed(run: ExecResult, token: str) -> bool:
    """Whether a run got through every test: exit status 0 and ``token`` as its last line."""
    return run.exit_code == 0 and not run.timed_out and _last_line(run.stdout) == token


class FunctionTask(Task):
    """Complete one function per problem; each problem is a case judged by its unit tests."""

    kind = "function"

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        super().__init__(root, data)
        self.data_ref: str = data["data"]
        self.template: str = (root / data["prompt_file"]).read_text(encoding="utf-8")
        if "{prompt}" not in self.template:
            raise KeyError("prompt_file must contain the placeholder {prompt}")
        self._problems: dict[str, Problem] | None = None

    @property
    def prompt(self) -> str:
        """The template every problem's prompt is put into (at ``{prompt}``)."""
        return self.template

    @property
    def problems(self) -> dict[str, Problem]:
        """Every problem by id, read from the data file on first use."""
        if self._problems is None:
            raw = _read_data(self.root, self.data_ref)
            text = gzip.decompress(raw).decode() if self.data_ref.endswith(".gz") else raw.decode()
            self._problems = {p.task_id: p for p in parse_problems(text, self.data_ref)}
        return self._problems

    def cases(self, limit: int | None = None, only: list[str] | None = None) -> list[Case]:
        chosen = select_problems(list(self.problems.values()), limit, only)
        return [Case(p.task_id, self.template.replace("{prompt}", p.prompt, 1)) for p in chosen]

    def problem(self, case: str | None) -> Problem:
        """The problem a case id names; None is allowed only when there is one problem."""
        if case is None:
            if len(self.problems) != 1:
                raise TaskError(f"{self.id} has {len(self.problems)} problems; name the case")
            return next(iter(self.problems.values()))
        chosen = select_problems(list(self.problems.values()), only=[case])
        return chosen[0]

    def judge(self, answer: Answer, sandbox: Sandbox, case: str | None = None) -> Verdict:
        problem = self.problem(case)
        extraction = (Extraction(answer.text, "", "file", "python") if answer.is_code_file
                      else extract_code(answer.text))
        code = extraction.code
        program = build_program(problem, code) if code.strip() else ""
        found = diagnose.diagnose_answer(answer.text, dataclasses.replace(extraction, code=program),
                                         answer.finish_reason)
        verdict = Verdict(
            task=self.id,
            syntax_ok=bool(program) and diagnose.syntax_problem(program) is None,
            code=program,
            code_lines=len([ln for ln in code.splitlines() if ln.strip()]),
            isolation=sandbox.isolation,
        )
        if not verdict.syntax_ok:
            not_run = "not run: the code does not compile"
            verdict.functional = [TestRun(problem.task_id, False, not_run)]
            verdict.diagnoses = found
            return verdict
        # A fresh token per run, so no answer can know it in advance. What this does not stop:
        # code that deliberately digs the token out of its own process (reads the test file,
        # searches the interpreter's memory) -- anything in one interpreter can; that is a cheat
        # a reader of the code sees, not an early exit that scores by accident or by a shortcut.
        token = f"showdown-tests-done-{secrets.token_hex(16)}"
        run = self._run(program_with_tests(problem, program, token), sandbox)
        ok = passed(run, token)
        verdict.functional = [TestRun(problem.task_id, ok, _detail(run, ok), [run])]
        verdict.diagnoses = diagnose.merge(found, [] if ok else _run_diagnoses(run))
        verdict.score = 100 if ok else 0
        return verdict

    def _run(self, source: str, sandbox: Sandbox) -> ExecResult:
        with scratch_dir({_TEST_FILE: source}) as workdir:
            # -S: the standard library only, whatever is installed beside showdown.
            return sandbox.exec(python_argv(_TEST_FILE), workdir=workdir,
                                limits=self.limits)


def _read_data(root: Path, ref: str) -> bytes:
    """The data file's bytes: ``package:NAME/path`` inside an installed package, else a path."""
    if not ref.startswith(_PACKAGE):
        try:
            return (root / ref).read_bytes()
        except FileNotFoundError as exc:
            raise TaskError(f"{root / 'task.toml'}: data file {ref!r} not found") from exc
    package, _, inner = ref[len(_PACKAGE):].partition("/")
    try:
        return importlib.resources.files(package).joinpath(inner).read_bytes()
    except ModuleNotFoundError as exc:
        raise TaskError(f"task data {ref!r} needs the Python package {package!r}; "
                        "install it into showdown's environment") from exc
    except FileNotFoundError as exc:
        raise TaskError(f"task data {ref!r}: no such file in package {package!r}") from exc


_EARLY = "exited with status 0 before the unit tests finished"


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def _detail(run: ExecResult, ok: bool) -> str:
    if run.timed_out:
        return "timed out"
    if ok:
        return "ok"
    if run.exit_code == 0:
        return _EARLY
    return _last_line(run.stderr) or f"exit code {run.exit_code}"


def _run_diagnoses(run: ExecResult) -> list[Diagnosis]:
    """A failed assertion is a wrong answer, not a crash; anything else is diagnosed as usual."""
    last = _last_line(run.stderr)
    if run.exit_code == 0 and not run.timed_out:
        return [Diagnosis("exited_early", f"the program {_EARLY}")]
    if not run.timed_out and last.startswith("AssertionError"):
        return [Diagnosis("tests_failed", f"a unit test failed: {last}")]
    return diagnose.diagnose_runs([run])
