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
- Files: only what ``binds`` lists is there at all, read-only (system folders, a few ``/etc``
  files, the interpreter's prefix; no ``/var``, ``/srv``, ``/opt``, ``/home``, ``/root``, host
  sockets, checkout or results database; package folders blanked). The work folder is the only
  writable folder, plus a private, size-capped ``/tmp``. ``/dev`` and ``/proc`` are fresh.
- System calls: a seccomp filter (``seccomp``) denies the keyring, io_uring, bpf, perf, ptrace,
  userfaultfd, modules, mounts and new namespaces (new user namespaces above all).
- Network: its own network namespace with only a loopback device, so no internet, no services
  on the host's 127.0.0.1 and no host abstract Unix sockets.
- Environment: cleared; the program sees only ``minimal_env`` (PATH, HOME, TMPDIR, LANG, TZ).
- Resources, always: per process CPU seconds, address space (``memory_mb`` on top of an
  interpreter budget), file size, open files, processes (per uid), no core dumps; output read
  with caps (tail kept); ``/tmp`` capped in bytes.
- Resources, as root: the work folder is a tmpfs capped at ``disk_mb`` and ``max_files``
  inodes (going over: ENOSPC, diagnosed ``disk_limit``); SysV IPC limits (shmmax, shmall,
  shmmni, msgmni) are set in the run's own IPC namespace; and where ``cgroup.available()``
  (a writable v2 or v1 hierarchy) one cgroup per run caps memory in all (the address-space
  budget, SysV shm, memfds and tmpfs pages included, swap excluded) and ``pids.max`` caps its
  tasks. Without a cgroup, memory outside the address space (memfds, ``/tmp``) is bounded only
  by the file-size and open-file limits and ``/tmp``'s size.
- Resources, as another user: the rlimits above only; the work folder is capped per file, not
  in total (mounting a tmpfs on the host needs root). Each result's ``limits`` says which held.

What is NOT a boundary:

- The kernel itself: seccomp narrows it, but a kernel exploit through an allowed call escapes.
- Reading what is bound: anything world-readable under ``/usr``, ``/etc``'s listed files and the
  interpreter's prefix. As another user, inside the namespace the program *is* that user, so
  that user's own files among those are readable whatever their mode.
- Side channels (timing, CPU load) and the hostname's absence.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from showdown.records import ExecResult
from showdown.sandbox import cgroup, files, seccomp
from showdown.sandbox.base import DEFAULT_LIMITS, Limits, Sandbox, SandboxUnavailable
from showdown.sandbox.binds import Binds
from showdown.sandbox.deduce import deduce_limit
from showdown.sandbox.process import minimal_env, run_capped

__all__ = ["SANDBOX_UID", "BwrapSandbox", "deduce_limit", "tool_problem"]

#: The user id the program runs as (``nobody``).
SANDBOX_UID = 65534
#: Address space an interpreter needs before the program allocates anything: Python itself is
#: ~16 MiB, but each thread reserves an 8 MiB stack and glibc a 64 MiB malloc arena.
INTERPRETER_AS_MB = 256
_MB = 1024 * 1024
_TMP_MB = 64
#: Tasks in a run's cgroup besides the program's own: the wrapper/bwrap and bwrap's init.
_HELPER_TASKS = 4
#: Run as root before bwrap, in a fresh IPC namespace: join the run's cgroup (one
#: ``cgroup.procs`` path per argument up to ``--``), cap SysV IPC there, then exec bwrap.
_WRAPPER = (
    'for f; do shift; [ "$f" = -- ] && break; echo $$ > "$f" || exit 125; done; '
    "echo {shmmax} > /proc/sys/kernel/shmmax && echo {shmall} > /proc/sys/kernel/shmall && "
    "echo 32 > /proc/sys/kernel/shmmni && echo 16 > /proc/sys/kernel/msgmni || exit 125; "
    'exec "$@"'
)

