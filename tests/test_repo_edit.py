"""Tests for showdown.tasks.repo_edit: answers to edits, diffs applied, paths kept inside."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest

from showdown.tasks.repo_edit import (
    FilePatch,
    Hunk,
    PatchError,
    apply_edit,
    apply_patch,
    parse_answer,
    parse_diff,
    safe_path,
)

STORE = ("import sqlite3\n\n\ndef add(a, b):\n    return a + b\n\n\n"
         "def sub(a, b):\n    return a - b\n")
REPO = {"app/store.py": STORE, "app/__init__.py": "", "tests/test_store.py": "import unittest\n"}


def test_safe_path_keeps_paths_inside() -> None:
    assert safe_path("app/store.py") == "app/store.py"
    assert safe_path("./app/store.py") == "app/store.py"
    assert safe_path("`app/store.py`") == "app/store.py"
    for bad in ["/etc/passwd", "../x.py", "app/../../x.py", "~/.ssh/id_rsa", "C:/x.py",
                "app\\x.py", "", "app/"]:
        assert safe_path(bad) is None, bad


def test_path_on_the_fence_line_and_in_a_file_comment() -> None:
    answer = ("Here you go.\n\n```python app/store.py\nX = 1\n```\n\n"
              "```python\n# file: app/cli.py\nY = 2\n```\n\n"
              "```py:app/extra.py\nZ = 3\n```\n")
    edit = parse_answer(answer)
    assert edit.files == {"app/store.py": "X = 1\n", "app/cli.py": "Y = 2\n",
                          "app/extra.py": "Z = 3\n"}
    assert not edit.patches and not edit.refused and not edit.unterminated


def test_path_on_the_line_above_the_fence() -> None:
    answer = ("**app/store.py**\n```python\nX = 1\n```\n"
              "### `app/cli.py`:\n\n```python\nY = 2\n```\n"
              "Run it like this:\n```bash\npython -m app\n```\n")
    edit = parse_answer(answer)
    assert edit.files == {"app/store.py": "X = 1\n", "app/cli.py": "Y = 2\n"}
    assert edit.unlabelled == 1


def test_later_block_wins_and_reasoning_is_ignored() -> None:
    answer = ("<think>\n```python app/store.py\nDRAFT = 1\n```\n</think>\n"
              "```python app/store.py\nA = 1\n```\n```python app/store.py\nA = 2\n```\n")
    assert parse_answer(answer).files == {"app/store.py": "A = 2\n"}


def test_escaping_paths_are_refused_not_applied() -> None:
    edit = parse_answer("```python ../../etc/evil.py\nX = 1\n```\n"
                        "```python\n# file: /tmp/evil.py\nY = 1\n```\n")
    assert edit.files == {} and edit.refused == ["../../etc/evil.py", "/tmp/evil.py"]
    applied = apply_edit(REPO, edit)
    assert applied.files == REPO and applied.changed == []
    assert len(applied.problems) == 2


def test_reserved_folders_are_refused() -> None:
    edit = parse_answer("```python hidden_tests/test_x.py\nX = 1\n```\n"
                        "```python app/new.py\nY = 1\n```\n")
    applied = apply_edit(REPO, edit, reserved=["hidden_tests"])
    assert applied.changed == ["app/new.py"]
    assert applied.problems == ["refused reserved path: hidden_tests/test_x.py"]


def test_reserved_name_prefixes_are_refused_in_files_and_diffs() -> None:
    diff = _diff("_showdown_b.json", "", "{}\n").replace("--- a/_showdown_b.json", "--- /dev/null")
    edit = parse_answer("```json _showdown_a.json\n{}\n```\n"
                        f"```diff\n{diff}```\n"
                        "```python app/_showdown_ok.py\nY = 1\n```\n")
    applied = apply_edit(REPO, edit, reserved_prefixes=["_showdown_"])
    assert applied.changed == ["app/_showdown_ok.py"]  # only the top-level names are the harness's
    assert applied.problems == ["refused reserved path: _showdown_a.json",
                                "refused reserved path: _showdown_b.json"]


def _diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        f"a/{path}", f"b/{path}"))


def test_difflib_diff_in_a_fence_applies() -> None:
    new = STORE.replace("return a + b", "return b + a") + "\n\ndef mul(a, b):\n    return a * b\n"
    answer = f"Patch:\n```diff\n{_diff('app/store.py', STORE, new)}```\n"
    edit = parse_answer(answer)
    assert len(edit.patches) == 1 and edit.files == {}
    applied = apply_edit(REPO, edit)
    assert applied.files["app/store.py"] == new
    assert applied.changed == ["app/store.py"] and applied.problems == []


def test_git_diff_without_a_fence_applies(tmp_path: Path) -> None:
    old, new = tmp_path / "a", tmp_path / "b"
    for root, text in ((old, STORE), (new, STORE.replace("a - b", "a - b - 0"))):
        (root / "app").mkdir(parents=True)
        (root / "app" / "store.py").write_text(text, encoding="utf-8")
    (new / "app" / "added.py").write_text("NEW = True\n", encoding="utf-8")
    diff = subprocess.run(["git", "diff", "--no-index", "--no-prefix", "a", "b"], cwd=tmp_path,
                          capture_output=True, text=True, check=False).stdout
    assert "+++ b/app/store.py" in diff  # git names the two folders a/ and b/
    applied = apply_edit(REPO, parse_answer(diff))
    assert applied.problems == []
    assert applied.files["app/store.py"] == STORE.replace("a - b", "a - b - 0")
    assert applied.files["app/added.py"] == "NEW = True\n"


def test_wrong_line_numbers_and_counts_still_apply() -> None:
    diff = ("--- a/app/store.py\n+++ b/app/store.py\n@@ -40,9 +40,9 @@\n"
            " def sub(a, b):\n-    return a - b\n+    return abs(a - b)\n")
    patched = apply_patch(STORE, parse_diff(diff)[0])
    assert patched == STORE.replace("return a - b", "return abs(a - b)")


def test_trailing_spaces_lost_by_the_model_still_match() -> None:
    source = "x = 1   \ny = 2\n"
    patch = FilePatch("f.py", "f.py", (Hunk(1, (" x = 1", "-y = 2", "+y = 3")),))
    assert apply_patch(source, patch) == "x = 1   \ny = 3\n"


def test_hunk_that_does_not_match_is_an_error() -> None:
    patch = FilePatch("app/store.py", "app/store.py", (Hunk(1, ("-def nowhere():",)),))
    with pytest.raises(PatchError, match=r"hunk 1 of app/store\.py"):
        apply_patch(STORE, patch)
    applied = apply_edit(REPO, parse_answer("```diff\n--- a/app/store.py\n+++ b/app/store.py\n"
                                            "@@ -1 +1 @@\n-import nothing\n+import os\n```"))
    assert applied.files == REPO and applied.problems == ["hunk 1 of app/store.py does not match"]


def test_new_file_deleted_file_and_missing_file() -> None:
    diff = ("--- /dev/null\n+++ b/app/new.py\n@@ -0,0 +1,2 @@\n+A = 1\n+B = 2\n"
            "--- a/app/__init__.py\n+++ /dev/null\n@@ -1 +0,0 @@\n"
            "--- a/app/ghost.py\n+++ b/app/ghost.py\n@@ -1 +1 @@\n-x\n+y\n")
    applied = apply_edit(REPO, parse_answer(diff))
    assert applied.files["app/new.py"] == "A = 1\nB = 2\n"
    assert applied.deleted == ["app/__init__.py"]
    assert applied.problems == ["the diff changes app/ghost.py, which does not exist"]


def test_unterminated_block_and_empty_answer() -> None:
    assert parse_answer("```python app/store.py\nX = 1\n").unterminated
    empty = parse_answer("I would add a tags table.")
    assert empty.empty and empty.unlabelled == 0
