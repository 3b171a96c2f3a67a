"""The ``repo`` task kind: change a small existing code base; judged by its tests and hidden ones.

The prompt shows every file of the repository. The answer (whole files or a unified diff) is
applied to a copy in memory (``repo_edit``), the repository's own tests are put back as they
were, and two suites run in the sandbox with the standard library's unittest: the existing tests
(still passing?) and hidden tests the model never saw (does the feature work?).
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import json
import os
import secrets
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from showdown import diagnose
from showdown.pyparse import parse
from showdown.records import Diagnosis, ExecResult, TestRun, Verdict
from showdown.sandbox import Sandbox
from showdown.sandbox.base import scratch_dir
from showdown.tampering import find_tampering
from showdown.tasks.base import Answer, Task
from showdown.tasks.repo_edit import Applied, RepoEdit, apply_edit, parse_answer

__all__ = [
    "HIDDEN_DIR",
    "RepoTask",
    "SuiteRun",
    "Weights",
    "change_diff",
    "list_tests",
    "read_tree",
    "render_files",
    "repo_score",
]

#: Where the hidden tests sit in the sandbox's copy; the model may not write there.
HIDDEN_DIR = "hidden_tests"
#: Top-level names the harness keeps for itself (its runner, the outcome files).
_RESERVED_PREFIX = "_showdown_"
_RUNNER = f"{_RESERVED_PREFIX}unittest.py"
#: Far above any real suite's outcomes; a bigger file is not the runner's.
_MAX_OUTCOME_BYTES = 1 << 20
_RUNNER_SOURCE = Path(__file__).with_name("unittest_runner.py")
_SKIP = {"__pycache__", ".git", ".mypy_cache", ".pytest_cache"}
_LANGS = {".py": "python", ".md": "markdown", ".toml": "toml", ".sql": "sql", ".json": "json",
          ".cfg": "ini", ".ini": "ini", ".txt": "text"}


@dataclass(frozen=True)
class Weights:
    """How much of 100 the hidden tests and the existing tests are worth."""

    hidden: float = 80.0
    existing: float = 20.0


@dataclass
class SuiteRun:
    """One test suite: where its tests are, which it should have, what each did, the process.

    ``code`` and ``what`` are the diagnosis it gives when some of its tests fail. ``unreported``
    says why the run's outcomes were not taken (empty when they were).
    """

    name: str
    folder: str
    expected: list[str]
    code: str
    what: str
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)
    run: ExecResult | None = None
    problem: str = ""
    unreported: str = ""
    tampered: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(self.outcomes.get(t, {}).get("status") == "pass" for t in self.expected)


def repo_score(ok: bool, hidden: tuple[int, int], existing: tuple[int, int],
               weights: Weights = Weights()) -> int:
    """0 for an answer that changes nothing or does not compile; else the weighted pass shares.

    ``hidden`` and ``existing`` are (passed, total): the score is
    round(100 * (wh * hp / ht + we * ep / et) / (wh + we)); a suite with no tests drops out.
    """
    if not ok:
        return 0
    parts = [(w, p, t) for w, (p, t) in ((weights.hidden, hidden), (weights.existing, existing))
             if t > 0]
    total = sum(w for w, _, _ in parts)
    return round(100 * sum(w * p / t for w, p, t in parts) / total) if total else 0


def read_tree(folder: Path) -> dict[str, str]:
    """Every text file under ``folder`` by relative POSIX path (caches and bytecode skipped)."""
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not _SKIP & set(rel.parts) and path.suffix != ".pyc":
            files[rel.as_posix()] = path.read_text(encoding="utf-8")
    return files


def list_tests(files: Mapping[str, str], folder: str) -> list[str]:
    """Unittest ids (``pkg.module.Class.test_x``) of the test methods in ``folder`` (pure).

    Counted from the source, not from a run, so a test module that fails to import still counts
    all of its tests as failed rather than shrinking the total.
    """
    ids: list[str] = []
    for path in sorted(files):
        name = path.rsplit("/", 1)[-1]
        if not (path.startswith(folder + "/") and name.startswith("test") and name.endswith(".py")):
            continue
        module = path[:-3].replace("/", ".")
        tree = parse(files[path])
        for node in tree.body if isinstance(tree, ast.Module) else []:
            if isinstance(node, ast.ClassDef):
                ids += [f"{module}.{node.name}.{item.name}" for item in node.body
                        if isinstance(item, ast.FunctionDef) and item.name.startswith("test")]
    return ids


def render_files(files: Mapping[str, str]) -> str:
    """The repository as the prompt shows it: a heading and a fenced block per file (pure)."""
    parts = []
    for path, text in sorted(files.items()):
        longest = max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0)
        fence = "`" * max(3, longest + 1)
        lang = _LANGS.get(Path(path).suffix, "")
        body = text if text.endswith("\n") or not text else text + "\n"
        parts.append(f"### {path}\n\n{fence}{lang}\n{body}{fence}\n")
    return "\n".join(parts)


def change_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """A unified diff of every file the answer changed, added or deleted (pure)."""
    out: list[str] = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        out += difflib.unified_diff(
            (old or "").splitlines(True), (new or "").splitlines(True),
            f"a/{path}" if old is not None else "/dev/null",
            f"b/{path}" if new is not None else "/dev/null")
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _syntax_problems(files: Mapping[str, str], paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        if path.endswith(".py") and (found := diagnose.syntax_problem(files[path])) is not None:
            problems.append(f"{path}: {found[0]}")
    return problems


class RepoTask(Task):
    """A feature request on a small repository, judged by existing and hidden unittest suites."""

    kind = "repo"

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        super().__init__(root, data)
        self.template: str = (root / data["prompt_file"]).read_text(encoding="utf-8")
        self.tests_dir: str = data.get("tests_dir", "tests")
        self.repo = read_tree(root / data.get("repo_dir", "repo"))
        hidden = read_tree(root / data.get("hidden_dir", "hidden"))
        if not self.repo or not hidden:
            raise FileNotFoundError("repo_dir and hidden_dir must both hold files")
        self.hidden = {f"{HIDDEN_DIR}/{p}": text for p, text in hidden.items()}
        self.weights = Weights(**data.get("scoring", {}))

    @property
    def prompt(self) -> str:
        listing = render_files(self.repo)
        if "{files}" in self.template:
            return self.template.replace("{files}", listing, 1)
        return f"{self.template.rstrip()}\n\n{listing}"

    def judge(self, answer: Answer, sandbox: Sandbox, case: str | None = None,
              seed: int | None = None) -> Verdict:
        edit = parse_answer(answer.text)
        applied = apply_edit(self.repo, edit, reserved=[HIDDEN_DIR],
                             reserved_prefixes=[_RESERVED_PREFIX])
        files = self._restore_tests(applied.files)
        changed = sorted(p for p in set(files) | set(self.repo) if files.get(p) != self.repo.get(p))
        broken = _syntax_problems(files, [p for p in changed if p in files])
        code = change_diff(self.repo, files)
        added = [ln for ln in code.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
        verdict = Verdict(
            task=self.id,
            syntax_ok=bool(changed) and not broken,
            code=code,
            code_lines=len(added),
            isolation=sandbox.isolation,
        )
        found = _answer_diagnoses(answer, edit, applied, broken)
        evidence = [e for p in changed if p.endswith(".py") and p in files
                    for e in find_tampering(files[p], path=p)]
        found += diagnose.diagnose_tampering(evidence, "; nothing counts")
        suites = [
            SuiteRun("existing", self.tests_dir, list_tests(self.repo, self.tests_dir),
                     "existing_tests_broken", "existing tests now fail"),
            SuiteRun("hidden", HIDDEN_DIR, list_tests(self.hidden, HIDDEN_DIR),
                     "hidden_tests_failed", "hidden tests fail"),
        ]
        if verdict.syntax_ok:
            for suite in suites:
                self._run(suite, files, sandbox)
        else:
            why = "the answer changes no file" if not changed else "a changed file does not compile"
            for suite in suites:
                suite.problem = f"not run: {why}"
        verdict.functional = [t for s in suites for t in _test_runs(s)]
        verdict.diagnoses = diagnose.merge(found, *(_suite_diagnoses(s) for s in suites))
        existing, hidden = suites
        # The tests run in the answer's own process; code that games them earns nothing.
        verdict.score = 0 if evidence else repo_score(
            verdict.syntax_ok, (hidden.passed, len(hidden.expected)),
            (existing.passed, len(existing.expected)), self.weights)
        return verdict

    def _restore_tests(self, files: dict[str, str]) -> dict[str, str]:
        """The repository's own test files as they were: the model may add tests, not edit them."""
        prefix = self.tests_dir + "/"
        return files | {p: t for p, t in self.repo.items() if p.startswith(prefix)}

    def _run(self, suite: SuiteRun, files: dict[str, str], sandbox: Sandbox) -> None:
        """Run one suite in a fresh copy, so one suite's leftovers cannot sway the other."""
        # A name nobody can know beforehand, told on stdin (see unittest_runner), so no file
        # the answer brings or its code writes can pass for the runner's report.
        out = f"{_RESERVED_PREFIX}{secrets.token_hex(16)}.json"
        runner = _RUNNER_SOURCE.read_text(encoding="utf-8")
        with scratch_dir(files | self.hidden | {_RUNNER: runner}) as workdir:
            # Belt and braces: whatever sits at the name before the run is not the runner's.
            with contextlib.suppress(FileNotFoundError):
                (workdir / out).unlink()
            # -S: the standard library only, as the prompt says, whatever sits beside showdown.
            # -I: no folder of the answer's on sys.path before the runner's modules are loaded.
            argv = [sys.executable, "-I", "-S", _RUNNER, suite.folder]
            suite.run = sandbox.exec(argv, workdir=workdir,
                                     limits=self.limits, stdin=f"{out}\n".encode())
            report = None if _unfinished(suite.run) else _read_outcomes(workdir / out)
        outcomes = None if report is None else report[0]
        if report is not None:
            suite.tampered = report[1]
        if outcomes is None:
            suite.unreported = _unfinished(suite.run) or "ended without reporting outcomes"
            suite.problem = f"not run: the test run {suite.unreported}"
        else:
            suite.outcomes = outcomes
            suite.problem = _stray_problem(suite)


