"""Telemetry around real processes: CPU time, RSS, disk reads, children; GPU via NVML where present.

The stand-in "server" is a real Python subprocess that waits for ``go``, then does known work
(allocates and touches 64 MiB, burns 0.5 s of its own CPU time, reads a file) and holds
everything until its stdin closes, so the Sampler's last sample sees the work done.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import psutil
import pytest

from showdown.hardware.gpu import GpuScan, detect_gpus
from showdown.hardware.host import host_fingerprint
from showdown.hardware.telemetry import (
    GPU_FIELDS,
    PROCESS_FIELDS,
    Sampler,
    Telemetry,
    joules_per_token,
)
from showdown.records import from_dict, to_dict

MIB = 2**20
_WORKER = r"""
import sys, time
sys.stdin.readline()
hold = bytearray(64 * 2**20)
for i in range(0, len(hold), 4096):
    hold[i] = 1  # touch every page so it is resident
start = time.process_time()
while time.process_time() - start < 0.5:
    pass
data = open(sys.argv[1], "rb").read() if len(sys.argv) > 1 else b""
print(len(data), flush=True)
sys.stdin.read()
"""
# A parent that does nothing itself but starts a child that burns CPU (like Ollama's runner).
_PARENT = r"""
import subprocess, sys
sys.stdin.readline()
burn = "import sys, time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass\n"
burn += "print('burnt', flush=True)\nsys.stdin.read()\n"
subprocess.run([sys.executable, "-c", burn])
"""


def _spawn(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


@pytest.fixture
def worker() -> Iterator[subprocess.Popen[str]]:
    proc = _spawn(_WORKER)
    yield proc
    _finish(proc)


def _finish(proc: subprocess.Popen[str]) -> None:
    if proc.stdin and not proc.stdin.closed:
        proc.stdin.close()
    proc.wait(timeout=30)
    if proc.stdout:
        proc.stdout.close()


def _go(proc: subprocess.Popen[str]) -> str:
    """Start the work and wait until it is done (the process then holds its state)."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def _evicted_file(path: Path, size: int) -> Path:
    """A file whose pages are dropped from the page cache, so reading it must hit the disk."""
    with path.open("wb") as f:
        f.write(os.urandom(size))
        f.flush()
        os.fsync(f.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    return path


def _assert_every_none_is_explained(t: Telemetry) -> None:
    measured = [f.name for f in fields(Telemetry)
                if f.name not in ("interval_s", "samples", "duration_s", "unavailable",
                                  "gpu_energy_source")]
    for name in measured:
        if getattr(t, name) is None:
            assert t.unavailable.get(name), f"{name} is None with no reason"
        else:
            assert name not in t.unavailable


def test_cpu_side_figures_are_real(worker: subprocess.Popen[str]) -> None:
    with Sampler(worker.pid, interval_s=0.05) as sampler:
        assert _go(worker) == "0"
    t = sampler.telemetry
    assert t.proc_cpu_s is not None and t.proc_cpu_s >= 0.45  # its own CPU clock, not wall time
    assert t.proc_rss_peak_bytes is not None and t.proc_rss_peak_bytes >= 64 * MIB
    assert t.proc_disk_read_bytes is not None  # Linux reports it; the worker read nothing
    assert t.ram_total_bytes == psutil.virtual_memory().total
    assert t.ram_used_peak_bytes is not None and 0 < t.ram_used_peak_bytes <= t.ram_total_bytes
    assert t.samples >= 2 and t.duration_s > 0
    _assert_every_none_is_explained(t)


def test_without_a_gpu_gpu_fields_are_none_with_a_reason(worker: subprocess.Popen[str]) -> None:
    if detect_gpus().gpus is not None:
        pytest.skip("this machine has a GPU: see the gpu-marked tests")
    with Sampler(worker.pid, interval_s=0.05) as sampler:
        _go(worker)
    t = sampler.telemetry
    for name in GPU_FIELDS:
        assert getattr(t, name) is None and "NVML" in t.unavailable[name]
    assert t.gpu_energy_source is None and joules_per_token(t, 100) is None
    _assert_every_none_is_explained(t)


def test_disk_reads_of_the_server_are_counted(tmp_path: Path) -> None:
    # First prove this filesystem sends a read of an evicted file to storage at all.
    probe = _spawn(_WORKER, str(_evicted_file(tmp_path / "probe.bin", 4 * MIB)))
    try:
        before = psutil.Process(probe.pid).io_counters().read_bytes
        _go(probe)
        provoked = psutil.Process(probe.pid).io_counters().read_bytes - before
    finally:
        _finish(probe)
    if provoked < 4 * MIB:
        pytest.skip(f"this filesystem served an evicted file without storage reads ({provoked} B)")
    data = _evicted_file(tmp_path / "weights.bin", 8 * MIB)
    proc = _spawn(_WORKER, str(data))
    try:
        with Sampler(proc.pid, interval_s=0.05) as sampler:
            assert _go(proc) == str(8 * MIB)
    finally:
        _finish(proc)
    read = sampler.telemetry.proc_disk_read_bytes
    assert read is not None and read >= 8 * MIB


def test_children_of_the_server_are_counted() -> None:
    proc = _spawn(_PARENT)
    try:
        with Sampler(proc.pid, interval_s=0.05) as sampler:
            assert _go(proc) == "burnt"  # the grandchild printed it and is still alive
    finally:
        _finish(proc)
    cpu = sampler.telemetry.proc_cpu_s
    assert cpu is not None and cpu >= 0.45  # the parent alone only sleeps


def test_no_pid_and_remote_say_what_could_not_be_seen() -> None:
    with Sampler(None, interval_s=0.05) as local:
        pass
    for name in PROCESS_FIELDS:
        assert getattr(local.telemetry, name) is None
        assert "no server process" in local.telemetry.unavailable[name]
    assert local.telemetry.ram_total_bytes is not None
    with Sampler(None, interval_s=0.05, remote=True) as remote:
        pass
    t = remote.telemetry
    assert t.ram_total_bytes is None and "remote" in t.unavailable["ram_total_bytes"]
    assert all("remote" in t.unavailable[name] for name in GPU_FIELDS)
    _assert_every_none_is_explained(t)


def test_a_pid_that_does_not_exist_is_explained() -> None:
    proc = _spawn("pass")
    proc.wait(timeout=30)
    proc.stdin.close()  # type: ignore[union-attr]
    proc.stdout.close()  # type: ignore[union-attr]
    with Sampler(proc.pid, interval_s=0.05) as sampler:
        pass
    assert sampler.telemetry.proc_cpu_s is None
    assert "does not exist" in sampler.telemetry.unavailable["proc_cpu_s"]


def test_telemetry_is_only_ready_after_the_block_and_round_trips() -> None:
    sampler = Sampler(None, interval_s=0.05)
    with pytest.raises(RuntimeError):
        _ = sampler.telemetry
    with sampler:
        pass
    t = sampler.telemetry
    assert from_dict(Telemetry, to_dict(t)) == t


def test_joules_per_token() -> None:
    t = Telemetry(interval_s=0.1, gpu_energy_j=150.0, gpu_energy_source="nvml-counter")
    assert joules_per_token(t, 50) == 3.0
    assert joules_per_token(t, 0) is None and joules_per_token(t, None) is None
    assert joules_per_token(Telemetry(interval_s=0.1), 50) is None


def test_host_fingerprint_is_complete() -> None:
    host = host_fingerprint()
    assert host["cpu_cores_logical"] == os.cpu_count() and host["ram_bytes"] > 0
    assert host["cpu_model"] and host["os"] and host["python"] and host["showdown"]
    assert (host["gpus"] is None) == (host["gpu_unavailable"] is not None)


@pytest.fixture
def gpus() -> GpuScan:
    """The GPUs NVML sees, or skip saying why there are none."""
    scan = detect_gpus()
    if scan.gpus is None:
        pytest.skip(f"no GPU: {scan.reason}")
    return scan


@pytest.mark.gpu
def test_nvml_sees_the_gpu(gpus: GpuScan) -> None:
    scan = gpus
    assert scan.gpus is not None
    assert all(g.memory_total_bytes > g.memory_free_bytes >= 0 and g.name for g in scan.gpus)
    assert scan.gpus[0].driver_version
    host = host_fingerprint()
    assert host["gpus"] and host["gpus"][0]["vram_bytes"] == scan.gpus[0].memory_total_bytes


@pytest.mark.gpu
def test_gpu_telemetry_is_measured(gpus: GpuScan, worker: subprocess.Popen[str]) -> None:
    scan = gpus
    assert scan.gpus is not None
    with Sampler(worker.pid, interval_s=0.05) as sampler:
        _go(worker)
    t = sampler.telemetry
    assert t.gpu_count == len(scan.gpus)
    assert t.gpu_mem_used_peak_bytes is not None and t.gpu_mem_used_peak_bytes > 0
    assert t.gpu_power_mean_w is not None and t.gpu_power_mean_w > 0
    assert t.gpu_util_peak_pct is not None and 0 <= t.gpu_util_peak_pct <= 100
    assert t.gpu_energy_j is not None and t.gpu_energy_j > 0
    assert t.gpu_energy_source in ("nvml-counter", "integrated-power")
    assert joules_per_token(t, 10) == t.gpu_energy_j / 10
    _assert_every_none_is_explained(t)
