"""Namespace isolation with bubblewrap: the sandbox that is meant as a security boundary.

What IS a boundary (each held by the kernel, not by the program's good manners):

- Processes: a new PID namespace. The program sees and can signal only its own processes, never
  the harness or anything else on the machine. When the test ends (the program exits or the
  wall-clock timeout fires) the namespace's init dies and the kernel kills every descendant,
  ``setsid`` grandchildren included; ``exec`` returns only once they are gone.
- Identity: the program runs as uid/gid 65534 (nobody) with no capabilities and no_new_privs
  (setuid binaries do not elevate). As root, bwrap builds the namespaces and ``setpriv`` drops to
  the real uid 65534, so the process-count rlimit binds (it never binds uid 0). As another user,
  a user namespace maps that user to 65534 inside and forbids nested user namespaces.
- Files: a new mount namespace with ``/`` read-only. Only the work folder is writable, plus a
  private, size-capped ``/tmp``. ``/root``, ``/home``, the caller's ``$HOME``, ``/run`` (host
  sockets) and any folder the caller names in ``hide`` (e.g. the results database's) are
  replaced by empty read-only tmpfs; the interpreter's own prefix is bound back read-only when
  it lives under one of them. ``/dev`` and ``/proc`` are fresh and minimal.
- Network: its own network namespace with only a loopback device, so no internet, no services
  on the host's 127.0.0.1 and no host abstract Unix sockets.
- Environment: cleared; the program sees only ``minimal_env`` (PATH, HOME, TMPDIR, LANG, TZ).
- Resources per process: CPU seconds, address space (``memory_mb`` on top of an interpreter
  budget), file size, open files, processes, no core dumps; output read with caps (tail kept).

What is NOT a boundary:

- The kernel itself: no seccomp filter, so a kernel exploit escapes; as root the program may
  still create user namespaces of its own (more kernel surface, no more host rights).
- Reading: anything world-readable outside the hidden folders can be read (``/etc``, ``/usr``,
  source trees, ``/var/tmp``). Running as root the program is ``nobody``, so mode-0600 files
  are safe; running as another user, inside the namespace it *is* that user, so that user's own
  files outside the hidden folders are readable whatever their mode.
- Totals: RLIMIT_AS is per process, so memory in all is up to ``max_processes`` times the
  budget (no cgroup); disk use in the work folder is capped per file, not in total; as root the
  process count is counted per uid across the machine, so concurrent sandboxes share it.
- Side channels (timing, CPU load, ``/sys`` hardware facts) and the hostname's absence.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from showdown.records import ExecResult
from showdown.sandbox.base import DEFAULT_LIMITS, Limits, Sandbox, SandboxUnavailable
from showdown.sandbox.process import minimal_env, run_capped

__all__ = ["SANDBOX_UID", "BwrapSandbox", "deduce_limit", "tool_problem"]

#: The user id the program runs as (``nobody``).
SANDBOX_UID = 65534
#: Address space an interpreter needs before the program allocates anything: Python itself is
#: ~16 MiB, but each thread reserves an 8 MiB stack and glibc a 64 MiB malloc arena.
INTERPRETER_AS_MB = 256
_MB = 1024 * 1024
_TMP_MB = 64
# Folders the program needs to run at all: ``hide`` never blanks these or a folder above them.
_SYSTEM = tuple(Path(p) for p in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/var"))
# Already a fresh tmpfs of the sandbox's own, whatever ``hide`` says.
_PRIVATE = (Path("/tmp"), Path("/run"))

_MEMORY = re.compile(r"\bMemoryError\b|Cannot allocate memory|out of memory|bad_alloc")
_FILE_SIZE = re.compile(r"File too large|\[Errno 27\]")
_PROCESSES = re.compile(r"can't start new thread|fork: (retry: )?Resource temporarily unavailable")
_FORKING = re.compile(r"\bfork\b|Popen|spawn|Process|Thread|exec")
_NETWORK = re.compile(
    r"Network is unreachable|Connection refused|No route to host|Cannot assign requested address"
    r"|Temporary failure in name resolution|Name or service not known"
)
_DENIED = re.compile(r"\[Errno 13\] Permission denied: '([^']*)'")


def tool_problem() -> str | None:
    """What is missing for this sandbox (bwrap, prlimit, setpriv), or None when all are there."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    if shutil.which("prlimit") is None:
        return "prlimit is not installed (apt-get install util-linux)"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv is not installed (apt-get install util-linux)"
    return None


