"""Run one folder's unittest tests and write every test's outcome as JSON (standard library only).

The repo task copies this file into the sandbox beside the repository and runs it as
``python -S unittest_runner.py START_DIR`` with the outcome file's name on stdin: the same
discovery as ``python -m unittest discover -s START_DIR -t .``, but each test's outcome is
recorded by id, so a score can count tests rather than parse the text report. The text report
goes to stdout, so stderr stays empty unless the runner itself fails.

The name comes on stdin, read before any of the repository's code is imported, so that code
cannot find it in ``sys.argv``; and the file is created afresh (never written through a file or
link already there), so nothing planted at that name is taken for the runner's word.

It is started isolated (``python -I -S``): no folder of the answer's is on ``sys.path`` until
the runner's own modules are loaded, so a ``json.py`` or ``unittest.py`` in the answer cannot
stand in for them. The answer's code then runs in this process (the tests import it), so the
runner also guards the machinery that decides an outcome: unittest's classes, its own result
class, the builtins and the modules it writes with are snapshot before any test module is
imported, and checked after every test and before the report. A test that ran while any of
them was replaced is an error, and the report names what was patched (``tampered``). What this
does not stop: code that deliberately reaches into this runner's frames or memory to forge
the report (in one process anything can); that is what the static ``tampering`` diagnosis is
for, and what the function task's two-process checker avoids.
"""

from __future__ import annotations

import builtins
import difflib
import json
import os
import pprint
import sys
import traceback
import unittest
import unittest.case
import unittest.loader
import unittest.result
import unittest.runner
import unittest.suite
from types import ModuleType, TracebackType
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


_TAMPERED = "error"


class Guard:
    """Snapshots of what decides an outcome; ``changed()`` names every entry since replaced."""

    def __init__(self, owners: dict[str, Any]) -> None:
        self.owners = owners
        self.saved = {name: dict(vars(owner)) for name, owner in owners.items()}

    def changed(self) -> list[str]:
        """Entries replaced or removed; for classes also added (a new ``__getattribute__``).

        A module gaining a name is no patch: importing ``unittest.mock`` adds ``mock``.
        """
        found = []
        for name, owner in self.owners.items():
            now, before = vars(owner), self.saved[name]
            keys = before.keys() | now.keys() if isinstance(owner, type) else before.keys()
            found += [f"{name}.{key}" for key in keys
                      if now.get(key, _MISSING) is not before.get(key, _MISSING)]
        return sorted(found)


_MISSING = object()
# The run's guard, and every patch any test saw (module state: the result class is watched).
_GUARD: list[Guard] = []
_TAMPERED_SEEN: set[str] = set()


def _watched() -> dict[str, Any]:
    """What the runner relies on to run tests and write their outcomes."""
    owners: dict[str, Any] = {
        "unittest.TestCase": unittest.TestCase, "unittest.TestSuite": unittest.TestSuite,
        "unittest.suite.BaseTestSuite": unittest.suite.BaseTestSuite,
        "unittest.TestResult": unittest.TestResult,
        "unittest.TextTestResult": unittest.TextTestResult,
        "unittest.TextTestRunner": unittest.TextTestRunner,
        "unittest.TestLoader": unittest.TestLoader, "OutcomeResult": OutcomeResult,
        "builtins": builtins, "json": json, "os": os, "Guard": Guard,
        "the runner": sys.modules[__name__],
    }
    modules: list[ModuleType] = [unittest, unittest.case, unittest.result, unittest.runner,
                                 unittest.suite, unittest.loader, difflib, pprint, traceback]
    owners |= {m.__name__: m for m in modules}
    return owners


class OutcomeResult(unittest.TextTestResult):
    """A text result that also keeps ``{test id: {"status", "message"}}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes: dict[str, dict[str, str]] = {}

    def _record(self, test: unittest.TestCase, status: str, message: str = "") -> None:
        changed = _GUARD[0].changed() if _GUARD else []
        if changed:
            _TAMPERED_SEEN.update(changed)
            status, message = _TAMPERED, f"the test framework was patched: {', '.join(changed)}"
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
    guard = Guard(_watched())
    _GUARD.append(guard)
    # Only now, with every module the runner needs loaded, may the answer's folder be imported.
    sys.path.insert(0, os.getcwd())
    suite = unittest.TestLoader().discover(start, top_level_dir=".")
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=OutcomeResult)
    result = runner.run(suite)
    outcomes = result.outcomes if isinstance(result, OutcomeResult) else {}
    tampered = sorted(_TAMPERED_SEEN | set(guard.changed()))
    if tampered:
        why = f"the test framework was patched: {', '.join(tampered)}"
        outcomes = {test: {"status": _TAMPERED, "message": why} for test in outcomes}
    # O_EXCL: fail (and so score nothing) rather than write into something already there.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"outcomes": outcomes, "ran": result.testsRun, "tampered": tampered}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
