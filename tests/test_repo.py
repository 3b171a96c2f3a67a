"""Tests for the ``repo`` task kind: built-in tasks judged end to end in a real sandbox."""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from showdown.records import ExecResult, Verdict
from showdown.sandbox import ProcessSandbox
from showdown.sandbox.base import DEFAULT_LIMITS, Limits
from showdown.tasks import Answer, find_task, load_task
from showdown.tasks.repo import RepoTask, Weights, list_tests, render_files, repo_score
from showdown.tasks.repo_edit import parse_answer

ANSWERS = Path(__file__).parent / "fixtures" / "repo_answers"
BUILTIN = ["feature-in-repo", "feature-in-repo-2", "feature-in-repo-3"]


def repo_task(task_id: str) -> RepoTask:
    task = find_task(task_id)
    assert isinstance(task, RepoTask)
    return task


def judge(task: RepoTask, text: str) -> Verdict:
    return task.judge(Answer(text), ProcessSandbox())


def reference(task_id: str) -> str:
    """A hand-written correct answer, in the whole-files format the prompt asks for."""
    return (ANSWERS / f"{task_id}.md").read_text(encoding="utf-8")


def codes(verdict: Verdict) -> list[str]:
    return [d.code for d in verdict.diagnoses]


def test_repo_score_formula() -> None:
    assert repo_score(True, (12, 12), (10, 10)) == 100
    assert repo_score(True, (0, 12), (10, 10)) == 20
    assert repo_score(True, (6, 12), (5, 10)) == 50  # 80 * 0.5 + 20 * 0.5
    assert repo_score(True, (3, 4), (0, 10)) == 60
    assert repo_score(False, (12, 12), (10, 10)) == 0
    assert repo_score(True, (1, 2), (0, 0)) == 50  # no existing tests: hidden share alone
    assert repo_score(True, (1, 1), (0, 1), Weights(hidden=1, existing=1)) == 50


def test_list_tests_reads_test_methods_from_source() -> None:
    files = {
        "tests/test_a.py": "import unittest\nclass A(unittest.TestCase):\n"
                           "    def test_x(self): pass\n    def helper(self): pass\n"
                           "    def test_y(self): pass\n",
        "tests/helpers.py": "class B:\n    def test_not_a_test_file(self): pass\n",
        "pkg/test_elsewhere.py": "class C:\n    def test_z(self): pass\n",
    }
    assert list_tests(files, "tests") == ["tests.test_a.A.test_x", "tests.test_a.A.test_y"]


def test_render_files_fences_around_backticks() -> None:
    listing = render_files({"README.md": "Run:\n```\npython x.py\n```\n", "x.py": "X = 1\n"})
    assert "### README.md\n\n````markdown\nRun:\n```\npython x.py\n```\n````\n" in listing
    assert "### x.py\n\n```python\nX = 1\n```\n" in listing


@pytest.mark.parametrize("task_id", BUILTIN)
def test_prompt_shows_the_repo_but_not_the_hidden_tests(task_id: str) -> None:
    task = repo_task(task_id)
    prompt = task.prompt
    assert "{files}" not in prompt
    for path in task.repo:
        assert f"### {path}\n" in prompt
    assert "hidden_tests" not in prompt
    for text in task.hidden.values():
        for test in (ln.strip() for ln in text.splitlines() if ln.strip().startswith("def test")):
            assert test not in prompt
    assert len(task.hidden) >= 2 and any(p.startswith("tests/") for p in task.repo)


@pytest.mark.parametrize("task_id", BUILTIN)
def test_reference_answer_scores_full(task_id: str) -> None:
    task = repo_task(task_id)
    changed = parse_answer(reference(task_id)).files
    assert len(changed) >= 3  # the feature touches at least three files
    verdict = judge(task, reference(task_id))
    failed = {t.name: t.detail for t in verdict.functional if not t.passed}
    assert failed == {}
    assert verdict.score == 100 and verdict.diagnoses == []
    hidden = [t for t in verdict.functional if t.name.startswith("hidden: ")]
    assert len(hidden) >= 10
    assert all(f"+++ b/{path}" in verdict.code for path in changed)


def test_empty_answer_scores_zero() -> None:
    verdict = judge(repo_task("feature-in-repo"), "I would add a tags table and a --tag option.")
    assert verdict.score == 0 and not verdict.syntax_ok
    assert codes(verdict) == ["no_code"]
    assert all(t.detail == "not run: the answer changes no file" for t in verdict.functional)


