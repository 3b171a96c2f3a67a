"""Running hostile programs (tests/hostile/) under bwrap, and what every such run must leave intact.

Every run is checked the same way: the harness comes back (within a generous bound, not a
timing assertion), canary files outside the sandbox are intact, a secret in the harness's
environment and in private files appears nowhere in the result, a listener on the host's
127.0.0.1 got no connection, no process carrying the run's marker is alive afterwards, and
nothing is left on the host: no work folder, no mount, no cgroup.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from showdown import diagnose
from showdown.records import ExecResult, to_dict
from showdown.sandbox import BwrapSandbox, Limits, bwrap_problem
from showdown.sandbox.base import scratch_dir

__all__ = ["BOUND_S", "DEFAULT", "HOSTILE", "ROOT", "SECRET_VAR", "Guard", "codes",
           "guarded", "leftovers", "needs_bwrap", "run_hostile",
           "run_hostile_then"]

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"
SECRET_VAR = "SHOWDOWN_TEST_SECRET"
#: Long enough for any contained run on a loaded 2-core CI box; only a hang would exceed it.
BOUND_S = 120.0
DEFAULT = Limits()

needs_bwrap = pytest.mark.skipif(
    bwrap_problem() is not None, reason=f"bubblewrap sandbox unavailable: {bwrap_problem()}"
)


@dataclass
class Guard:
    """What a hostile run must leave untouched, and where it lives."""

    secret: str
    outside: Path
    db_dir: Path
    listener: socket.socket
    canaries: dict[Path, tuple[bytes, int]] = field(default_factory=dict)

    def add(self, path: Path, content: str, mode: int) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        path.chmod(mode)
        self.canaries[path] = (path.read_bytes(), mode)
        return path


def guarded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Guard]:
    """For a ``guard`` fixture: canaries in /tmp, /var/tmp, a fake $HOME and a fake store."""
    secret = f"hush-{uuid.uuid4().hex}"
    monkeypatch.setenv(SECRET_VAR, secret)
    outside = Path(tempfile.mkdtemp(prefix="showdown-canary-", dir="/var/tmp"))
    outside.chmod(0o755)
    home = outside / "home"
    monkeypatch.setenv("HOME", str(home))
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    g = Guard(secret, outside, outside / "db", listener)
    g.add(outside / "public.txt", "world-readable, not writable\n", 0o644)
    g.add(outside / "private.txt", f"private {secret}\n", 0o600)
    g.add(home / "notes.txt", f"home {secret}\n", 0o644)
    g.add(tmp_path / "canary.txt", f"tmp {secret}\n", 0o644)
    g.db_dir.mkdir()
    with sqlite3.connect(g.db_dir / "results.sqlite") as db:
        db.execute("CREATE TABLE results (secret TEXT)")
        db.execute("INSERT INTO results VALUES (?)", (secret,))
    g.db_dir.chmod(0o755)
    (g.db_dir / "results.sqlite").chmod(0o644)
    g.canaries[g.db_dir / "results.sqlite"] = ((g.db_dir / "results.sqlite").read_bytes(), 0o644)
    try:
        yield g
    finally:
        listener.close()
        shutil.rmtree(outside, ignore_errors=True)


def _alive_with(marker: str) -> list[int]:
    """Pids of live processes whose command line carries ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def run_hostile(
    guard: Guard, program: str, *args: str, limits: Limits = DEFAULT, hide: bool = False
) -> ExecResult:
    """Run one hostile program under bwrap and check everything every run must leave intact."""
    return run_hostile_then(guard, program, *args, limits=limits, hide=hide)[0]


def run_hostile_then(
    guard: Guard, program: str, *args: str, limits: Limits = DEFAULT, hide: bool = False,
    after: str | None = None, sandbox: BwrapSandbox | None = None,
) -> tuple[ExecResult, ExecResult | None]:
    """``run_hostile``, then (if given) the honest Python code ``after`` in the same folder."""
    sandbox = sandbox or BwrapSandbox(hide=[guard.db_dir] if hide else [])
    marker = f"showdown-hostile-{uuid.uuid4().hex}"
    argv = [sys.executable, "-S", program, marker, os.readlink("/proc/self/ns/pid"), *args]
    files = {name: (HOSTILE / name).read_text() for name in (program, "safety.py")}
    second = None
    with scratch_dir(files) as workdir:
        pool = ThreadPoolExecutor(1)
        try:
            result = pool.submit(sandbox.exec, argv, workdir=workdir, limits=limits).result(
                timeout=BOUND_S
            )
            if after is not None:
                second = pool.submit(sandbox.exec, [sys.executable, "-S", "-c", after],
                                     workdir=workdir).result(timeout=BOUND_S)
        finally:
            pool.shutdown(wait=False)
    assert leftovers(workdir) == [], "the run left something on the host"
    assert "UNSAFE" not in result.stderr, result.stderr  # the program's own safety net tripped
    for path, (content, mode) in guard.canaries.items():
        assert path.read_bytes() == content, f"{path} changed"
        assert path.stat().st_mode & 0o777 == mode
    assert not (guard.outside / "planted.txt").exists()
    assert guard.secret not in json.dumps(to_dict(result)), "a secret leaked into the result"
    with pytest.raises(BlockingIOError):
        guard.listener.accept()
    assert _alive_with(marker) == [], "a process of the program outlived the test"
    assert result.isolation == "bwrap"
    return result, second


def leftovers(workdir: Path) -> list[str]:
    """What a finished run left on the host: its work folder, a mount, its cgroups."""
    found = [str(workdir)] if os.path.lexists(workdir) else []
    mounts = Path("/proc/self/mountinfo").read_text()
    found += [line for line in mounts.splitlines() if str(workdir) in line]
    for hierarchy in ("", "memory", "pids"):
        ours = Path("/sys/fs/cgroup") / hierarchy / "showdown-sandbox"
        if ours.is_dir():
            found += [str(p) for p in ours.glob(f"run-{os.getpid()}-*")]
    return found


def codes(result: ExecResult) -> list[str]:
    return [d.code for d in diagnose.diagnose_runs([result])]