def _unfinished(run: ExecResult) -> str:
    """Why a runner's outcomes cannot be trusted from how it ended; empty if it exited 0."""
    if run.timed_out:
        return "timed out"
    if run.exit_code != 0:
        last = [ln for ln in run.stderr.strip().splitlines() if ln.strip()]
        return f"failed ({last[-1][:200] if last else f'exit code {run.exit_code}'})"
    return ""


def _read_outcomes(path: Path) -> tuple[dict[str, dict[str, str]], list[str]] | None:
    """The runner's outcomes and what it saw patched, or None unless ``path`` is a small regular
    file of the right shape.

    The folder is the answer's to write in, so the name may be a link (say to /dev/zero) or a
    FIFO: O_NOFOLLOW and O_NONBLOCK open neither through nor blocked, fstat turns both away, and
    the size cap bounds what is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        data = handle.read(_MAX_OUTCOME_BYTES + 1)
    if len(data) > _MAX_OUTCOME_BYTES:
        return None
    try:
        report = json.loads(data)
        outcomes, tampered = report["outcomes"], report.get("tampered", [])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    shaped = isinstance(outcomes, dict) and all(
        isinstance(o, dict) and all(isinstance(v, str) for v in o.values())
        for o in outcomes.values())
    listed = isinstance(tampered, list) and all(isinstance(t, str) for t in tampered)
    return (outcomes, [t[:200] for t in tampered[:20]]) if shaped and listed else None


def _stray_problem(suite: SuiteRun) -> str:
    """Why expected tests of a finished run have no outcome: mostly a module that did not import."""
    strays = [o.get("message", "") for t, o in suite.outcomes.items()
              if t not in suite.expected and o.get("status") in ("fail", "error")]
    return f"not run: {strays[0]}" if strays else "not run"


def _test_runs(suite: SuiteRun) -> list[TestRun]:
    """One TestRun per expected test; the suite's process is kept on its first test only."""
    runs = []
    for index, test in enumerate(suite.expected):
        outcome = suite.outcomes.get(test)
        passed = outcome is not None and outcome.get("status") == "pass"
        if passed:
            detail = "ok"
        elif outcome is not None:
            detail = outcome.get("message") or outcome.get("status", "")
        else:
            detail = suite.problem
        name = f"{suite.name}: {test.split('.', 1)[-1]}"
        commands = [suite.run] if index == 0 and suite.run is not None else []
        runs.append(TestRun(name, passed, detail, commands))
    return runs


