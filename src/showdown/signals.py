"""Ctrl-C and SIGTERM end a run cleanly: stop generating, stop servers, keep every result.

Both signals become an ``Interrupted`` exception in the main thread, so the run loop's
``finally`` blocks stop managed servers; an ``atexit`` hook stops any that are left.
"""

from __future__ import annotations

import atexit
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from showdown.servers.llamacpp import LIVE_SERVERS

__all__ = ["Interrupted", "graceful_signals", "stop_all_servers"]


class Interrupted(BaseException):
    """The user or the system asked the run to stop; ``exit_code`` is 130 or 143."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


def stop_all_servers() -> None:
    """Stop every managed server still running (idempotent)."""
    for server in list(LIVE_SERVERS):
        server.stop(grace_s=5.0)


atexit.register(stop_all_servers)


@contextmanager
def graceful_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise ``Interrupted`` (once; a second is ignored)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # stopping servers must not be interrupted
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
