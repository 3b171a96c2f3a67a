"""Which sandbox limit a failed run hit, from its signal, its stderr and the sandbox's counters.

Pure: the caller gathers the facts (the largest file, whether the work folder's tmpfs is full,
what the run's cgroup counted) and this names the limit, the code diagnose.py explains.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

from showdown.records import ExecResult

__all__ = ["deduce_limit"]

_MEMORY = re.compile(r"\bMemoryError\b|Cannot allocate memory|out of memory|bad_alloc")
_FILE_SIZE = re.compile(r"File too large|\[Errno 27\]")
_DISK = re.compile(r"No space left on device|\[Errno 28\]|Disk quota exceeded")
_PROCESSES = re.compile(r"can't start new thread|fork: (retry: )?Resource temporarily unavailable")
_FORKING = re.compile(r"\bfork\b|Popen|spawn|Process|Thread|exec")
_NETWORK = re.compile(
    r"Network is unreachable|Connection refused|No route to host|Cannot assign requested address"
    r"|Temporary failure in name resolution|Name or service not known"
)
_DENIED = re.compile(r"\[Errno 13\] Permission denied: '([^']*)'")


def deduce_limit(
    run: ExecResult, workdir: Path, file_at_limit: bool = False, *,
    disk_full: bool = False, group_hit: str | None = None,
) -> str | None:
    """The sandbox limit a failed run hit, from its signal, its stderr, the folder and the
    cgroup's own counters (pure)."""
    if run.timed_out:
        return "timeout"
    if run.exit_code == 0:
        return None
    err = run.stderr
    if run.signal == signal.SIGXCPU:
        return "timeout"
    if group_hit == "memory_limit":
        return group_hit
    if run.signal == signal.SIGXFSZ or _FILE_SIZE.search(err) or file_at_limit:
        return "file_size_limit"
    if disk_full or _DISK.search(err):
        return "disk_limit"
    if group_hit or _PROCESSES.search(err) or ("BlockingIOError" in err and _FORKING.search(err)):
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
