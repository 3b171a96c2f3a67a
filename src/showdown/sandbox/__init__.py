"""Run untrusted, model-written code: one ``exec`` contract, isolation chosen per machine."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from showdown.sandbox.base import Limits, Sandbox, SandboxUnavailable, scratch_dir
from showdown.sandbox.bwrap import BwrapSandbox, tool_problem
from showdown.sandbox.process import ProcessSandbox

__all__ = [
    "BwrapSandbox",
    "Limits",
    "ProcessSandbox",
    "Sandbox",
    "SandboxUnavailable",
    "bwrap_problem",
    "default_sandbox",
]

_WEAK_HINT = (
    "or pass --allow-weak-isolation to accept process isolation only (no security boundary)"
)


def default_sandbox(allow_weak: bool = False, hide: Sequence[Path] = ()) -> Sandbox:
    """Bubblewrap when it works here; else ProcessSandbox if ``allow_weak``, else refuse.

    ``hide``: folders (e.g. the results database's) the program must not see at all. The
    default database's folder is always among them, for ``score`` as for ``run``.
    """
    from showdown.store import default_db_path  # the store is no dependency of the sandbox

    problem = bwrap_problem()
    if problem is None:
        return BwrapSandbox(hide=[*hide, default_db_path().resolve().parent])
    if allow_weak:
        return ProcessSandbox()
    raise SandboxUnavailable(f"cannot isolate untrusted code: {problem}; {_WEAK_HINT}")


@functools.cache
def bwrap_problem() -> str | None:
    """Why bubblewrap isolation cannot run on this machine, or None when it can (probed once)."""
    problem = tool_problem()
    if problem is not None:
        return problem
    limits = Limits(timeout_s=10.0)
    try:
        with scratch_dir() as workdir:
            run = BwrapSandbox().exec(["true"], workdir=workdir, limits=limits)
    except (SandboxUnavailable, OSError) as exc:
        return (f"bwrap cannot create its namespaces here ({exc}); run as root or enable user "
                "namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces)")
    if run.exit_code != 0:
        last = (run.stderr.strip().splitlines() or [f"exit code {run.exit_code}"])[-1]
        return f"a test command failed under bwrap ({last})"
    return None
