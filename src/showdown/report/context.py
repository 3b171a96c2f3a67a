"""Pure: what a report must say beside its tables to be read right.

The settings each run used, the versions of showdown and the servers, the host, whether the
machine was busy, and every generation that did not run (with its reason): failed generations
are never ranked nor counted as measured, so they are listed here instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from showdown.facts import Host
from showdown.hardware.busy import busy_warning
from showdown.records import Result, RunInfo, result_id
from showdown.report import fmt

__all__ = ["ContextRow", "FailedRow", "context_rows", "failed_rows", "group_anchor", "host_text"]


def group_anchor(round_: str, model: str, task: str) -> str:
    """The HTML anchor of one (round, model, task) cell's result details."""
    key = "\x00".join((round_, model, task)).encode("utf-8")
    return "g-" + hashlib.sha1(key, usedforsecurity=False).hexdigest()[:10]


@dataclass(frozen=True)
class FailedRow:
    """One generation that did not run (``generation.error`` set), and why."""

    round: str
    model: str
    task: str
    case: str
    trial: int
    result_id: str
    reason: str


@dataclass(frozen=True)
class ContextRow:
    """One run's context: when, with what settings, on what, with which versions, how busy."""

    run_id: str
    round: str
    started_at: str
    status: str
    settings: str
    showdown: str
    servers: str
    host: str
    busy: str


def failed_rows(failed: Iterable[Result], labels: Mapping[str, str],
                model_of: Callable[[Result], str] | None = None) -> list[FailedRow]:
    """The failed generations in (round, model, task, case, trial) order (models named as
    ``model_of`` shows them, as ``groups.group_results`` does)."""
    rows = [FailedRow(labels.get(r.run_id, r.run_id), model_of(r) if model_of else r.model,
                      r.task, r.case, r.trial,
                      result_id(r), r.generation.error or "no answer came back") for r in failed]
    return sorted(rows, key=lambda r: (r.round, r.model.lower(), r.task, r.case, r.trial))


def _settings(run: RunInfo) -> str:
    s = run.settings
    text = (f"max tokens {s.max_tokens:,}, ctx {s.ctx:,}, temperature {s.temperature:g}, "
            f"seed {s.seed}")
    if run.trials > 1:
        text += f", {run.trials} trials"
    return text


def host_text(host: Mapping[str, Any]) -> str:
    """CPU, GPUs, RAM and OS in one line; a cluster node's name first (``run --cluster``: nodes
    on one machine share everything else)."""
    if not host:
        return fmt.DASH
    if host.get("node"):
        return f"node {host['node']}: " + host_text({k: v for k, v in host.items() if k != "node"})
    h = Host.decode(host)
    cores = h.cpu_cores_logical
    cpu = f"{h.cpu_model or 'CPU'}" + (f" ({cores} threads)" if cores else "")
    gpu = ", ".join(f"{g.get('name')} {fmt.size(g['vram_bytes'])}" if g.get("vram_bytes")
                    else str(g.get("name")) for g in h.gpus) if h.gpus else "no GPU"
    parts = [cpu, gpu, f"{fmt.size(h.ram_bytes)} RAM" if h.ram_bytes is not None else "",
             h.os or ""]
    return "; ".join(p for p in parts if p)


def _servers(results: Sequence[Result]) -> str:
    seen: dict[str, None] = {}
    for r in results:
        server, version = r.model_info.get("server"), r.model_info.get("server_version")
        if server:
            seen[f"{server} {version}" if version else str(server)] = None
    return ", ".join(seen) or fmt.DASH


def _busy(run: RunInfo, results: Sequence[Result]) -> str:
    snaps = [run.host.get("busy") or {}] + [r.host.get("busy") or {} for r in results]
    warning = busy_warning(s for s in snaps if s)
    if warning:
        return warning
    loads = [s["load_avg"][0] for s in snaps if s and s.get("load_avg")]
    if not loads:
        return "not recorded"
    return f"quiet (load average {min(loads):.1f}–{max(loads):.1f})"


def context_rows(results: Sequence[Result], runs: Sequence[RunInfo]) -> list[ContextRow]:
    """One row per run the results came from (runs with no stored record are skipped)."""
    used = {r.run_id for r in results}
    rows = []
    for run in runs:
        if run.run_id not in used:
            continue
        mine = [r for r in results if r.run_id == run.run_id]
        host = run.host or (mine[0].host if mine else {})
        rows.append(ContextRow(run.run_id, run.round, run.started_at, run.status,
                               _settings(run), str(host.get("showdown") or fmt.DASH),
                               _servers(mine), _hosts(host, mine), _busy(run, mine)))
    return rows


def _hosts(run_host: Mapping[str, Any], results: Sequence[Result]) -> str:
    """The run's host, or for a run on a cluster each node its results came from, by model."""
    nodes: dict[str, list[str]] = {}
    for r in results:
        if r.host.get("node"):
            models = nodes.setdefault(host_text(r.host), [])
            if r.model not in models:
                models.append(r.model)
    if not nodes:
        return host_text(run_host)
    return " | ".join(f"{text} ({', '.join(models)})" for text, models in nodes.items())
