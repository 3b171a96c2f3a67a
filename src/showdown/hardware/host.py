"""A fingerprint of the machine a run happened on, so results from different hosts never mix."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

import psutil

from showdown import __version__
from showdown.hardware.gpu import detect_gpus

__all__ = ["cpu_model", "host_fingerprint"]


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` on Linux, the platform's guess elsewhere)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def host_fingerprint() -> dict[str, Any]:
    """CPU, RAM, GPUs (or null and why), OS, Python and showdown's version, JSON-ready."""
    scan = detect_gpus()
    gpus = None if scan.gpus is None else [
        {"name": g.name, "vram_bytes": g.memory_total_bytes, "driver": g.driver_version}
        for g in scan.gpus
    ]
    return {
        # Names the machine in reports where a model ran on several (report.hosts).
        "hostname": platform.node() or None,
        "cpu_model": cpu_model(),
        "cpu_cores_logical": os.cpu_count(),
        "cpu_cores_physical": psutil.cpu_count(logical=False),
        "ram_bytes": psutil.virtual_memory().total,
        "gpus": gpus,
        "gpu_unavailable": scan.reason,
        "os": platform.platform(),
        "python": platform.python_version(),
        "showdown": __version__,
    }
