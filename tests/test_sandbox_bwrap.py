"""The bubblewrap sandbox holds against hostile programs (tests/hostile/) and lets honest ones work.

Every hostile run is checked the same way (tests/hostile_harness.py): the harness comes back,
canaries outside are intact, no secret leaks into the result, the host's 127.0.0.1 got no
connection, no process of the program survives and nothing is left on the host. The second
corpus (bounds, reach, system calls, cleanup) is in tests/test_sandbox_bounds.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_harness import (
    BOUND_S,
    DEFAULT,
    HOSTILE,
    ROOT,
    SECRET_VAR,
    Guard,
    codes,
    guarded,
    needs_bwrap,
    run_hostile,
)

from showdown import diagnose
from showdown.records import ExecResult
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


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Guard]:
    yield from guarded(monkeypatch, tmp_path)


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
    # The first target is bound (read-only): the plant beside it fails as a blocked write. The
    # others are not bound at all: they do not exist inside, whatever their mode outside.
    private = guard.outside / "private.txt"
    targets = [Path("/etc/hosts"), guard.outside / "public.txt", private,
               tmp_path / "canary.txt", guard.outside / "home" / "notes.txt",
               guard.db_dir / "results.sqlite", guard.db_dir]
    result = run_hostile(guard, "touch_outside.py", *map(str, targets), hide=True)
    assert result.limit_hit == "fs_write_blocked"
    assert codes(result) == ["fs_write_blocked"]
    assert "write /etc/hosts failed: [Errno 13] Permission denied" in result.stderr
    for target in targets[1:]:
        assert f"read {target} failed: [Errno 2] No such file or directory" in result.stderr
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
    recorded = second.limits  # what it ran under, stored with every result
    assert recorded["memory_mb"] == DEFAULT.memory_mb and recorded["seccomp"] == 1
    assert recorded["timeout_s"] == DEFAULT.timeout_s and "cgroup" in recorded
    if os.geteuid() == 0:
        assert recorded["disk_mb"] == DEFAULT.disk_mb and recorded["max_files"] == DEFAULT.max_files


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
    inside = Path(sys.base_prefix).resolve() / "include"  # a folder inside a bound one
    try:
        sandbox = BwrapSandbox(hide=[store, inside, Path("/usr"), Path("/"), Path("/tmp")])
        argv = sandbox.command(["true"], workdir=tmp_path, limits=DEFAULT, status_fd=3)
    finally:
        store.rmdir()
    tmpfs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--tmpfs"]
    assert "/usr" not in tmpfs and "/" not in tmpfs and tmpfs.count("/tmp") == 1
    assert str(inside) in tmpfs or not inside.is_dir()
    assert str(store) not in argv  # never bound, so nothing to blank: it is simply absent
    sources = [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--ro-bind", "--bind")]
    assert "/" not in sources and "/var" not in sources and "/usr" in sources


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
        ("OSError: [Errno 28] No space left on device: 'f1496'", None, "disk_limit"),
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
    assert deduce_limit(_run("", exit_code=1), Path("/w"), disk_full=True) == "disk_limit"
    killed = _run("", exit_code=-9, sig=9)  # the cgroup's OOM killer leaves no message
    assert deduce_limit(killed, Path("/w"), group_hit="memory_limit") == "memory_limit"
    assert deduce_limit(killed, Path("/w"), group_hit="process_limit") == "process_limit"
    assert deduce_limit(killed, Path("/w")) is None


@pytest.mark.parametrize(
    "code", ["memory_limit", "file_size_limit", "disk_limit", "process_limit", "network_blocked",
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
    """A program cannot read hidden tests or solutions: the tasks' folders are not bound.

    A copy of a task's hidden tests under /var/tmp, bound back with ``expose``, shows that
    ``hide`` still blanks a folder inside a bound one.
    """
    from showdown.tasks.loader import BUILTIN_DIR

    root = Path(tempfile.mkdtemp(prefix="showdown-tasks-", dir="/var/tmp"))
    try:
        root.chmod(0o755)
        shutil.copytree(BUILTIN_DIR / "feature_in_repo" / "hidden", root / "hidden")
        for path in [root / "hidden", *(root / "hidden").iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        probe = f"import os; print(sorted(os.listdir({str(root / 'hidden')!r})))"
        builtin = f"import os; print(sorted(os.listdir({str(BUILTIN_DIR)!r})))"
        argv = [sys.executable, "-S", "-c", probe]
        with scratch_dir() as workdir:
            shown = BwrapSandbox(expose=[root]).exec(argv, workdir=workdir)
            hidden = BwrapSandbox(expose=[root], hide=[root / "hidden"]).exec(argv, workdir=workdir)
            absent = BwrapSandbox().exec(argv, workdir=workdir)
            package = BwrapSandbox().exec([sys.executable, "-S", "-c", builtin], workdir=workdir)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert shown.exit_code == 0 and "test_" in shown.stdout, shown.stderr  # readable if exposed
    assert hidden.exit_code == 0 and hidden.stdout.strip() == "[]", hidden.stderr
    assert "FileNotFoundError" in absent.stderr and "test_" not in absent.stdout
    assert "FileNotFoundError" in package.stderr and "feature_in_repo" not in package.stdout