def tool_problem() -> str | None:
    """What is missing for this sandbox (bwrap, prlimit, setpriv), or None when all are there."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    for tool in ("prlimit", *(("setpriv", "unshare") if os.geteuid() == 0 else ())):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install util-linux)"
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
        self.unshare = shutil.which("unshare") or "unshare"
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
        applied = self._prepare(workdir, limits)
        group = (cgroup.Cgroup.for_run(_memory_bytes(limits), limits.max_processes + _HELPER_TASKS)
                 if self.as_root else None)
        applied["cgroup"] = group.hierarchy.version if group else 0
        try:
            with (tempfile.TemporaryFile() as status, _seccomp_fd() as filt,
                  self._private_tmp(limits, applied) as tmp):
                command = self.command(argv, workdir=workdir, limits=limits,
                                       status_fd=status.fileno(), seccomp_fd=filt, group=group,
                                       tmp=tmp)
                result = run_capped(
                    command, cwd=workdir, env=minimal_env(workdir), limits=limits, stdin=stdin,
                    isolation=self.isolation, shown_argv=list(argv),
                    pass_fds=(status.fileno(), filt),
                )
                status.seek(0)
                report = _read_status(status.read())
                _wait_namespace_gone(report)  # before its /tmp and its group go
            group_hit = group.limit_hit() if group else None
        finally:
            if group:
                group.remove()
        if ("exit-code" not in report and not result.timed_out and group_hit is None
                and not result.limit_hit):
            last = result.stderr.strip().splitlines()[-1:] or ["no message"]
            raise SandboxUnavailable(f"bwrap could not set up the sandbox: {last[0]}")
        result = dataclasses.replace(result, limits=result.limits | applied)
        return _finish(result, limits, workdir, group_hit)

    def command(
        self, argv: Sequence[str], *, workdir: Path, limits: Limits, status_fd: int,
        seccomp_fd: int | None = None, group: cgroup.Cgroup | None = None,
        tmp: Path | None = None,
    ) -> list[str]:
        """The full command line: (as root) the wrapper, bwrap, prlimit, (as root) setpriv, argv."""
        env = minimal_env(workdir)
        filtering = ["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []
        return [
            *self._wrapper(limits, group),
            self.bwrap,
            *self._namespaces(),
            "--die-with-parent", "--new-session", "--hostname", "sandbox",
            *self._mounts(argv, workdir, tmp),
            "--clearenv", *[a for k, v in env.items() for a in ("--setenv", k, v)],
            "--chdir", str(workdir), "--json-status-fd", str(status_fd), *filtering,
            "--", *self._limits(limits), *self._drop_privileges(), *argv,
        ]

    def _prepare(self, workdir: Path, limits: Limits) -> dict[str, int | float | str]:
        """Cap the work folder (as root), make its ``.tmp`` real, give it to the sandbox user."""
        applied: dict[str, int | float | str] = {
            "timeout_s": limits.timeout_s, "cpu_s": limits.cpu_s, "memory_mb": limits.memory_mb,
            "address_space_mb": limits.memory_mb + INTERPRETER_AS_MB,
            "file_size_mb": limits.file_size_mb, "max_processes": limits.max_processes,
            "max_open_files": limits.max_open_files, "tmp_mb": _TMP_MB, "seccomp": 1,
        }
        if self.as_root:
            applied["ipc_shm_mb"] = _memory_bytes(limits) // _MB
            if _cap_disk(workdir, limits):
                applied |= {"disk_mb": limits.disk_mb, "max_files": limits.max_files}
        # A previous step may have left the folder mode 000 or its inodes used up: then the
        # program finds what it left, and the harness carries on.
        with contextlib.suppress(OSError):
            workdir.chmod(0o700)
        with contextlib.suppress(OSError):
            files.ensure_private_dir(workdir, ".tmp")
        if self.as_root:
            files.hand_over(workdir, SANDBOX_UID)
        return applied

    def _wrapper(self, limits: Limits, group: cgroup.Cgroup | None) -> list[str]:
        if not self.as_root:
            return []
        shm = _memory_bytes(limits)
        script = _WRAPPER.format(shmmax=shm, shmall=shm // os.sysconf("SC_PAGE_SIZE"))
        procs = group.procs_files() if group else []
        return [self.unshare, "--ipc", "--", "/bin/sh", "-c", script, "sh", *procs, "--"]

    def _namespaces(self) -> list[str]:
        if self.as_root:
            # No user namespace: the real uid must become 65534 for RLIMIT_NPROC to bind. The
            # wrapper already made the IPC namespace (to cap it), so it is not unshared again.
            return ["--unshare-pid", "--unshare-net", "--unshare-uts",
                    "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        uid = str(SANDBOX_UID)
        return ["--unshare-all", "--unshare-user", "--disable-userns", "--uid", uid, "--gid", uid]

    @contextlib.contextmanager
    def _private_tmp(
        self, limits: Limits, applied: dict[str, int | float | str]
    ) -> Iterator[Path | None]:
        """As root, a host tmpfs for the run's ``/tmp`` capped in inodes too (bwrap's ``--tmpfs``
        takes a size only); removed, mount and all, when the run ends. None otherwise."""
        if not self.as_root:
            yield None
            return
        # The tmpfs is mode 1777 for the program; its 0700 parent keeps other host users out.
        folder = Path(tempfile.mkdtemp(prefix=f"showdown-{os.getpid()}-tmp-"))
        inner = folder / "tmp"
        try:
            inner.mkdir()
            files.mount_tmpfs(inner, _TMP_MB * _MB, limits.max_files, mode="1777")
            applied["tmp_files"] = limits.max_files
        except OSError:
            files.remove_tree(folder)
            yield None
            return
        try:
            yield inner
        finally:
            files.remove_tree(inner)  # unmounted, not walked
            files.remove_tree(folder)

    def _mounts(self, argv: Sequence[str], workdir: Path, tmp: Path | None = None) -> list[str]:
        home = os.environ.get("HOME", "/root")
        binds = Binds(hide=[Path("/root"), Path("/home"), Path(home), *self.hide],
                      expose=self.expose)
        binds.system()
        if tmp is None:
            binds.tmpfs(Path("/tmp"), _TMP_MB * _MB)
        else:
            binds.bind_rw(tmp, Path("/tmp"))
        binds.interpreter(argv, minimal_env(workdir)["PATH"])
        binds.blank_hidden()
        binds.bind_rw(workdir)
        return binds.finish()

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


def _memory_bytes(limits: Limits) -> int:
    """Memory in all for one run: the same budget as one process's address space."""
    return (limits.memory_mb + INTERPRETER_AS_MB) * _MB


