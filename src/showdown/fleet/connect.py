"""Joining a Ray cluster: the address checked and answered, or one line saying why not.

Ray's own ``ray.init`` waits minutes for an address where nothing listens, so an explicit
``HOST:PORT`` is first tried with one quick TCP connect. ``auto`` is left to Ray, which finds
a cluster started on this machine (``ray start --head``) or says there is none.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from showdown.errors import ShowdownError
from showdown.fleet.placement import custom_resources, node_name

__all__ = ["INSTALL_HINT", "ClusterError", "Node", "connect", "import_ray", "live_nodes",
           "split_address"]

INSTALL_HINT = "pip install 'showdown[cluster]'"
#: Seconds to wait for the head's port to accept a connection.
PROBE_TIMEOUT_S = 3.0


class ClusterError(ShowdownError):
    """The cluster cannot run this plan (Ray missing, no answer, no node for a model)."""


@dataclass(frozen=True)
class Node:
    """A live node of the cluster: Ray's id, its address, its custom resources and the name
    results are labelled with (its resources, since nodes on one machine share a hostname)."""

    id: str
    address: str
    resources: tuple[str, ...]
    name: str


def import_ray() -> ModuleType:
    """The ``ray`` module, or a ClusterError saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise ClusterError(f"--cluster needs Ray, which is not installed here: {INSTALL_HINT}"
                           ) from exc
    return ray


def split_address(address: str) -> tuple[str, int] | None:
    """``HOST:PORT`` of an address (``ray://`` stripped); None for ``auto``; ClusterError if
    it is neither."""
    text = address.strip()
    if text == "auto":
        return None
    bare = text.removeprefix("ray://")
    host, sep, port = bare.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536 or "/" in bare:
        raise ClusterError(f"--cluster {address!r}: expected auto, HOST:PORT (the head's "
                           "GCS port, e.g. 127.0.0.1:6379) or ray://HOST:10001")
    return host.strip("[]"), int(port)


def _probe(address: str, host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise ClusterError(f"--cluster {address}: nothing answers at {host}:{port} ({why}); "
                           "start the head with `ray start --head --port=PORT` or fix the "
                           "address") from exc


def connect(address: str) -> ModuleType:
    """Join the cluster at ``address`` (once per process) and return the ``ray`` module."""
    ray = import_ray()
    where = split_address(address)
    if where is not None:
        _probe(address, *where)
    if ray.is_initialized():
        return ray
    try:
        _init_elsewhere(ray, address)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ClusterError(f"--cluster {address}: cannot join the Ray cluster: {first}") from exc
    return ray


def _init_elsewhere(ray: ModuleType, address: str) -> None:
    """``ray.init`` from an empty folder: Ray puts the driver's working folder on every
    worker's ``sys.path``, where a user's ``h2.py`` or ``json.py`` would shadow the module a
    turn imports (seen: a stray ``h2.py`` broke httpx on the nodes)."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="showdown-driver-") as empty:
        os.chdir(empty)
        try:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        finally:
            os.chdir(here)


def live_nodes(ray: ModuleType) -> list[Node]:
    """The cluster's live nodes, as Ray lists them now."""
    nodes: list[dict[str, Any]] = ray.nodes()
    found = []
    for n in nodes:
        if not n.get("Alive"):
            continue
        custom = custom_resources(n.get("Resources") or {})
        address = str(n.get("NodeManagerAddress", "?"))
        found.append(Node(str(n["NodeID"]), address, custom,
                          node_name(str(n["NodeID"]), address, custom)))
    return found
