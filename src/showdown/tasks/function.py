"""The ``function`` task kind: complete one function, judged by the problem's unit tests.

Built for HumanEval's data format (JSON lines with ``task_id``, ``prompt``, ``entry_point``,
``test`` and optionally ``canonical_solution``), so any problem set in that format is a task.
Turning an answer into a test program is pure; the only side effect is the sandbox's ``exec``.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import gzip
import importlib.resources
import json
import marshal
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from showdown import diagnose
from showdown.extract import Extraction, extract_code
from showdown.pyparse import parse
from showdown.records import Diagnosis, ExecResult, TestRun, Verdict
from showdown.sandbox import Sandbox
from showdown.sandbox.base import scratch_dir
from showdown.tampering import find_tampering
from showdown.tasks.base import Answer, Case, Task, TaskError
from showdown.tasks.function_checker import PROMPT_FILE

__all__ = [
    "FunctionTask",
    "Problem",
    "build_program",
    "checker_job",
    "checker_line",
    "defines_function",
    "parse_problems",
    "passed",
    "select_problems",
]

_PACKAGE = "package:"
_SOLUTION = "solution.py"
_CHECKER = Path(__file__).with_name("function_checker.py")
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


def checker_job(problem: Problem, token: str) -> bytes:
    """What the checker reads on stdin, never the candidate: the tests and the token."""
    job = {"test": problem.test, "entry_point": problem.entry_point, "token": token}
    # marshal: the checker reads it without importing json (same interpreter, same format).
    return marshal.dumps(job)


def checker_line(run: ExecResult, token: str) -> tuple[str, str] | None:
    """(code, message) from the checker's verdict line, or None when it printed none.

    Only a line that starts with ``token`` is the checker's: the token is made per run and
    never reaches the candidate's process, so the answer's code cannot print a verdict.
    """
    last = _last_line(run.stdout, limit=2000)
    if not last.startswith(token + " "):
        return None
    verdict, _, rest = last[len(token) + 1:].partition(" ")
    if verdict == "pass" and not rest:
        return "pass", ""
    code, _, message = rest.partition(" ")
    return (code, message) if verdict == "fail" and code else None


def passed(run: ExecResult, token: str) -> bool:
    """Whether the checker said pass: exit status 0 and ``TOKEN pass`` as its last line."""
    return (run.exit_code == 0 and not run.timed_out
            and checker_line(run, token) == ("pass", ""))


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

    def judge(self, answer: Answer, sandbox: Sandbox, case: str | None = None,
              seed: int | None = None) -> Verdict:
        problem = self.problem(case)
        extraction = (Extraction(answer.text, "", "file", "python") if answer.is_code_file
                      else extract_code(answer.text))
        code = extraction.code
        program = build_program(problem, code) if code.strip() else ""
        found = diagnose.diagnose_answer(answer.text, dataclasses.replace(extraction, code=program),
                                         answer.finish_reason)
        # Line numbers of the answer's code as the model wrote it (the prompt is not its).
        found += diagnose.diagnose_tampering(find_tampering(code, module_level_exits=True))
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
        # A fresh token per run, told only to the checker (on stdin, read before the answer's
        # code runs, in a process the answer cannot read): see function_checker.
        token = f"showdown-verdict-{secrets.token_hex(16)}"
        run = self._run(program, problem.prompt, checker_job(problem, token), sandbox)
        said = checker_line(run, token)
        ok = passed(run, token)
        verdict.functional = [TestRun(problem.task_id, ok, _detail(run, said), [run])]
        verdict.diagnoses = diagnose.merge(found, [] if ok else _run_diagnoses(run, said))
        verdict.score = 100 if ok else 0
        return verdict

    def private_paths(self) -> list[Path]:
        """The task's folder and, for packaged data, the package (reference solutions in it)."""
        paths = [self.root]
        if self.data_ref.startswith(_PACKAGE):
            package = self.data_ref[len(_PACKAGE):].partition("/")[0]
            with contextlib.suppress(ModuleNotFoundError, TypeError):
                paths.append(Path(str(importlib.resources.files(package))))
        return paths

    def _run(self, program: str, prompt: str, job: bytes, sandbox: Sandbox) -> ExecResult:
        checker = _CHECKER.read_text(encoding="utf-8")
        files = {_SOLUTION: program, _CHECKER.name: checker, PROMPT_FILE: prompt}
        with scratch_dir(files) as workdir:
            # -I: no folder of the answer's on sys.path, no environment; -S: stdlib only.
            return sandbox.exec([sys.executable, "-I", "-S", _CHECKER.name], workdir=workdir,
                                limits=self.limits, stdin=job)


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


def _last_line(text: str, limit: int = 200) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:limit] if lines else ""


def _detail(run: ExecResult, said: tuple[str, str] | None) -> str:
    if run.timed_out:
        return "timed out"
    if said is not None:
        return "ok" if said[0] == "pass" else said[1] or said[0]
    return _last_line(run.stderr) or f"exit code {run.exit_code} with no verdict"


def _run_diagnoses(run: ExecResult, said: tuple[str, str] | None) -> list[Diagnosis]:
    """The checker's word where it gave one; else what the sandbox saw (timeouts, limits)."""
    if said is None or run.timed_out:
        return diagnose.diagnose_runs([run])
    code, message = said
    if code == "tests_failed":
        return [Diagnosis("tests_failed", f"a unit test failed: {message}")]
    if code == "exited_early":
        return [Diagnosis("exited_early", message)]
    if code == "not_plain_data":
        return [Diagnosis("tests_failed", message)]
    found = diagnose.diagnose_runs([run])
    return found or [Diagnosis("crashed", message)]
