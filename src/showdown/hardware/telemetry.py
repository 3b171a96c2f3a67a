"""What the hardware did while a model generated: GPU memory, power and energy, server CPU and I/O.

A :class:`Sampler` wraps one timed request. A background thread samples at a fixed interval:
the GPU through NVML and the server process (and its children, so Ollama's runner counts)
through ``psutil``. What cannot be seen (no GPU, no NVML, a remote server, a process we may not
inspect) is None with the reason in ``Telemetry.unavailable`` -- never a zero that looks like a
measurement.
"""

from __future__ import annotations

import itertools
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from types import TracebackType
from typing import Any

import psutil

from showdown.hardware.gpu import nvml_session

__all__ = ["GPU_FIELDS", "PROCESS_FIELDS", "Sampler", "Telemetry", "joules_per_token"]

GPU_FIELDS = ("gpu_count", "gpu_mem_used_peak_bytes", "gpu_util_mean_pct", "gpu_util_peak_pct",
              "gpu_power_mean_w", "gpu_power_peak_w", "gpu_energy_j")
PROCESS_FIELDS = ("proc_cpu_s", "proc_rss_peak_bytes", "proc_disk_read_bytes")
RAM_FIELDS = ("ram_used_peak_bytes", "ram_total_bytes")


@dataclass
class Telemetry:
    """Hardware figures for one request; every None field has its reason in ``unavailable``.

    GPU memory is device-wide (NVML cannot split it per process inside containers), summed over
    GPUs; power is summed, utilisation averaged. ``gpu_energy_source`` says whether energy came
    from NVML's total-energy counter or from integrating sampled power. Process figures cover
    the server and its children: CPU seconds used, peak resident memory, and bytes the storage
    layer actually read for them (mmap paging of an offloaded model shows up here; page-cache
    hits do not).
    """

    interval_s: float
    samples: int = 0
    duration_s: float = 0.0
    gpu_count: int | None = None
    gpu_mem_used_peak_bytes: int | None = None
    gpu_util_mean_pct: float | None = None
    gpu_util_peak_pct: float | None = None
    gpu_power_mean_w: float | None = None
    gpu_power_peak_w: float | None = None
    gpu_energy_j: float | None = None
    gpu_energy_source: str | None = None
    proc_cpu_s: float | None = None
    proc_rss_peak_bytes: int | None = None
    proc_disk_read_bytes: int | None = None
    ram_used_peak_bytes: int | None = None
    ram_total_bytes: int | None = None
    unavailable: dict[str, str] = field(default_factory=dict)


def joules_per_token(telemetry: Telemetry, output_tokens: int | None) -> float | None:
    """GPU energy per generated token, or None when energy or tokens were not measured."""
    if telemetry.gpu_energy_j is None or not output_tokens or output_tokens <= 0:
        return None
    return telemetry.gpu_energy_j / output_tokens


