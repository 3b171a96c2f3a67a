"""The stdin watcher looks at processes that may exit while it looks: never an exception.

Seen in a full test run: ``/proc/PID/task`` existed when the glob began and was gone when it
was scanned (FileNotFoundError from scandir), which killed the watcher thread. The vanishing
is simulated here, since the real race cannot be timed from a test.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from showdown.sandbox.stdin_watch import blocked_on, descendants


def test_a_process_that_vanishes_mid_look_has_no_descendants_and_blocks_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def vanished(self: Path, pattern: str) -> Any:
        raise FileNotFoundError(2, "No such file or directory", str(self))

    monkeypatch.setattr(Path, "glob", vanished)
    assert descendants(os.getpid()) == []
    assert blocked_on(os.getpid(), "pipe:[1]") is False
