"""A managed ``llama-server``: spawn it, wait for ``/health``, time the load, always stop it.

llama-server answers ``/health`` with 503 while loading and 200 when ready (its README, "GET
/health"). The server's log goes to a file whose last lines explain a failed start.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from showdown.errors import ServerError

__all__ = ["LIVE_SERVERS", "ManagedServer", "ServerError", "free_port", "server_version"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

#: Every server started and not yet stopped, so a signal handler can stop them all.
LIVE_SERVERS: set[ManagedServer] = set()



def _new_log() -> Path:
    fd, name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
    os.close(fd)
    return Path(name)


def _die_with_parent() -> None:
    """In the child: SIGTERM when showdown dies, even by SIGKILL, so no server is orphaned."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_version(binary: Path) -> str | None:
    """What ``llama-server --version`` says, or None if it says nothing useful."""
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                             timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [ln for ln in (out.stdout + out.stderr).splitlines() if ln.startswith("version")]
    return lines[0].split(":", 1)[1].strip() if lines else None


@dataclass(eq=False)
class ManagedServer:
    """One llama-server child process serving one model on 127.0.0.1."""

    binary: Path
    model: Path
    ctx: int
    n_gpu_layers: int = 0
    extra_args: list[str] = field(default_factory=list)
    health_timeout_s: float = 600.0
    port: int = field(default_factory=free_port)
    load_s: float | None = None
    log_path: Path = field(default_factory=lambda: _new_log())
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def command(self) -> list[str]:
        return [str(self.binary), "-m", str(self.model), "-c", str(self.ctx),
                "--n-gpu-layers", str(self.n_gpu_layers), "--host", "127.0.0.1",
                "--port", str(self.port),
                # One slot: the whole context serves the one request being measured.
                "--parallel", "1", *self.extra_args]

    def start(self) -> float:
        """Start and wait until healthy; returns the load time in seconds."""
        started = time.monotonic()
        try:
            with self.log_path.open("wb") as log:
                self._proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                              stdin=subprocess.DEVNULL, start_new_session=True,
                                              preexec_fn=_die_with_parent)
        except OSError as exc:
            raise ServerError(f"cannot run {self.binary}: {exc.strerror or exc} (pass a working "
                              "binary with --llama-server, or run `showdown setup`)") from exc
        LIVE_SERVERS.add(self)
        try:
            self._wait_healthy(started)
        except BaseException:
            self.stop()
            raise
        self.load_s = round(time.monotonic() - started, 3)
        return self.load_s

    def _wait_healthy(self, started: float) -> None:
        assert self._proc is not None
        with httpx.Client(timeout=5.0) as client:
            while True:
                if (code := self._proc.poll()) is not None:
                    raise ServerError(f"llama-server exited with code {code} while loading "
                                      f"{self.model.name}: {self.log_tail()} (log: {self.log_path})")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.base_url}/health").status_code == 200:
                        return
                if time.monotonic() - started > self.health_timeout_s:
                    raise ServerError(f"llama-server not healthy after {self.health_timeout_s:g} s "
                                      f"(raise --health-timeout for big models): {self.log_tail()} "
                                      f"(log: {self.log_path})")
                time.sleep(0.1)

    def alive(self, grace_s: float = 0.0) -> bool:
        """Whether the server still runs; ``grace_s`` waits that long for a dying one to exit."""
        if self._proc is None:
            return False
        if grace_s:
            try:
                self._proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                return True
        return self._proc.poll() is None

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        tail = [ln.strip() for ln in text.splitlines() if ln.strip()][-lines:]
        return " | ".join(tail) or "(empty log)"

    def gpu_layers(self) -> tuple[int, int | None] | None:
        """(layers offloaded, layer count) as the server's own log states, or None if unsaid.

        What was asked for is not what happened: a CPU-only build ignores --n-gpu-layers.
        """
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return None
        if found := re.search(r"offloaded (\d+)/(\d+) layers to GPU", text):
            return int(found.group(1)), int(found.group(2))
        if "no usable GPU found" in text:
            return 0, None
        return None

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``grace_s``; safe to call twice. The log is removed after
        a clean run and kept after a failure (its path and last lines are in the error)."""
        LIVE_SERVERS.discard(self)
        proc, self._proc = self._proc, None
        if proc is None:
            return
        exited_by_itself = proc.poll() is not None
        if not exited_by_itself:
            self._terminate(proc, grace_s)
        if self.load_s is not None and not exited_by_itself:
            with contextlib.suppress(OSError):
                self.log_path.unlink()

    @staticmethod
    def _terminate(proc: subprocess.Popen[bytes], grace_s: float) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