class _GpuProbe:
    """Samples every GPU NVML sees; keeps peaks, means and energy."""

    def __init__(self, nvml: Any) -> None:
        self.nvml = nvml
        count = nvml.nvmlDeviceGetCount()
        self.handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        self.broken: dict[str, str] = {}
        self.mem: list[int] = []
        self.util: list[float] = []
        self.power: list[tuple[float, float]] = []
        self.energy_start = self._energy_mj()

    def _read(self, metric: str, fn: Any) -> Any:
        """One NVML call, or None (remembering why) if the GPU does not support it."""
        if metric in self.broken:
            return None
        try:
            return fn()
        except self.nvml.NVMLError as exc:
            self.broken[metric] = f"NVML cannot report {metric} on this GPU: {exc}"
            return None

    def _energy_mj(self) -> int | None:
        n = self.nvml
        values = [self._read("energy counter", lambda h=h: n.nvmlDeviceGetTotalEnergyConsumption(h))
                  for h in self.handles]
        return None if None in values else sum(int(v) for v in values)

    def sample(self, now: float) -> None:
        n, hs = self.nvml, self.handles
        mem = [self._read("memory", lambda h=h: n.nvmlDeviceGetMemoryInfo(h).used) for h in hs]
        util = [self._read("utilization", lambda h=h: n.nvmlDeviceGetUtilizationRates(h).gpu)
                for h in hs]
        power = [self._read("power", lambda h=h: n.nvmlDeviceGetPowerUsage(h)) for h in hs]
        if None not in mem:
            self.mem.append(sum(int(m) for m in mem))
        if None not in util:
            self.util.append(sum(float(u) for u in util) / len(util))
        if None not in power:
            self.power.append((now, sum(float(p) for p in power) / 1000.0))  # mW -> W

    def finish(self, out: dict[str, Any], why: dict[str, str]) -> None:
        out["gpu_count"] = len(self.handles)
        if not self.handles:
            _missing(why, GPU_FIELDS[1:], "NVML reports no GPUs")
            return
        _put(out, why, "gpu_mem_used_peak_bytes", max(self.mem, default=None), self._why("memory"))
        _put(out, why, "gpu_util_mean_pct", _mean(self.util), self._why("utilization"))
        _put(out, why, "gpu_util_peak_pct", max(self.util, default=None), self._why("utilization"))
        watts = [w for _, w in self.power]
        _put(out, why, "gpu_power_mean_w", _mean(watts), self._why("power"))
        _put(out, why, "gpu_power_peak_w", max(watts, default=None), self._why("power"))
        end = self._energy_mj()
        if self.energy_start is not None and end is not None:
            out["gpu_energy_j"] = (end - self.energy_start) / 1000.0  # mJ -> J
            out["gpu_energy_source"] = "nvml-counter"
        elif len(self.power) >= 2:
            out["gpu_energy_j"] = _integrate(self.power)
            out["gpu_energy_source"] = "integrated-power"
        else:
            why["gpu_energy_j"] = "no energy counter and fewer than two power samples"

    def _why(self, metric: str) -> str:
        return self.broken.get(metric, f"no {metric} samples were taken")