def _answer_diagnoses(answer: Answer, edit: RepoEdit, applied: Applied,
                      broken: list[str]) -> list[Diagnosis]:
    found: list[Diagnosis] = []
    if answer.finish_reason == "length":
        found.append(Diagnosis("truncated", "the server stopped at the max-tokens limit"))
    if edit.unterminated:
        found.append(Diagnosis("truncated", "the answer ends inside an unterminated code fence"))
    if edit.empty:
        hint = f" ({edit.unlabelled} code block(s) name no file path)" if edit.unlabelled else ""
        found.append(Diagnosis("no_code", f"no file or diff found in the answer{hint}"))
    refused = [p for p in applied.problems if p.startswith("refused")]
    failed = [p for p in applied.problems if not p.startswith("refused")]
    if refused:
        found.append(Diagnosis("unsafe_path", "; ".join(refused)))
    if failed:
        found.append(Diagnosis("patch_failed", "; ".join(failed)))
    if broken:
        found.append(Diagnosis("syntax_error", "; ".join(broken)))
    if diagnose.is_repetitive(answer.text):
        found.append(Diagnosis("repetition", "the answer repeats itself (degenerate looping)"))
    return found


def _suite_diagnoses(suite: SuiteRun) -> list[Diagnosis]:
    if suite.run is None:
        return []
    found = diagnose.diagnose_runs([suite.run])
    if suite.tampered:
        found.append(Diagnosis("tampering", f"the {suite.name} test run saw the test framework "
                               f"patched: {', '.join(suite.tampered)}; its tests count as errors"))
    if suite.unreported and not suite.run.timed_out:
        found.append(Diagnosis("test_run_failed", f"the {suite.name} test run {suite.unreported};"
                               " none of its tests counts as passed"))
    failed = len(suite.expected) - suite.passed
    if failed:
        found.append(Diagnosis(suite.code, f"{failed} of {len(suite.expected)} {suite.what}"))
    return found
