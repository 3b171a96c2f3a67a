"""The bubblewrap sandbox holds against hostile programs (tests/hostile/) and lets honest ones work.

Every hostile run is checked the same way: the harness comes back (within a generous bound, not
a timing assertion), canary files outside the sandbox are intact, a secret in the harness's
environment and in private files appears nowhere in the result, a listener on the host's
127.0.0.1 got no connection and no process carrying the run's marker is alive afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
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
from showdown.sandbox import (
    BwrapSandbox,
    Limits,
    ProcessSandbox,
    SandboxUnavailable,
    bwrap_problem,
    default_sandbox,
)
from showdown.sandbox.base import scratch_dir
from showdown.sandbox.bwrap import SANDBOX_UID, deduce_limit
from showdown.tasks import Answer, find_task

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


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Guard]:
    """Canaries in /tmp, in /var/tmp (outside /tmp), in a fake $HOME and a fake results store."""
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
    sandbox = BwrapSandbox(hide=[guard.db_dir] if hide else [])
    marker = f"showdown-hostile-{uuid.uuid4().hex}"
    argv = [sys.executable, "-S", program, marker, os.readlink("/proc/self/ns/pid"), *args]
    files = {name: (HOSTILE / name).read_text() for name in (program, "safety.py")}
    with scratch_dir(files) as workdir:
        pool = ThreadPoolExecutor(1)
        try:
            result = pool.submit(sandbox.exec, argv, workdir=workdir, limits=limits).result(
                timeout=BOUND_S
            )
        finally:
            pool.shutdown(wait=False)
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
    return result


def codes(result: ExecResult) -> list[str]:
    return [d.code for d in diagnose.diagnose_runs([result])]


@needs_bwrap
def test_fork_bomb_hits_the_process_limit(guard: Guard) -> None:
    result = run_hostile(guard, "fork_bomb.py", limits=Limits(max_processes=32))
    assert result.limit_hit == "process_limit"
    assert codes(result) == ["process_limit"]


@needs_bwrap
def test_memory_hog_hits_the_memory_limit(guard: Guard) -> None:
    result = run_hostile(guard, "memory_hog.py", limits=Limits(memory_mb=96))
    assert result.limit_hit == "memory_limit"
    assert "MemoryError" in result.stderr
    assert codes(result) == ["memory_limit"]


@needs_bwrap
def test_huge_file_hits_the_file_size_limit(guard: Guard) -> None:
    result = run_hostile(guard, "huge_file.py", limits=Limits(file_size_mb=4))
    assert result.limit_hit == "file_size_limit"
    assert codes(result) == ["file_size_limit"]


@needs_bwrap
def test_spinning_forever_is_killed_at_the_wall_clock_timeout(guard: Guard) -> None:
    result = run_hostile(guard, "spin.py", limits=Limits(timeout_s=2))
    assert result.timed_out and result.exit_code is None
    assert result.limit_hit == "timeout"
    assert codes(result) == ["timeout"]


@needs_bwrap
def test_spinning_is_stopped_by_the_cpu_limit(guard: Guard) -> None:
    result = run_hostile(guard, "spin.py", limits=Limits(timeout_s=60, cpu_s=1))
    assert not result.timed_out
    assert result.signal == signal.SIGXCPU
    assert result.limit_hit == "timeout"
    assert codes(result) == ["timeout"]


@needs_bwrap
@pytest.mark.parametrize("parent", ["exit", "spin"])
def test_a_setsid_grandchild_dies_with_the_test(guard: Guard, parent: str) -> None:
    result = run_hostile(guard, "setsid_grandchild.py", parent, limits=Limits(timeout_s=3))
    assert "detached a grandchild" in result.stdout
    if parent == "exit":
        assert result.exit_code == 0 and not result.timed_out
    else:
        assert result.timed_out and codes(result) == ["timeout"]


@needs_bwrap
def test_files_outside_cannot_be_read_changed_or_deleted(guard: Guard, tmp_path: Path) -> None:
    private = guard.outside / "private.txt"
    targets = [guard.outside / "public.txt", private, tmp_path / "canary.txt",
               guard.outside / "home" / "notes.txt", guard.db_dir / "results.sqlite",
               guard.db_dir]
    result = run_hostile(guard, "touch_outside.py", *map(str, targets), hide=True)
    assert result.limit_hit == "fs_write_blocked"
    assert codes(result) == ["fs_write_blocked"]
    assert f"read {private} failed: [Errno 13] Permission denied" in result.stderr
    root_listing = next(ln for ln in result.stdout.splitlines() if ln.startswith("listing /root"))
    for entry in os.listdir("/root"):
        if not Path(sys.base_prefix).is_relative_to(Path("/root") / entry):
            assert repr(entry) not in root_listing, f"/root/{entry} is visible"


@needs_bwrap
def test_the_environment_and_other_processes_are_out_of_sight(guard: Guard) -> None:
    result = run_hostile(guard, "read_secrets.py")
    assert result.exit_code == 0
    assert SECRET_VAR not in result.stdout
    visible = next(ln for ln in result.stdout.splitlines() if ln.startswith("visible pids:"))
    assert int(visible.split()[2]) <= 2  # the namespace's init and the program itself
    env = json.loads(
        result.stdout.splitlines()[0].split(": ", 1)[1].replace("'", '"')
    )
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "TZ", "PWD",
                        "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING", "LC_CTYPE"}


@needs_bwrap
def test_network_is_blocked_both_to_localhost_and_out(guard: Guard) -> None:
    port = guard.listener.getsockname()[1]
    result = run_hostile(guard, "network.py", str(port))
    assert "Network is unreachable" in result.stderr
    assert f"connect 127.0.0.1 {port} failed" in result.stderr
    assert result.limit_hit == "network_blocked"
    assert codes(result) == ["network_blocked"]


@needs_bwrap
def test_signals_reach_neither_the_harness_nor_a_bystander(guard: Guard) -> None:
    # The bystander runs as the sandbox's own uid, so only the PID namespace protects it.
    as_nobody = {"user": SANDBOX_UID, "group": SANDBOX_UID} if os.geteuid() == 0 else {}
    bystander = subprocess.Popen(["sleep", "300"], **as_nobody)  # type: ignore[call-overload]
    try:
        result = run_hostile(guard, "kill_others.py", str(os.getpid()), str(bystander.pid))
        assert bystander.poll() is None, "the bystander was killed"
    finally:
        bystander.kill()
        bystander.wait()
    assert "ProcessLookupError" in result.stderr
    assert codes(result) == ["crashed"]


def test_the_hostile_programs_refuse_to_run_outside_a_sandbox() -> None:
    # Their safety net: a sandbox regression must fail a test, never fork-bomb or kill -1 the
    # machine running the suite. The probe program is benign; only its verdict is checked.
    probe = "import safety\nsafety.check()\nprint('would misbehave now')\n"
    files = {"probe.py": probe, "safety.py": (HOSTILE / "safety.py").read_text()}
    with scratch_dir(files) as workdir:
        argv = [sys.executable, "-S", "probe.py", "marker", os.readlink("/proc/self/ns/pid")]
        result = ProcessSandbox().exec(argv, workdir=workdir)
    assert result.exit_code == 99
    assert "UNSAFE" in result.stderr and "would misbehave" not in result.stdout


HONEST = '''
import argparse, os, sqlite3, subprocess, sys, tempfile, threading, time
parser = argparse.ArgumentParser()
parser.add_argument("name")
args = parser.parse_args()
with sqlite3.connect("own.db") as db:
    db.execute("CREATE TABLE IF NOT EXISTS t (name TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (args.name,))
    rows = db.execute("SELECT count(*) FROM t").fetchone()[0]
with open("notes.txt", "a") as f:
    f.write(args.name + "\\n")
with tempfile.NamedTemporaryFile(delete=False) as tmp:
    tmp.write(b"scratch")
with open("/tmp/scratch.txt", "w") as f:
    f.write("private tmp")
threads = [threading.Thread(target=time.sleep, args=(0.05,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
child = subprocess.run([sys.executable, "-S", "-c", "print('child ok')"], capture_output=True,
                       text=True, check=True).stdout.strip()
print(rows, sorted(os.listdir(".")), child, time.strftime("%Z"), os.environ["HOME"] == os.getcwd())
'''


@needs_bwrap
def test_honest_code_still_works() -> None:
    sandbox = BwrapSandbox()
    with scratch_dir({"honest.py": HONEST}) as workdir:
        argv = [sys.executable, "-S", "honest.py"]
        first = sandbox.exec([*argv, "alice"], workdir=workdir)
        second = sandbox.exec([*argv, "bob"], workdir=workdir)
    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 0, second.stderr
    assert second.stdout.startswith("2 [")
    assert "'honest.py', 'notes.txt', 'own.db'" in second.stdout
    assert second.stdout.rstrip().endswith("child ok UTC True")
    assert second.limit_hit is None and codes(second) == []


@needs_bwrap
def test_the_known_good_todo_app_scores_100_under_bwrap() -> None:
    answer = (ROOT / "examples" / "answers" / "clean.md").read_text()
    verdict = find_task("todo-cli").judge(Answer(answer), BwrapSandbox())
    assert verdict.isolation == "bwrap"
    assert verdict.score == 100, [(t.name, t.detail) for t in verdict.functional]
    assert verdict.diagnoses == []


@needs_bwrap
def test_default_sandbox_is_bwrap_where_it_works() -> None:
    assert isinstance(default_sandbox(), BwrapSandbox)


@needs_bwrap
def test_hide_blanks_named_folders_but_never_the_system_or_the_private_tmp(tmp_path: Path) -> None:
    store = Path(tempfile.mkdtemp(prefix="showdown-store-", dir="/var/tmp"))
    try:
        sandbox = BwrapSandbox(hide=[store, Path("/usr"), Path("/"), Path("/tmp")])
        argv = sandbox.command(["true"], workdir=tmp_path, limits=DEFAULT, status_fd=3)
    finally:
        store.rmdir()
    tmpfs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--tmpfs"]
    assert str(store) in tmpfs and "/usr" not in tmpfs and "/" not in tmpfs
    assert tmpfs.count("/tmp") == 1


def test_without_bwrap_default_sandbox_refuses_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no bwrap on PATH
    bwrap_problem.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable) as refused:
            default_sandbox()
        weak = default_sandbox(allow_weak=True)
    finally:
        bwrap_problem.cache_clear()
    message = str(refused.value)
    assert "\n" not in message
    assert "apt-get install bubblewrap" in message and "--allow-weak-isolation" in message
    assert isinstance(weak, ProcessSandbox) and weak.isolation == "process"


def test_score_cli_flag_accepts_weak_isolation_and_records_it(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path), "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path)}
    cmd = [sys.executable, "-m", "showdown", "score", "--json",
           str(ROOT / "examples" / "answers" / "clean.md")]
    refused = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=BOUND_S)
    assert refused.returncode == 2
    assert "--allow-weak-isolation" in refused.stderr
    weak = subprocess.run([*cmd, "--allow-weak-isolation"], env=env, capture_output=True,
                          text=True, timeout=BOUND_S)
    assert weak.returncode == 0, weak.stderr
    (verdict,) = json.loads(weak.stdout)  # score --json: always a list
    assert verdict["isolation"] == "process" and verdict["score"] == 100


def _run(stderr: str, exit_code: int | None = 1, sig: int | None = None) -> ExecResult:
    return ExecResult(["python", "x.py"], exit_code, "", stderr, 0.1, signal=sig,
                      isolation="bwrap")


@pytest.mark.parametrize(
    ("stderr", "sig", "expected"),
    [
        ("", 25, "file_size_limit"),  # SIGXFSZ
        ("", 24, "timeout"),  # SIGXCPU
        ("OSError: [Errno 27] File too large", None, "file_size_limit"),
        ("    os.fork()\nBlockingIOError: [Errno 11] Resource temporarily unavailable", None,
         "process_limit"),
        ("RuntimeError: can't start new thread", None, "process_limit"),
        ("MemoryError", None, "memory_limit"),
        ("OSError: [Errno 101] Network is unreachable", None, "network_blocked"),
        ("ConnectionRefusedError: [Errno 111] Connection refused", None, "network_blocked"),
        ("OSError: [Errno 30] Read-only file system: '/etc/x'", None, "fs_write_blocked"),
        ("PermissionError: [Errno 13] Permission denied: '/etc/shadow'", None, "fs_write_blocked"),
        ("PermissionError: [Errno 13] Permission denied: '/w/own.db'", None, None),
        ("PermissionError: [Errno 13] Permission denied: 'own.db'", None, None),
        ("ValueError: bad", None, None),
    ],
)
def test_deduce_limit_reads_signals_and_tracebacks(
    stderr: str, sig: int | None, expected: str | None
) -> None:
    assert deduce_limit(_run(stderr, -sig if sig else 1, sig), Path("/w")) == expected


def test_deduce_limit_ignores_runs_that_succeeded_and_trusts_its_own_accounting() -> None:
    assert deduce_limit(_run("MemoryError", exit_code=0), Path("/w")) is None
    assert deduce_limit(_run("", exit_code=1), Path("/w"), file_at_limit=True) == "file_size_limit"


@pytest.mark.parametrize(
    "code", ["memory_limit", "file_size_limit", "process_limit", "network_blocked",
             "fs_write_blocked", "timeout"],
)
def test_every_limit_becomes_a_diagnosis(code: str) -> None:
    run = _run("Traceback (most recent call last):\nOSError: boom")
    run.limit_hit = code
    found = diagnose.diagnose_runs([run])
    assert [d.code for d in found] == [code]
    assert "x.py" in found[0].message


@needs_bwrap
def test_a_virtualenv_under_tmp_still_runs(tmp_path: Path) -> None:
    """A checkout in /tmp (CI clones there) keeps its interpreter despite the private /tmp."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    with scratch_dir() as workdir:
        run = BwrapSandbox().exec([str(python), "-S", "-c", "import sys; print(sys.executable)"],
                                  workdir=workdir)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == str(python)


@needs_bwrap
def test_hidden_task_files_are_out_of_reach() -> None:
    """The CLI hides the tasks' folders: a program cannot read hidden tests or solutions.

    A copy of a task's hidden tests under /var/tmp stands in for the package: the checkout may
    itself live under /tmp (CI clones there), which the sandbox's private /tmp already hides.
    """
    from showdown.tasks.loader import BUILTIN_DIR

    root = Path(tempfile.mkdtemp(prefix="showdown-tasks-", dir="/var/tmp"))
    try:
        root.chmod(0o755)
        shutil.copytree(BUILTIN_DIR / "feature_in_repo" / "hidden", root / "hidden")
        for path in [root / "hidden", *(root / "hidden").iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        probe = f"import os; print(sorted(os.listdir({str(root / 'hidden')!r})))"
        with scratch_dir() as workdir:
            shown = BwrapSandbox().exec([sys.executable, "-S", "-c", probe], workdir=workdir)
            hidden = BwrapSandbox(hide=[root]).exec([sys.executable, "-S", "-c", probe],
                                                    workdir=workdir)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert shown.exit_code == 0 and "test_" in shown.stdout, shown.stderr  # readable unless hidden
    assert "test_" not in hidden.stdout and "test_" not in hidden.stderr
