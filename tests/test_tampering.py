"""The static ``tampering`` evidence (pure): what is flagged, with its line, and what is not."""

from __future__ import annotations

import pytest

from showdown.diagnose import diagnose_tampering
from showdown.tampering import find_tampering


def kinds(code: str, **kw: bool) -> list[tuple[int, str]]:
    return [(e.line, e.kind) for e in find_tampering(code, **kw)]


@pytest.mark.parametrize(("code", "expected"), [
    ("import sys\nsys.settrace(lambda *a: None)\n", [(2, "traces")]),
    ("from sys import setprofile as sp\nsp(None)\n", [(2, "traces")]),
    ("import unittest\nunittest.TestCase.run = lambda s, r=None: r\n", [(2, "patches")]),
    ("import builtins as b\nb.abs = lambda x: 0\n", [(2, "patches")]),
    ("import sys\nsys.modules['json'] = None\n", [(2, "patches")]),
    ("import unittest\nsetattr(unittest.TestResult, 'addFailure', None)\n", [(2, "patches")]),
    ("import os\nos._exit(0)\n", [(2, "exits")]),
    ("import sys\ndef f():\n    return sys._getframe(1).f_locals\n",
     [(3, "introspects"), (3, "introspects")]),
    ("import gc\nobjs = gc.get_objects()\n", [(2, "introspects")]),
    ("p = '/proc/1/mem'\n", [(1, "reads outside")]),
])
def test_tricks_are_flagged_with_their_line(code: str, expected: list[tuple[int, str]]) -> None:
    assert kinds(code) == expected


def test_module_level_exits_and_file_access_count_in_function_tasks_only() -> None:
    code = ("import sys\n\n\ndef f(x):\n    return open('data.txt').read()\n\n\n"
            "sys.exit(0)\n\nif __name__ == '__main__':\n    sys.exit(f(1))\n")
    assert kinds(code) == []
    assert kinds(code, module_level_exits=True) == [(5, "reads outside"), (8, "exits")]


def test_honest_code_is_not_flagged() -> None:
    code = ("import sys\nimport unittest\n\n\nclass T(unittest.TestCase):\n"
            "    def test(self):\n        self.assertEqual(sorted([2, 1]), [1, 2])\n\n\n"
            "def main():\n    if 'json' in sys.modules:\n        return 1\n    sys.exit(2)\n"
            "x = {}\nx['a'] = 1\n")
    assert find_tampering(code, module_level_exits=True) == []
    assert find_tampering("def broken(:\n") == []


def test_the_diagnosis_lists_the_evidence() -> None:
    evidence = find_tampering("import sys\nsys.settrace(None)\nimport os\nos._exit(0)\n",
                              path="pkg/__init__.py")
    (diagnosis,) = diagnose_tampering(evidence)
    assert diagnosis.code == "tampering"
    assert "line 2: traces (pkg/__init__.py sys.settrace())" in diagnosis.message
    assert "line 4: exits (pkg/__init__.py os._exit())" in diagnosis.message
    assert diagnose_tampering([]) == []