class BwrapSandbox(Sandbox):
    """Runs each command in fresh Linux namespaces as ``nobody`` with rlimits (see module doc)."""

    isolation = "bwrap"

    def __init__(self, *, hide: Sequence[Path] = (), expose: Sequence[Path] = ()) -> None:
        """``hide``: extra folders to blank out; ``expose``: read-only folders to bind back."""
        problem = tool_problem()
        if problem is not None:
            raise SandboxUnavailable(problem)
        self.bwrap = shutil.which("bwrap") or "bwrap"
        self.prlimit = shutil.which("prlimit") or "prlimit"
        self.setpriv = shutil.which("setpriv") or "setpriv"
        self.as_root = os.geteuid() == 0
        self.hide = [Path(p) for p in hide]
        self.expose = [Path(p) for p in expose]

    def exec(
        self,
        argv: Sequence[str],
        *,
        workdir: Path,
        limits: Limits = DEFAULT_LIMITS,
        stdin: bytes | None = None,
    ) -> ExecResult:
        workdir = workdir.resolve()
        (workdir / ".tmp").mkdir(exist_ok=True)
        if self.as_root:
            _hand_over(workdir, SANDBOX_UID)
        with tempfile.TemporaryFile() as status:
            command = self.command(argv, workdir=workdir, limits=limits, status_fd=status.fileno())
            result = run_capped(
                command, cwd=workdir, env=minimal_env(workdir), limits=limits, stdin=stdin,
                isolation=self.isolation, shown_argv=list(argv), pass_fds=(status.fileno(),),
            )
            status.seek(0)
            report = _read_status(status.read())
        _wait_namespace_gone(report)
        if "exit-code" not in report and not result.timed_out and not result.limit_hit:
            last = result.stderr.strip().splitlines()[-1:] or ["no message"]
            raise SandboxUnavailable(f"bwrap could not set up the sandbox: {last[0]}")
        return _finish(result, limits, workdir)

    def command(
        self, argv: Sequence[str], *, workdir: Path, limits: Limits, status_fd: int
    ) -> list[str]:
        """The full command line: bwrap, then prlimit, then (as root) setpriv, then ``argv``."""
        env = minimal_env(workdir)
        return [
            self.bwrap,
            *self._namespaces(),
            "--die-with-parent", "--new-session", "--hostname", "sandbox",
            *self._mounts(argv, workdir),
            "--clearenv", *[a for k, v in env.items() for a in ("--setenv", k, v)],
            "--chdir", str(workdir), "--json-status-fd", str(status_fd),
            "--", *self._limits(limits), *self._drop_privileges(), *argv,
        ]

    def _namespaces(self) -> list[str]:
        if self.as_root:
            # No user namespace: the real uid must become 65534 for RLIMIT_NPROC to bind.
            return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                    "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        uid = str(SANDBOX_UID)
        return ["--unshare-all", "--unshare-user", "--disable-userns", "--uid", uid, "--gid", uid]

    def _mounts(self, argv: Sequence[str], workdir: Path) -> list[str]:
        hidden = _hidden_dirs(["/root", "/home", os.environ.get("HOME", "/root"), *self.hide])
        tmpfs_roots = [Path("/tmp"), *hidden]
        args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--perms", "1777", "--size", str(_TMP_MB * _MB), "--tmpfs", "/tmp",
                "--size", str(_MB), "--tmpfs", "/run"]
        for path in hidden:
            args += ["--size", str(_MB), "--tmpfs", str(path)]
        for path in _exposed(argv, self.expose, tmpfs_roots):
            args += [*_make_parents(path, tmpfs_roots), "--ro-bind", str(path), str(path)]
        args += [*_make_parents(workdir, tmpfs_roots), "--bind", str(workdir), str(workdir)]
        for path in hidden:
            args += ["--remount-ro", str(path)]
        return args

    def _limits(self, limits: Limits) -> list[str]:
        address_space = (limits.memory_mb + INTERPRETER_AS_MB) * _MB
        return [
            self.prlimit,
            f"--cpu={limits.cpu_s}:{limits.cpu_s + 1}",
            f"--as={address_space}",
            f"--fsize={limits.file_size_mb * _MB}",
            f"--nofile={limits.max_open_files}",
            f"--nproc={limits.max_processes}",
            "--core=0",
            "--",
        ]

    def _drop_privileges(self) -> list[str]:
        if not self.as_root:
            return []
        uid = str(SANDBOX_UID)
        return [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def _hidden_dirs(candidates: Iterable[str | Path]) -> list[Path]:
    """Existing folders to blank out, outermost only, never one holding the system itself."""
    found: list[Path] = []
    for candidate in candidates:
        path = Path(candidate).resolve()
        holds_system = any(path == s or path in s.parents for s in _SYSTEM)
        private = any(path == p or p in path.parents for p in _PRIVATE)
        if not (holds_system or private) and path.is_dir() and path not in found:
            found.append(path)
    return sorted(p for p in found if not any(o != p and o in p.parents for o in found))


def _exposed(argv: Sequence[str], extra: Sequence[Path], hidden: list[Path]) -> list[Path]:
    """The interpreter's prefixes (and ``extra``) that lie inside a hidden folder or ``/tmp``.

    A checkout (and its virtualenv) under ``/tmp`` is common, CI clones included: without this
    the interpreter would vanish behind the sandbox's private ``/tmp``.
    """
    wanted = [Path(sys.base_prefix), Path(sys.prefix), *extra]
    program = shutil.which(argv[0], path=minimal_env(Path("/"))["PATH"]) if argv else None
    if program:
        # Both the link (a virtualenv's bin/python) and what it points to must be visible.
        wanted += [Path(program).parent.parent, Path(program).resolve().parent.parent]
    inside = {p.resolve() for p in wanted
              if p.exists() and any(h in p.resolve().parents for h in hidden)}
    return sorted(inside, key=lambda p: len(p.parts))


def _make_parents(path: Path, tmpfs_roots: list[Path]) -> list[str]:
    """``--dir`` the folders between a tmpfs and ``path`` as 0755 (bwrap would make them 0700)."""
    root = next((r for r in tmpfs_roots if r in path.parents), None)
    if root is None:
        return []
    between = [p for p in reversed(path.parents) if root in p.parents]
    return [a for p in between for a in ("--perms", "0755", "--dir", str(p))]


def _hand_over(workdir: Path, uid: int) -> None:
    """Give the work folder to the sandbox user; never follows a link the program made.

    (A hard link to a file outside cannot be there: link() across mounts fails with EXDEV.)
    """
    for root, dirs, files in os.walk(workdir):
        for name in [*dirs, *files]:
            os.chown(Path(root) / name, uid, uid, follow_symlinks=False)
    os.chown(workdir, uid, uid, follow_symlinks=False)


def _read_status(raw: bytes) -> dict[str, int]:
    """Merge the JSON objects bwrap writes to ``--json-status-fd`` (child-pid, exit-code...).

    The program never sees this fd; the first value of each key is kept all the same.
    """
    merged: dict[str, int] = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.strip().startswith("{"):
            for key, value in json.loads(line).items():
                merged.setdefault(key, value)
    return merged


def _wait_namespace_gone(report: dict[str, int], deadline_s: float = 5.0) -> None:
    """Block until the namespace's init (and so every process in it) has exited."""
    pid, ns = report.get("child-pid"), report.get("pid-namespace")
    if pid is None:
        return
    end = time.monotonic() + deadline_s
    while time.monotonic() < end and _running_in(pid, ns):
        # Normally already dying (--die-with-parent); SIGKILL from outside is allowed, and
        # _running_in checked the namespace, so a reused pid is never hit.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)


def _running_in(pid: int, ns: int | None) -> bool:
    """Whether ``pid`` is a live (not zombie) process in pid namespace ``ns``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        link = os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:  # gone, or a zombie whose namespace links are already released
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X") and (ns is None or link == f"pid:[{ns}]")


def _finish(result: ExecResult, limits: Limits, workdir: Path) -> ExecResult:
    """Turn bwrap's 128+N exit status back into a signal and name the limit the program hit."""
    code, sig = result.exit_code, result.signal
    if code is not None and 128 < code <= 128 + 64:
        code, sig = -(code - 128), code - 128
    result = dataclasses.replace(result, exit_code=code, signal=sig)
    at_limit = _file_at_limit(workdir, limits.file_size_mb * _MB)
    # "interactive" is the watcher's word (see stdin_watch); nothing to deduce for it.
    limit = result.limit_hit if result.limit_hit == "interactive" else None
    return dataclasses.replace(result, limit_hit=limit or deduce_limit(result, workdir, at_limit))


def _file_at_limit(workdir: Path, cap: int) -> bool:
    for root, _dirs, files in os.walk(workdir):
        for name in files:
            try:
                # lstat: a link the program planted must not make the harness read elsewhere.
                if os.lstat(Path(root) / name).st_size >= cap:
                    return True
            except OSError:  # the program may chmod or remove its own files; not our fault
                continue
    return False


def deduce_limit(run: ExecResult, workdir: Path, file_at_limit: bool = False) -> str | None:
    """The sandbox limit a failed run hit, from its signal, its stderr and the folder (pure)."""
    if run.timed_out:
        return "timeout"
    if run.exit_code == 0:
        return None
    err = run.stderr
    if run.signal == signal.SIGXCPU:
        return "timeout"
    if run.signal == signal.SIGXFSZ or _FILE_SIZE.search(err) or file_at_limit:
        return "file_size_limit"
    if _PROCESSES.search(err) or ("BlockingIOError" in err and _FORKING.search(err)):
        return "process_limit"
    if _MEMORY.search(err):
        return "memory_limit"
    if _NETWORK.search(err):
        return "network_blocked"
    if "Read-only file system" in err or any(
        _outside(path, workdir) for path in _DENIED.findall(err)
    ):
        return "fs_write_blocked"
    return None


def _outside(path: str, workdir: Path) -> bool:
    return path.startswith("/") and workdir != Path(path) and workdir not in Path(path).parents
