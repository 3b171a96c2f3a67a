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

__all__ = ["Interrupted", "deferred", "graceful_signals", "stop_all_servers"]


class Interrupted(BaseException):
    """The user or the system asked the run to stop; ``exit_code`` is 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum
        #: The run that was going on, set by the run loop as the exception passes through.
        self.run_id: str | None = None


def stop_all_servers() -> None:
    """Stop every managed server still running (idempotent)."""
    for server in list(LIVE_SERVERS):
        server.stop(grace_s=5.0)


atexit.register(stop_all_servers)

#: SIGHUP too: closing the terminal a run was started from must not orphan its servers.
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_state: dict[str, int | bool | None] = {"deferring": False, "pending": None}


@contextmanager
def graceful_signals() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise ``Interrupted`` (once; later ones
    are ignored so that stopping servers is not itself interrupted)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        if _state["deferring"]:
            _state["pending"] = signum
            return
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def deferred() -> Iterator[None]:
    """A signal arriving inside the block takes effect when it ends: a result being written
    is written whole, not rolled back and lost."""
    _state["deferring"] = True
    try:
        yield
    finally:
        _state["deferring"] = False
        pending, _state["pending"] = _state["pending"], None
        if isinstance(pending, int):
            raise Interrupted(pending)
