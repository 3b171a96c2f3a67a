"""Spot a program waiting for keyboard input in about a tenth of a second, not at its timeout.

The program's stdin is a pipe showdown holds open and never writes to: a program that reads it
(``input()``, ``sys.stdin.read()``, a loop that catches ``EOFError`` and reads again) blocks in
``read`` on that pipe. A watcher looks at every descendant of the started process (through
``/proc/PID/task/*/children``, which also reaches into a bubblewrap PID namespace from the host
side) and its ``/proc/PID/syscall``: a blocked read whose fd is that pipe means the program
waits for a person who will never type. Where ``/proc`` does not tell (another OS, no
permission), nothing is spotted and the wall-clock timeout still ends the program.
"""

from __future__ import annotations

import contextlib
import os
import platform
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["StdinWatch", "blocked_on", "descendants"]

# read, readv and pread64 by architecture (the kernel's syscall table numbers).
_READS = {"x86_64": {0, 17, 19}, "aarch64": {63, 65, 67}}.get(platform.machine(), set())
_FIRST_LOOK_S = 0.02
_EVERY_S = 0.05


def _per_thread(pid: int, name: str) -> list[Path]:
    """``/proc/PID/task/*/NAME``; empty when the process is already gone (it may exit while
    it is looked at: a race, not an error)."""
    try:
        return list(Path(f"/proc/{pid}/task").glob(f"*/{name}"))
    except OSError:
        return []


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children of all its threads, recursively)."""
    found: list[int] = []
    todo = [pid]
    while todo and len(found) < 4096:
        current = todo.pop()
        for children in _per_thread(current, "children"):
            with contextlib.suppress(OSError, ValueError):
                todo += [int(c) for c in children.read_text().split()]
        if current != pid:
            found.append(current)
    return found


def blocked_on(pid: int, pipe: str) -> bool:
    """Whether any thread of ``pid`` is blocked in a read of ``pipe`` ("pipe:[INODE]")."""
    for syscall in _per_thread(pid, "syscall"):
        try:
            fields = syscall.read_text().split()
            if not fields or not fields[0].isdigit() or int(fields[0]) not in _READS:
                continue
            if os.readlink(f"/proc/{pid}/fd/{int(fields[1], 16)}") == pipe:
                return True
        except (OSError, ValueError, IndexError):
            continue
    return False


class StdinWatch(threading.Thread):
    """Polls the process tree under ``pid`` until stopped; calls ``found`` once on a blocked read."""

    def __init__(self, pid: int, pipe_fd: int, found: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self.pid, self.found_callback = pid, found
        self.pipe = f"pipe:[{os.fstat(pipe_fd).st_ino}]"
        self.stopped = threading.Event()
        self.spotted = False

    def run(self) -> None:
        if not _READS:
            return
        wait = _FIRST_LOOK_S
        while not self.stopped.wait(wait):
            wait = _EVERY_S
            if any(blocked_on(p, self.pipe) for p in [self.pid, *descendants(self.pid)]):
                self.spotted = True
                self.found_callback()
                return

    def stop(self) -> None:
        """Stop watching (the process ended); waits for the watcher to finish its look."""
        self.stopped.set()
        self.join(timeout=1.0)