def test_answer_without_the_feature_scores_low() -> None:
    answer = "```markdown README.md\n# bookmarks\n\nTags are coming soon.\n```\n"
    verdict = judge(repo_task("feature-in-repo"), answer)
    existing = [t for t in verdict.functional if t.name.startswith("existing: ")]
    hidden = [t for t in verdict.functional if t.name.startswith("hidden: ")]
    assert all(t.passed for t in existing) and not any(t.passed for t in hidden)
    assert verdict.score == 20
    assert hidden[0].detail.startswith("TypeError: add_bookmark() got an unexpected keyword")
    assert "hidden_tests_failed" in codes(verdict)


def test_broken_code_scores_zero() -> None:
    answer = "```python bookmarks/store.py\ndef add_bookmark(conn, url, title='', tags=(:\n```\n"
    verdict = judge(repo_task("feature-in-repo"), answer)
    assert verdict.score == 0 and not verdict.syntax_ok
    assert "syntax_error" in codes(verdict)
    assert "bookmarks/store.py" in verdict.diagnoses[codes(verdict).index("syntax_error")].message


def test_breaking_existing_behaviour_costs_points() -> None:
    task = repo_task("feature-in-repo")
    answer = reference("feature-in-repo").replace(
        'return f"{bookmark.id}. {bookmark.title or \'(untitled)\'} <{bookmark.url}>"',
        'return f"{bookmark.id}: {bookmark.title} <{bookmark.url}>"')
    answer = answer.replace('line = f"{bookmark.id}. {bookmark.title or \'(untitled)\'}',
                            'line = f"{bookmark.id}: {bookmark.title}')
    verdict = judge(task, answer)
    assert 0 < verdict.score < 100
    assert "existing_tests_broken" in codes(verdict)


def test_diff_answer_applies_and_scores_full() -> None:
    task = repo_task("feature-in-repo")
    diff = "".join(
        line
        for path, new in parse_answer(reference("feature-in-repo")).files.items()
        for line in difflib.unified_diff(task.repo[path].splitlines(True), new.splitlines(True),
                                         f"a/{path}", f"b/{path}")
    )
    verdict = judge(task, f"Here is the patch:\n\n```diff\n{diff}```\n")
    assert verdict.score == 100 and verdict.diagnoses == []


def test_edits_to_existing_tests_are_ignored_and_hidden_folder_is_refused() -> None:
    task = repo_task("feature-in-repo")
    answer = (reference("feature-in-repo")
              + "\n```python tests/test_store.py\nimport unittest\n```\n"
              + "```python hidden_tests/test_tags.py\nimport unittest\n```\n"
              + "```python ../outside.py\nX = 1\n```\n")
    verdict = judge(task, answer)
    assert "tests/test_store.py" not in verdict.code
    assert sum(t.name.startswith("existing: ") for t in verdict.functional) == 10
    assert sum(t.name.startswith("hidden: ") for t in verdict.functional) == 12
    assert verdict.score == 100
    assert codes(verdict) == ["unsafe_path"]
    message = verdict.diagnoses[0].message
    assert "hidden_tests/test_tags.py" in message and "../outside.py" in message


def _tiny_task(root: Path) -> RepoTask:
    """A user's own repo task: a calculator package and a hidden test for a new function."""
    (root / "repo" / "calc").mkdir(parents=True)
    (root / "repo" / "tests").mkdir()
    (root / "hidden").mkdir()
    (root / "repo" / "calc" / "__init__.py").write_text(
        "def add(a, b):\n    return a + b\n", encoding="utf-8")
    (root / "repo" / "tests" / "__init__.py").write_text("", encoding="utf-8")
    (root / "repo" / "tests" / "test_calc.py").write_text(
        "import unittest\nimport calc\n\n\nclass T(unittest.TestCase):\n"
        "    def test_add(self):\n        self.assertEqual(calc.add(2, 3), 5)\n", encoding="utf-8")
    (root / "hidden" / "__init__.py").write_text("", encoding="utf-8")
    (root / "hidden" / "test_mul.py").write_text(
        "import unittest\nimport calc\n\n\nclass M(unittest.TestCase):\n"
        "    def test_mul(self):\n        self.assertEqual(calc.mul(2, 3), 6)\n"
        "    def test_mul_zero(self):\n        self.assertEqual(calc.mul(0, 3), 0)\n",
        encoding="utf-8")
    (root / "prompt.md").write_text("Add calc.mul(a, b).\n\n{files}", encoding="utf-8")
    (root / "task.toml").write_text(
        'id = "tiny"\nkind = "repo"\nprompt_file = "prompt.md"\n[limits]\ntimeout_s = 3\n',
        encoding="utf-8")
    task = load_task(root)
    assert isinstance(task, RepoTask)
    return task


