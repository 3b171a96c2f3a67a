"""Results from different machines never share a row: a model measured on several hosts (runs
from several machines in one PostgreSQL store, or a fleet) is shown once per host, as
``qwen3:8b @ gpu-box``, since its speed belongs to the hardware it ran on.

A host is told apart by what it is: a cluster node by its name, any other machine by its
hardware (CPU, threads, RAM, GPUs), so results stored before hostnames were recorded still
group with newer ones from the same machine, and two machines with identical hardware count as
one. Pure: results in, display names out.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

__all__ = ["host_key", "host_label", "model_names", "split_by_host"]


class _Placed(Protocol):
    """A measurement of a model on a host: a run's Result, a speed row."""

    @property
    def model(self) -> str: ...
    @property
    def host(self) -> dict[str, Any]: ...


T = TypeVar("T", bound=_Placed)

_GIB = 1024**3


def host_key(host: Mapping[str, Any]) -> str:
    """What tells this host from another: its hardware, and on a cluster its node's name too
    (two machines started with the same resource name are still two hosts)."""
    gpus = host.get("gpus") or []
    gpu_names = ",".join(str(g.get("name", "?")) for g in gpus if isinstance(g, Mapping))
    ram = host.get("ram_bytes")
    ram_gib = (round(ram / _GIB) if isinstance(ram, int | float) and math.isfinite(ram)
               else "?")
    hardware = (f"{host.get('cpu_model') or '?'}|{host.get('cpu_cores_logical') or '?'}|"
                f"{ram_gib}|{gpu_names}")
    return f"node:{host['node']}|{hardware}" if host.get("node") else hardware


def host_label(host: Mapping[str, Any]) -> str:
    """A short name for a host: its node's, its hostname, else its GPU or CPU."""
    if host.get("node"):
        return str(host["node"])
    if host.get("hostname"):
        return str(host["hostname"])
    gpus = [g for g in host.get("gpus") or [] if isinstance(g, Mapping) and g.get("name")]
    if gpus:
        return str(gpus[0]["name"])
    return str(host.get("cpu_model") or "unknown host")


def model_names(results: Iterable[_Placed]) -> dict[tuple[str, str], str]:
    """(model, host key) -> the name a report shows: the model's own where it ran on one host,
    ``MODEL @ HOST`` where it ran on several (labels made unique if two hosts share one)."""
    hosts: dict[str, dict[str, str]] = {}
    for r in results:
        hosts.setdefault(r.model, {}).setdefault(host_key(r.host), host_label(r.host))
    names: dict[tuple[str, str], str] = {}
    for model, seen in hosts.items():
        if len(seen) == 1:
            names[(model, next(iter(seen)))] = model
            continue
        used: dict[str, int] = {}
        for key, label in sorted(seen.items(), key=lambda kv: kv[1]):
            used[label] = used.get(label, 0) + 1
            suffix = label if used[label] == 1 else f"{label} #{used[label]}"
            names[(model, key)] = f"{model} @ {suffix}"
    return names


def split_by_host(rows: Sequence[T]) -> list[T]:
    """The rows (dataclasses) with each model renamed as ``model_names`` shows it."""
    names = model_names(rows)
    return [dataclasses.replace(r, model=names[(r.model, host_key(r.host))])  # type: ignore[type-var]
            for r in rows]
