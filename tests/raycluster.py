"""A real multi-node Ray cluster on one machine, in a private network namespace (loopback only).

Ray swaps 127.0.0.1 for the machine's outward address, and tests may talk to loopback only; in
a namespace whose one interface is ``lo`` there is no other address to swap in, so every
packet of the cluster, and of a driver started with ``run``, stays on loopback. Each node is a
``ray start`` (a head and workers, each with its own custom resource). Teardown ends exactly
the processes in the namespace (their ids, never ``ray stop``, which would stop every Ray
cluster on the machine) and deletes the namespace. Needs root (``ip netns``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

__all__ = ["LocalCluster", "cluster_problem"]

RAY = Path(sys.executable).parent / "ray"
#: Outside Ray's default worker-port range (10002-19999).
HEAD_PORT = 6390
ENV = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONUNBUFFERED": "1"}


def cluster_problem() -> str | None:
    """Why a local cluster cannot be started here (None: it can)."""
    if os.geteuid() != 0:
        return "a private network namespace (ip netns) needs root"
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed (apt install iproute2)"
    if not RAY.is_file():
        return f"ray is not installed in this environment ({RAY} missing): pip install -e '.[dev]'"
    return None


class LocalCluster:
    """A head (resource ``head``) and named worker nodes in namespace ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.address = f"127.0.0.1:{HEAD_PORT}"
        # Short: Ray's unix sockets live under it (a socket path holds at most 107 bytes).
        self.temp = Path(tempfile.mkdtemp(prefix="sdray", dir="/tmp"))
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.exec_(["ip", "link", "set", "lo", "up"], check=True)

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` as run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def exec_(self, argv: list[str], check: bool = False, timeout: float = 120,
              **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(argv), check=check, timeout=timeout, text=True,
                              capture_output=True, env=ENV, **kwargs)  # type: ignore[call-overload]

    def _start(self, args: list[str], resource: str) -> None:
        argv = [str(RAY), "start", "--node-ip-address=127.0.0.1", "--num-cpus=1",
                f"--resources={json.dumps({resource: 1})}", "--object-store-memory=100000000",
                "--disable-usage-stats", *args]
        done = self.exec_(argv)
        if done.returncode != 0:
            raise RuntimeError(f"ray start ({resource}) failed: {done.stderr[-2000:]}")

    def start_head(self) -> None:
        self._start(["--head", f"--port={HEAD_PORT}", "--include-dashboard=false",
                     f"--temp-dir={self.temp}"], "head")

    def add_node(self, resource: str) -> None:
        self._start([f"--address={self.address}"], resource)
        self.wait_for(resource, alive=True)

    def pids(self) -> list[int]:
        out = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def raylet_of(self, resource: str) -> int:
        """The pid of the raylet of the node started with ``resource``."""
        for pid in self.pids():
            try:
                proc = psutil.Process(pid)
                lists = [a.partition("=")[2].split(",")[::2] for a in proc.cmdline()
                         if a.startswith("--static_resource_list=")]
                if proc.name() == "raylet" and lists and resource in lists[0]:
                    return pid
            except psutil.Error:
                continue
        raise LookupError(f"no raylet for {resource} in namespace {self.name}")

    def kill_node(self, resource: str) -> None:
        """The node lost at once, as a crashed or unplugged machine would be: its raylet
        killed (its workers, and any server they started, go with it)."""
        os.kill(self.raylet_of(resource), signal.SIGKILL)
        self.wait_for(resource, alive=False)

    def wait_for(self, resource: str, alive: bool, timeout_s: float = 60) -> None:
        """Until the head lists a live node with ``resource`` (or none, for ``alive=False``)."""
        probe = ("import ray,sys; ray.init(address=sys.argv[1], logging_level='ERROR'); "
                 "print(any(n['Alive'] and sys.argv[2] in n['Resources'] for n in ray.nodes()))")
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            out = self.exec_([sys.executable, "-c", probe, self.address, resource]).stdout
            if out.strip().endswith(str(alive)):
                return
            time.sleep(1)
        raise TimeoutError(f"node {resource} still {'absent' if alive else 'listed alive'}")

    def peers(self) -> set[str]:
        """The remote addresses of every TCP connection in the namespace (loopback only)."""
        out = self.exec_(["ss", "-tnH"]).stdout
        return {line.split()[4].rpartition(":")[0] for line in out.splitlines() if line.split()}

    def down(self) -> None:
        """End every process in the namespace (by id), delete it and the temp folder."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            end = time.monotonic() + 3
            while self.pids() and time.monotonic() < end:
                time.sleep(0.2)
        subprocess.run(["ip", "netns", "del", self.name], check=False)
        shutil.rmtree(self.temp, ignore_errors=True)