def test_user_task_partial_credit_and_timeout(tmp_path: Path) -> None:
    task = _tiny_task(tmp_path)
    assert "### calc/__init__.py" in task.prompt and "test_mul" not in task.prompt
    half = ("```python calc/__init__.py\ndef add(a, b):\n    return a + b\n\n\n"
            "def mul(a, b):\n    return a * b if a else 1\n```\n")
    verdict = judge(task, half)
    assert verdict.score == 60  # 80 * 1/2 + 20 * 1/1
    failing = [t for t in verdict.functional if not t.passed]
    assert [t.name for t in failing] == ["hidden: test_mul.M.test_mul_zero"]
    assert failing[0].detail.startswith("AssertionError: 1 != 0")
    hang = ("```python calc/__init__.py\ndef add(a, b):\n    return a + b\n\n\n"
            "def mul(a, b):\n    while True:\n        pass\n```\n")
    verdict = judge(task, hang)
    assert verdict.score == 20
    assert "timeout" in codes(verdict)
    hidden = [t for t in verdict.functional if t.name.startswith("hidden: ")]
    assert all(t.detail == "not run: the test run timed out" for t in hidden)


_ALL_PASS = json.dumps({"outcomes": {t: {"status": "pass", "message": ""} for t in (
    "tests.test_calc.T.test_add", "hidden_tests.test_mul.M.test_mul",
    "hidden_tests.test_mul.M.test_mul_zero")}, "ran": 3})
_SPIN = "```python calc/__init__.py\nwhile True:\n    pass\n```\n"


def test_planted_outcome_files_are_refused(tmp_path: Path) -> None:
    # An answer that writes the runner's outcome files itself, then hangs so the runner never
    # overwrites them: before this was refused, that scored 100 with only a timeout diagnosis.
    forged = "".join(f"```json _showdown_{name}.json\n{_ALL_PASS}\n```\n"
                     for name in ("existing", "hidden"))
    verdict = judge(_tiny_task(tmp_path), _SPIN + forged)
    assert verdict.score == 0 and not any(t.passed for t in verdict.functional)
    assert {"unsafe_path", "timeout"} <= set(codes(verdict))
    assert "refused reserved path: _showdown_hidden.json" in verdict.diagnoses[0].message


class ForgingSandbox(ProcessSandbox):
    """A real sandbox that first plants something at the runner's outcome path.

    It stands for answer code that learned the outcome file's name: the verdict must not take
    the word of a file it did not see the runner finish writing.
    """

    def __init__(self, plant: Callable[[Path], None]) -> None:
        super().__init__()
        self.plant = plant

    def exec(self, argv: Sequence[str], *, workdir: Path, limits: Limits = DEFAULT_LIMITS,
             stdin: bytes | None = None) -> ExecResult:
        name = stdin.decode().strip() if stdin else argv[-1]  # where the runner is told it
        self.plant(workdir / name)
        return super().exec(argv, workdir=workdir, limits=limits, stdin=stdin)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _oversized(path: Path) -> None:
    path.write_text(_ALL_PASS[:-1] + ', "pad": "' + "x" * 2_000_000 + '"}', encoding="utf-8")


@pytest.mark.parametrize("answer", [
    "```python calc/__init__.py\nimport os\nos._exit(3)\n```\n",  # the runner fails
    _SPIN,  # the runner is killed at the time limit
])
def test_outcomes_of_a_run_that_did_not_finish_are_ignored(tmp_path: Path, answer: str) -> None:
    task = _tiny_task(tmp_path)
    verdict = task.judge(Answer(answer), ForgingSandbox(lambda p: p.write_text(_ALL_PASS)))
    assert verdict.score == 0 and not any(t.passed for t in verdict.functional)
    assert {"test_run_failed", "timeout"} & set(codes(verdict))
    assert all(t.detail.startswith("not run: the test run") for t in verdict.functional)


@pytest.mark.parametrize("plant", ["symlink_outside", "dev_zero", "fifo", "oversized"])
def test_an_outcome_path_that_is_no_plain_small_file_is_not_read(tmp_path: Path,
                                                                  plant: str) -> None:
    task = _tiny_task(tmp_path / "task")
    outside = tmp_path / "forged.json"
    outside.write_text(_ALL_PASS, encoding="utf-8")
    plants: dict[str, Callable[[Path], None]] = {
        "symlink_outside": lambda p: p.symlink_to(outside),
        "dev_zero": lambda p: p.symlink_to("/dev/zero"),
        "fifo": _fifo,
        "oversized": _oversized,
    }
    # The answer ends the run with status 0 before the runner writes anything.
    quits = "```python calc/__init__.py\nimport os\nos._exit(0)\n```\n"
    verdict = task.judge(Answer(quits), ForgingSandbox(plants[plant]))
    assert verdict.score == 0 and not any(t.passed for t in verdict.functional)
    assert "test_run_failed" in codes(verdict)
