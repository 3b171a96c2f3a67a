"""One memory- and process-capped control group per sandboxed run, where the machine allows it.

RLIMIT_AS bounds one process's address space, not the memory it pins outside it: SysV shared
memory, memfds and tmpfs files. A cgroup counts all of those (the kernel charges shmem pages to
the cgroup that touched them) and ``pids.max`` bounds processes and threads per run, not per uid.

Where it applies: running as root with a writable cgroup hierarchy. cgroup v2 (``memory`` and
``pids`` enabled under a folder of ours at the hierarchy's root) is preferred; a v1 hierarchy
with ``memory`` and ``pids`` mounted is used otherwise. Not as another user, nor in a container
whose ``/sys/fs/cgroup`` is read-only: there ``available()`` is None and only the rlimits hold.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cgroup", "available"]

_ROOT = Path("/sys/fs/cgroup")
_OURS = "showdown-sandbox"


@dataclass(frozen=True)
class _Hierarchy:
    version: int
    memory: Path  # folder of ours where per-run groups are made (v2: also for pids)
    pids: Path


def _write(path: Path, text: str) -> None:
    path.write_text(text)


def _v2() -> _Hierarchy | None:
    if not (_ROOT / "cgroup.controllers").is_file():
        return None
    ours = _ROOT / _OURS
    ours.mkdir(exist_ok=True)
    for folder in (_ROOT, ours):
        controllers = (folder / "cgroup.subtree_control").read_text().split()
        missing = [f"+{c}" for c in ("memory", "pids") if c not in controllers]
        if missing:
            _write(folder / "cgroup.subtree_control", " ".join(missing))
    return _Hierarchy(2, ours, ours)


def _v1() -> _Hierarchy | None:
    memory, pids = _ROOT / "memory", _ROOT / "pids"
    if not ((memory / "memory.limit_in_bytes").is_file() and (pids / "cgroup.procs").is_file()):
        return None
    for folder in (memory / _OURS, pids / _OURS):
        folder.mkdir(exist_ok=True)
    return _Hierarchy(1, memory / _OURS, pids / _OURS)


@functools.cache
def _hierarchy() -> _Hierarchy | None:
    if os.geteuid() != 0:
        return None
    for probe in (_v2, _v1):
        try:
            found = probe()
        except OSError:
            found = None
        if found is not None:
            try:  # a trial group proves we may create, limit and remove them here
                Cgroup.create(found, 1 << 30, 8).remove()
            except OSError:
                continue
            _sweep_stale(found)
            return found
    return None


def available() -> str | None:
    """``"v2"`` or ``"v1"`` when runs get a cgroup of their own here, else None."""
    found = _hierarchy()
    return None if found is None else f"v{found.version}"


@dataclass
class Cgroup:
    """One run's group: the folders to put the process in, read verdicts from and remove."""

    hierarchy: _Hierarchy
    folders: tuple[Path, ...]

    @classmethod
    def create(cls, hierarchy: _Hierarchy, memory_bytes: int, pids: int) -> Cgroup:
        """Make a group capped at ``memory_bytes`` (swap included) and ``pids`` tasks."""
        name = f"run-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        memory, tasks = hierarchy.memory / name, hierarchy.pids / name
        group = cls(hierarchy, (memory,) if memory == tasks else (memory, tasks))
        for folder in group.folders:
            folder.mkdir()
        try:
            if hierarchy.version == 2:
                _write(memory / "memory.max", str(memory_bytes))
                with contextlib.suppress(FileNotFoundError):  # no swap accounting compiled in
                    _write(memory / "memory.swap.max", "0")
                with contextlib.suppress(OSError):  # out of memory: the whole run goes at once
                    _write(memory / "memory.oom.group", "1")
            else:
                _write(memory / "memory.limit_in_bytes", str(memory_bytes))
                with contextlib.suppress(OSError):  # memsw exists only with swap accounting
                    _write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
            _write(tasks / "pids.max", str(pids))
        except OSError:
            group.remove()
            raise
        return group

    @classmethod
    def for_run(cls, memory_bytes: int, pids: int) -> Cgroup | None:
        """A fresh group for one run, or None where cgroups are not available to us."""
        hierarchy = _hierarchy()
        if hierarchy is None:
            return None
        try:
            return cls.create(hierarchy, memory_bytes, pids)
        except OSError:  # the hierarchy went away or filled up: run on the rlimits alone
            return None

    def procs_files(self) -> list[str]:
        """Where the run's first process writes its own pid to join the group."""
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def limit_hit(self) -> str | None:
        """``memory_limit`` when the group ran out of memory, ``process_limit`` for pids.max."""
        memory = self.folders[0]
        if self.hierarchy.version == 2:
            events = _counters(memory / "memory.events")
            if events.get("oom_kill", 0) or events.get("oom", 0):
                return "memory_limit"
        elif _counters(memory / "memory.oom_control").get("oom_kill", 0):
            return "memory_limit"
        if _counters(self.folders[-1] / "pids.events").get("max", 0):
            return "process_limit"
        return None

    def remove(self, deadline_s: float = 2.0) -> None:
        """Remove the group's folders once its processes are gone (never raises)."""
        end = time.monotonic() + deadline_s
        for folder in self.folders:
            while True:
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # EBUSY while the last task is still being reaped
                    if time.monotonic() > end:
                        break
                    time.sleep(0.005)


def _sweep_stale(hierarchy: _Hierarchy) -> None:
    """Remove the groups of runs whose showdown was killed (named ``run-<pid>-…``)."""
    for ours in {hierarchy.memory, hierarchy.pids}:
        for folder in ours.glob("run-*-*"):
            pid = folder.name.split("-")[1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                with contextlib.suppress(OSError):  # still holds a task: not stale after all
                    folder.rmdir()


def _counters(path: Path) -> dict[str, int]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    pairs = (line.split() for line in lines)
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}
