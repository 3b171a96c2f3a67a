"""The sandbox contract: ``exec`` returns an ExecResult or raises only for harness faults."""

from __future__ import annotations

import contextlib
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from showdown.errors import SandboxUnavailable
from showdown.records import ExecResult
from showdown.sandbox.files import remove_tree, sweep_stale

__all__ = ["DEFAULT_LIMITS", "Limits", "Sandbox", "SandboxUnavailable", "scratch_dir"]



@dataclass(frozen=True)
class Limits:
    """Resource limits for one process run (which of them a sandbox enforces: its module doc)."""

    timeout_s: float = 10.0
    max_output_bytes: int = 16_384
    cpu_s: int = 30
    memory_mb: int = 512
    file_size_mb: int = 64
    max_processes: int = 64
    max_open_files: int = 256
    #: The work folder in total: bytes and files (inodes, folders included).
    disk_mb: int = 256
    max_files: int = 10_000


DEFAULT_LIMITS = Limits()


class Sandbox(ABC):
    """Runs a command inside ``workdir`` and reports what it did; never raises for the program."""

    #: A short name recorded with every result, e.g. "process" or "bwrap".
    isolation: str = "none"

    @abstractmethod
    def exec(
        self,
        argv: Sequence[str],
        *,
        workdir: Path,
        limits: Limits = DEFAULT_LIMITS,
        stdin: bytes | None = None,
    ) -> ExecResult:
        """Run ``argv`` with ``workdir`` as its only writable folder, cwd and HOME."""


@contextlib.contextmanager
def scratch_dir(files: Mapping[str, str | bytes] | None = None) -> Iterator[Path]:
    """A fresh temporary folder holding ``files``, removed afterwards whatever happened.

    Its name carries our pid, so a later showdown removes it if we are killed before cleanup.
    """
    _sweep_once()
    root = Path(tempfile.mkdtemp(prefix=f"showdown-{os.getpid()}-"))
    try:
        for name, content in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        yield root
    finally:
        remove_tree(root)


_swept: list[int] = []


def _sweep_once() -> None:
    """Remove folders left by killed showdowns, once per process (a fork sweeps again)."""
    if os.getpid() not in _swept:
        _swept.append(os.getpid())
        sweep_stale()