class _ProcessProbe:
    """Samples a process tree: CPU time and storage reads as deltas, RSS as a peak."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.first: dict[tuple[int, float], tuple[float, int | None]] = {}
        self.last: dict[tuple[int, float], tuple[float, int | None]] = {}
        self.rss_peak = 0
        self.read_reason: str | None = None
        self.gone = False

    def sample(self, baseline: bool) -> None:
        if self.gone:
            return
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            self.gone = True  # keep what was seen while it lived
            return
        rss = 0
        for proc in procs:
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    rss += proc.memory_info().rss
                    key = (proc.pid, proc.create_time())
                    now = (times.user + times.system, self._read_bytes(proc))
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
            # A process first seen after the baseline was born during the window: count all of it.
            self.first.setdefault(key, now if baseline else (0.0, 0))
            self.last[key] = now
        self.rss_peak = max(self.rss_peak, rss)

    def _read_bytes(self, proc: psutil.Process) -> int | None:
        try:
            return int(proc.io_counters().read_bytes)
        except psutil.AccessDenied:
            self.read_reason = "not allowed to read the server's I/O counters (another user's)"
        except AttributeError:
            self.read_reason = "this OS does not report per-process I/O counters"
        return None

    def finish(self, out: dict[str, Any], why: dict[str, str]) -> None:
        out["proc_cpu_s"] = sum(self.last[k][0] - self.first[k][0] for k in self.last)
        out["proc_rss_peak_bytes"] = self.rss_peak
        reads = [(self.first[k][1], self.last[k][1]) for k in self.last]
        if self.read_reason or any(a is None or b is None for a, b in reads):
            why["proc_disk_read_bytes"] = self.read_reason or "I/O counters missing"
        else:
            out["proc_disk_read_bytes"] = sum(int(b or 0) - int(a or 0) for a, b in reads)


class Sampler:
    """Context manager sampling hardware around one request; read ``.telemetry`` afterwards.

    ``pid`` is the local server process (None when showdown did not start it); ``remote=True``
    says the server runs elsewhere, so this machine's GPU and RAM say nothing about it.
    """

    def __init__(self, pid: int | None = None, *, interval_s: float = 0.1, remote: bool = False):
        self.pid, self.interval_s, self.remote = pid, interval_s, remote
        self._stack = ExitStack()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="showdown-telemetry", daemon=True)
        self._gpu: _GpuProbe | None = None
        self._proc: _ProcessProbe | None = None
        self._why: dict[str, str] = {}
        self._ram_peak = 0
        self._samples = 0
        self._started = 0.0
        self._result: Telemetry | None = None

    @property
    def telemetry(self) -> Telemetry:
        """The figures, once the ``with`` block has ended."""
        if self._result is None:
            raise RuntimeError("telemetry is ready only after the Sampler's with-block ends")
        return self._result

    def __enter__(self) -> Sampler:
        self._open_probes()
        self._started = time.monotonic()
        self._sample(baseline=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(baseline=False)
        try:
            self._result = self._build(time.monotonic() - self._started)
        finally:
            self._stack.close()

    def _open_probes(self) -> None:
        if self.remote:
            _missing(self._why, GPU_FIELDS, "remote server: its GPU cannot be seen from here")
            _missing(self._why, RAM_FIELDS, "remote server: this machine's RAM is not its RAM")
        else:
            nvml, reason = self._stack.enter_context(nvml_session())
            if nvml is None:
                _missing(self._why, GPU_FIELDS, reason or "NVML unavailable")
            else:
                try:
                    self._gpu = _GpuProbe(nvml)
                except nvml.NVMLError as exc:
                    _missing(self._why, GPU_FIELDS, f"NVML failed to list GPUs: {exc}")
        if self.pid is None:
            _missing(self._why, PROCESS_FIELDS,
                     "no server process to watch (remote, or not started by showdown)")
            return
        try:
            self._proc = _ProcessProbe(self.pid)
        except psutil.NoSuchProcess:
            _missing(self._why, PROCESS_FIELDS, f"server process {self.pid} does not exist")

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample(baseline=False)

    def _sample(self, baseline: bool) -> None:
        now = time.monotonic()
        if self._gpu is not None:
            self._gpu.sample(now)
        if self._proc is not None:
            self._proc.sample(baseline)
        if not self.remote:
            memory = psutil.virtual_memory()
            self._ram_peak = max(self._ram_peak, memory.total - memory.available)
        self._samples += 1

    def _build(self, duration: float) -> Telemetry:
        out: dict[str, Any] = {}
        why = dict(self._why)
        if self._gpu is not None:
            self._gpu.finish(out, why)
        if self._proc is not None:
            self._proc.finish(out, why)
        if not self.remote:
            out["ram_used_peak_bytes"] = self._ram_peak
            out["ram_total_bytes"] = psutil.virtual_memory().total
        names = {f.name for f in fields(Telemetry)}
        return Telemetry(interval_s=self.interval_s, samples=self._samples, duration_s=duration,
                         unavailable=why, **{k: v for k, v in out.items() if k in names})


def _missing(why: dict[str, str], names: tuple[str, ...], reason: str) -> None:
    for name in names:
        why.setdefault(name, reason)


def _put(out: dict[str, Any], why: dict[str, str], name: str, value: Any, reason: str) -> None:
    if value is None:
        why[name] = reason
    else:
        out[name] = value


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _integrate(power: list[tuple[float, float]]) -> float:
    """Joules from (time s, watts) samples by the trapezoid rule."""
    return sum((w0 + w1) / 2 * (t1 - t0) for (t0, w0), (t1, w1) in itertools.pairwise(power))
