"""Find NVIDIA GPUs through NVML, saying plainly why when there are none to find.

``nvidia-ml-py`` (module ``pynvml``) is imported lazily: it loads ``libnvidia-ml`` only at
``nvmlInit``, and a machine without the driver must still run everything else.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["GpuInfo", "GpuScan", "detect_gpus", "nvml_session"]


@dataclass(frozen=True)
class GpuInfo:
    """One GPU as NVML sees it."""

    index: int
    name: str
    memory_total_bytes: int
    memory_free_bytes: int
    driver_version: str


@dataclass(frozen=True)
class GpuScan:
    """The GPUs found, or None with the reason none could be seen."""

    gpus: list[GpuInfo] | None
    reason: str | None = None

    @property
    def free_bytes(self) -> int:
        """VRAM free on all GPUs together (0 when none): the budget llama.cpp can spread over."""
        return sum(g.memory_free_bytes for g in self.gpus or [])


def _text(value: Any) -> str:
    """NVML strings are bytes in old bindings and str in new ones."""
    return value.decode() if isinstance(value, bytes) else str(value)


@contextmanager
def nvml_session() -> Iterator[tuple[Any | None, str | None]]:
    """``(pynvml, None)`` with NVML initialised for the block, or ``(None, reason)``."""
    try:
        nvml: Any = importlib.import_module("pynvml")
    except ImportError:
        yield None, "nvidia-ml-py is not installed (pip install nvidia-ml-py)"
        return
    try:
        nvml.nvmlInit()
    except nvml.NVMLError as exc:
        yield None, f"NVML could not start: {_text(exc)} (no NVIDIA GPU or driver on this machine)"
        return
    try:
        yield nvml, None
    finally:
        nvml.nvmlShutdown()


def detect_gpus() -> GpuScan:
    """Every GPU NVML can see, or None and why (no library, no driver, no device)."""
    with nvml_session() as (nvml, reason):
        if nvml is None:
            return GpuScan(None, reason)
        try:
            driver = _text(nvml.nvmlSystemGetDriverVersion())
            gpus = []
            for i in range(nvml.nvmlDeviceGetCount()):
                handle = nvml.nvmlDeviceGetHandleByIndex(i)
                memory = nvml.nvmlDeviceGetMemoryInfo(handle)
                gpus.append(GpuInfo(i, _text(nvml.nvmlDeviceGetName(handle)),
                                    int(memory.total), int(memory.free), driver))
        except nvml.NVMLError as exc:
            return GpuScan(None, f"NVML failed while listing GPUs: {_text(exc)}")
    if not gpus:
        return GpuScan(None, "NVML is running but reports no GPUs")
    return GpuScan(gpus)
