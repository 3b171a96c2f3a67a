"""Run one folder's unittest tests and write every test's outcome as JSON (standard library only).

The repo task copies this file into the sandbox beside the repository and runs it as
``python -S unittest_runner.py START_DIR`` with the outcome file's name on stdin: the same
discovery as ``python -m unittest discover -s START_DIR -t .``, but each test's outcome is
recorded by id, so a score can count tests rather than parse the text report. The text report
goes to stdout, so stderr stays empty unless the runner itself fails.

The name comes on stdin, read before any of the repository's code is imported, so that code
cannot find it in ``sys.argv``; and the file is created afresh (never written through a file or
link already there), so nothing planted at that name is taken for the runner's word.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import unittest
from types import TracebackType
from typing import Any, TypeAlias

__all__ = ["OutcomeResult", "main"]

# The shape typeshed gives unittest's ``err`` arguments.
_ExcInfo: TypeAlias = (
    tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]
)


def _summary(err: _ExcInfo) -> str:
    """The exception's headline: "AssertionError: 1 != 2", not the last line of a long diff."""
    if err[0] is None:
        return ""
    lines = "".join(traceback.format_exception_only(err[0], err[1])).strip().splitlines()
    name = err[0].__name__
    headline = next((ln for ln in lines if ln.startswith(name)), lines[-1] if lines else name)
    return headline[:300]


class OutcomeResult(unittest.TextTestResult):
    """A text result that also keeps ``{test id: {"status", "message"}}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes: dict[str, dict[str, str]] = {}

    def _record(self, test: unittest.TestCase, status: str, message: str = "") -> None:
        previous = self.outcomes.get(test.id())
        # A failing subtest fails its test even when the test method itself then returns.
        if previous is None or previous["status"] == "pass":
            self.outcomes[test.id()] = {"status": status, "message": message}

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._record(test, "pass")

    def addFailure(self, test: unittest.TestCase, err: _ExcInfo) -> None:
        super().addFailure(test, err)
        self._record(test, "fail", _summary(err))

    def addError(self, test: unittest.TestCase, err: _ExcInfo) -> None:
        super().addError(test, err)
        self._record(test, "error", _summary(err))

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._record(test, "skip", reason)

    def addSubTest(
        self, test: unittest.TestCase, subtest: unittest.TestCase, err: _ExcInfo | None
    ) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._record(test, "fail", f"{subtest.id()}: {_summary(err)}")


def main(argv: list[str]) -> int:
    """Discover tests under ``argv[1]`` (top level "."), run them, write outcomes where stdin says."""
    out = sys.stdin.readline().strip()
    start = argv[1]
    suite = unittest.TestLoader().discover(start, top_level_dir=".")
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=OutcomeResult)
    result = runner.run(suite)
    outcomes = result.outcomes if isinstance(result, OutcomeResult) else {}
    # O_EXCL: fail (and so score nothing) rather than write into something already there.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"outcomes": outcomes, "ran": result.testsRun}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
