"""The worked examples in docs/tasks.md, built from the document itself and run for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from showdown.cli import cli
from showdown.sandbox import ProcessSandbox
from showdown.tasks import Answer, load_tasks
from showdown.tasks.function import FunctionTask
from showdown.tasks.repo_edit import parse_answer

DOC = Path(__file__).parents[1] / "docs" / "tasks.md"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The document's files (fenced blocks labelled with a path) written out as a folder."""
    files = parse_answer(DOC.read_text(encoding="utf-8")).files
    root = tmp_path_factory.mktemp("docs")
    for path, text in files.items():
        target = root / ("my-tasks" if path != "answer.md" else "") / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def test_function_example_loads_and_its_solutions_pass(example: Path) -> None:
    task = load_tasks([example / "my-tasks"])["word-tools"]
    assert isinstance(task, FunctionTask)
    cases = task.cases()
    assert [c.id for c in cases] == ["words/0", "words/1"]
    assert cases[0].prompt.startswith("Complete the following Python function.")
    for case in cases:
        problem = task.problem(case.id)
        right = task.judge(Answer(f"```python\n{problem.canonical_solution}```"),
                           ProcessSandbox(), case.id)
        wrong = task.judge(Answer(f"```python\ndef {problem.entry_point}(text):\n"
                                  "    return None\n```"), ProcessSandbox(), case.id)
        assert (right.score, wrong.score) == (100, 0)


def test_repo_example_scores_as_the_document_says(example: Path) -> None:
    result = CliRunner().invoke(cli, ["score", str(example / "answer.md"), "--task-dir",
                                      str(example / "my-tasks"), "--task", "mini-calc"])
    assert result.exit_code == 0, result.output
    assert "score 100/100" in result.output
    task = load_tasks([example / "my-tasks"])["mini-calc"]
    half = "```python calc/__init__.py\ndef add(a, b):\n    return a + b\n\n\n" \
           "def mul(a, b):\n    return a * b or 1\n```\n"
    assert task.judge(Answer(half), ProcessSandbox()).score == 60
    assert task.judge(Answer("No idea."), ProcessSandbox()).score == 0


def test_tasks_command_lists_the_examples(example: Path) -> None:
    result = CliRunner().invoke(cli, ["tasks", "--task-dir", str(example / "my-tasks")])
    assert result.exit_code == 0, result.output
    assert "word-tools" in result.output and "mini-calc" in result.output
