"""Was the machine busy? Load average and other showdown runs, recorded with a run.

A model measured while other work ran is slower than it is: the same model went from 160 to
0.4 tok/s between a quiet machine and a busy one. Reports say so rather than let a reader
compare such figures blind.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import psutil

__all__ = ["BUSY_LOAD_PER_CORE", "busy_snapshot", "busy_warning", "load_average",
           "other_showdown_runs", "own_cores"]

#: One-minute load per logical core above which the machine counts as busy.
BUSY_LOAD_PER_CORE = 0.75


def load_average() -> list[float] | None:
    """The 1, 5 and 15-minute load averages (None where the OS has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def other_showdown_runs() -> list[int]:
    """Process ids of other ``showdown run`` commands on this machine."""
    # This run itself, and what started it (a shell, `timeout showdown run`), are not others.
    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        argv = proc.info.get("cmdline") or []
        if proc.info["pid"] in mine:
            continue
        words = [os.path.basename(a) for a in argv]
        if "run" in words and any(w == "showdown" or w.startswith("showdown") for w in words):
            found.append(int(proc.info["pid"]))
    return found


def busy_snapshot(own_cores: float = 0.0) -> dict[str, Any]:
    """What the machine was doing at this moment, JSON-ready. ``own_cores``: how many cores the
    measurement itself kept busy (a CPU model's own server), which is no sign of other work."""
    return {"load_avg": load_average(), "cpu_count": os.cpu_count(),
            "own_cores": round(own_cores, 2), "other_showdown_runs": other_showdown_runs()}


def own_cores(telemetry: Mapping[str, Any]) -> float:
    """Cores the model's own server used on average while it generated (0 when unmeasured)."""
    cpu, seconds = telemetry.get("proc_cpu_s"), telemetry.get("duration_s")
    if isinstance(cpu, int | float) and isinstance(seconds, int | float) and seconds > 0:
        return max(float(cpu) / float(seconds), 0.0)
    return 0.0


def busy_warning(snapshots: Iterable[Mapping[str, Any]]) -> str | None:
    """One sentence if any snapshot shows a busy machine, else None."""
    peak, cores, others = 0.0, 0, set()
    for snap in snapshots:
        load = snap.get("load_avg")
        if isinstance(load, list) and load:
            # The measurement's own server is not "other work": a CPU model loads every core.
            peak = max(peak, float(load[0]) - float(snap.get("own_cores") or 0.0))
        cores = max(cores, int(snap.get("cpu_count") or 0))
        others |= set(snap.get("other_showdown_runs") or [])
    parts = []
    if cores and peak > BUSY_LOAD_PER_CORE * cores:
        parts.append(f"load average up to {peak:.1f} on {cores} cores besides the model's own server")
    if others:
        parts.append(f"{len(others)} other showdown run{'s' if len(others) > 1 else ''} active")
    if not parts:
        return None
    return ("the machine was busy (" + "; ".join(parts) + "): speed figures may be lower than "
            "this hardware gives on a quiet machine")