def _cap_disk(workdir: Path, limits: Limits) -> bool:
    """Make the work folder a tmpfs capped in bytes and inodes, moving its files in (root).

    Done once per folder, and only for a ``scratch_dir`` of this process (which unmounts it
    when done); False elsewhere or where mounting is not allowed (then only files are capped).
    """
    if os.path.ismount(workdir):
        return True
    if not workdir.name.startswith(f"showdown-{os.getpid()}-"):
        return False
    old = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        try:
            files.mount_tmpfs(workdir, limits.disk_mb * _MB, limits.max_files, mode="0700")
        except OSError:
            return False
        # The originals stay hidden under the mount; remove_tree deletes them after unmounting.
        files.copy_in(old, workdir)
        return True
    finally:
        os.close(old)


@contextlib.contextmanager
def _seccomp_fd() -> Iterator[int]:
    """A file holding the BPF filter, positioned at its start, for ``--seccomp``."""
    fd = os.memfd_create("showdown-seccomp", os.MFD_CLOEXEC)
    try:
        os.write(fd, seccomp.filter_bytes())
        os.lseek(fd, 0, os.SEEK_SET)
        yield fd
    finally:
        os.close(fd)


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


def _finish(result: ExecResult, limits: Limits, workdir: Path, group_hit: str | None) -> ExecResult:
    """Turn bwrap's 128+N exit status back into a signal and name the limit the program hit."""
    code, sig = result.exit_code, result.signal
    if code is not None and 128 < code <= 128 + 64:
        code, sig = -(code - 128), code - 128
    result = dataclasses.replace(result, exit_code=code, signal=sig)
    if result.exit_code == 0:
        return result
    if result.limit_hit == "interactive":  # the stdin watcher's word (see stdin_watch)
        return result
    at_limit = files.largest_file(workdir) >= limits.file_size_mb * _MB
    hit = deduce_limit(result, workdir, at_limit, disk_full=_disk_full(workdir),
                       group_hit=group_hit)
    return dataclasses.replace(result, limit_hit=hit)


def _disk_full(workdir: Path) -> bool:
    """Whether the work folder's tmpfs has (almost) no bytes or no inodes left."""
    try:
        fs = os.statvfs(workdir)
    except OSError:
        return False
    return os.path.ismount(workdir) and (fs.f_bavail <= 2 or fs.f_favail == 0)
