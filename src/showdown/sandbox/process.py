"""Process isolation: reliability, not a security boundary.

What it does: a separate process in its own session (so a timeout kills its whole process
group), stdin a pipe that never delivers (a program reading it is stopped at once as
``interactive``, see ``stdin_watch``), a minimal environment (none of the user's keys in *its* environment),
the work folder as cwd, HOME and TMPDIR, capped output. What it does not do: stop the program
reading or writing elsewhere on the machine (showdown's own environment, API keys included,
is readable through ``/proc/<parent>/environ``), opening sockets, or escaping its group with
``setsid``. Only ``--allow-weak-isolation`` runs model code this way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, BinaryIO, cast

from showdown.records import ExecResult
from showdown.sandbox.base import DEFAULT_LIMITS, Limits, Sandbox
from showdown.sandbox.stdin_watch import StdinWatch

__all__ = ["ProcessSandbox", "minimal_env"]

_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"


def minimal_env(workdir: Path) -> dict[str, str]:
    """The whole environment a program under test sees."""
    return {
        "PATH": _SAFE_PATH,
        "HOME": str(workdir),
        "TMPDIR": str(workdir / ".tmp"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }


class _CappedReader(threading.Thread):
    """Drains a pipe, keeping the head up to a cap and the last few KB after it."""

    def __init__(self, pipe: IO[bytes], cap: int) -> None:
        super().__init__(daemon=True)
        self.pipe, self.cap = pipe, cap
        self.head, self.tail = bytearray(), bytearray()
        self.total = 0

    def run(self) -> None:
        tail_cap = max(self.cap // 4, 1024)
        pipe = cast(BinaryIO, self.pipe)
        while chunk := pipe.read1(65536):  # type: ignore[attr-defined]
            self.total += len(chunk)
            room = self.cap - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            if chunk:
                self.tail = (self.tail + chunk)[-tail_cap:]

    def text(self) -> tuple[str, bool]:
        cut = self.total - len(self.head) - len(self.tail)
        body = bytes(self.head)
        if self.tail:
            marker = f"\n[... {cut} bytes cut ...]\n".encode() if cut > 0 else b""
            body += marker + bytes(self.tail)
        return body.decode("utf-8", "replace"), self.total > len(self.head)


class ProcessSandbox(Sandbox):
    """A child process with a clean environment and a hard wall-clock limit."""

    isolation = "process"

    def exec(
        self,
        argv: Sequence[str],
        *,
        workdir: Path,
        limits: Limits = DEFAULT_LIMITS,
        stdin: bytes | None = None,
    ) -> ExecResult:
        (workdir / ".tmp").mkdir(exist_ok=True)
        return run_capped(
            list(argv), cwd=workdir, env=minimal_env(workdir), limits=limits, stdin=stdin,
            isolation=self.isolation,
        )


def run_capped(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    limits: Limits,
    stdin: bytes | None,
    isolation: str,
    shown_argv: list[str] | None = None,
    pass_fds: tuple[int, ...] = (),
) -> ExecResult:
    """Run ``argv`` in a new session, read capped output, kill the group on timeout.

    Without ``stdin`` the program gets a pipe nobody writes to: reading it blocks, the watcher
    sees the blocked read and ends the program (``limit_hit="interactive"``) within ~0.1 s.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        pass_fds=pass_fds,
    )
    assert proc.stdout is not None and proc.stderr is not None
    readers = (_CappedReader(proc.stdout, limits.max_output_bytes),
               _CappedReader(proc.stderr, limits.max_output_bytes))
    for reader in readers:
        reader.start()
    timed_out, interactive = _wait_watched(proc, limits.timeout_s, stdin)
    duration = time.monotonic() - started
    for reader in readers:
        reader.join(timeout=2.0)
    (out, out_cut), (err, err_cut) = readers[0].text(), readers[1].text()
    code = proc.returncode
    return ExecResult(
        argv=shown_argv if shown_argv is not None else argv,
        exit_code=None if timed_out or interactive else code,
        stdout=out,
        stderr=err,
        duration_s=round(duration, 4),
        timed_out=timed_out,
        signal=-code if code is not None and code < 0 and not interactive else None,
        stdout_truncated=out_cut,
        stderr_truncated=err_cut,
        isolation=isolation,
        limit_hit="timeout" if timed_out else "interactive" if interactive else None,
        limits={"timeout_s": limits.timeout_s, "max_output_bytes": limits.max_output_bytes},
    )


def _wait_watched(proc: subprocess.Popen[bytes], timeout_s: float,
                  stdin: bytes | None) -> tuple[bool, bool]:
    """(timed out, stopped waiting for input): the wait, with stdin watched when not fed."""
    watch = None
    if stdin is None and proc.stdin is not None:
        watch = StdinWatch(proc.pid, proc.stdin.fileno(), lambda: _kill_group(proc.pid))
        watch.start()
    try:
        timed_out = _wait_with_watchdog(proc, timeout_s, stdin)
    finally:
        if watch is not None:
            watch.stop()
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
    return timed_out, watch is not None and watch.spotted and not timed_out


def _wait_with_watchdog(proc: subprocess.Popen[bytes], timeout_s: float,
                        stdin: bytes | None) -> bool:
    """Feed stdin, wait for the process, kill its group; True when the timeout fired.

    A watchdog thread and a blocking wait, not wait(timeout=): that polls with sleeps growing
    to 50 ms, adding ~25 ms to a 40 ms command. Started before feeding stdin so a program that
    never reads it cannot block us past the limit either.
    """
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _kill_group(proc.pid)

    watchdog = threading.Timer(timeout_s, expire)
    watchdog.start()
    try:
        if stdin is not None and proc.stdin is not None:
            _feed(proc.stdin, stdin)
        proc.wait()
    finally:
        # Also when the harness is interrupted mid-test: no process of the program survives.
        watchdog.cancel()
        _kill_group(proc.pid)
    return expired.is_set()


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except BrokenPipeError:
        pass


def _kill_group(pgid: int) -> None:
    # The group outlives its leader when children linger; kill it whatever the leader did.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
