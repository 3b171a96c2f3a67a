"""The managed llama-server and the streaming client against the real server and bundled model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from showdown.providers import ChatRequest, ProviderError, make_provider, parse_spec
from showdown.providers.llamacpp import LlamaCppOptions, LlamaCppProvider
from showdown.records import GenerationSettings
from showdown.store import Store

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent
PROMPT = "Write a Python function that adds two numbers."


def provider(model: Path, binary: Path) -> LlamaCppProvider:
    spec = parse_spec(f"smol=llamacpp:{model}", {"llama_server": str(binary)})
    made = make_provider(spec)
    assert isinstance(made, LlamaCppProvider)
    return made


def pids_of(model: Path, parent: int | None = None) -> set[int]:
    """Live llama-server processes serving this model file (from /proc), optionally one parent's."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if cmd and cmd[0].endswith(b"llama-server") and str(model).encode() in cmd \
                    and stat[0] != "Z" and parent in (None, int(stat[1])):
                found.add(int(entry.name))
    return found


def test_stream_records_client_and_server_figures(bundled_model: Path, llama_server_bin: Path) -> None:
    p = provider(bundled_model, llama_server_bin)
    settings = p.open(GenerationSettings(max_tokens=48))
    assert p.server is not None and p.server.pid in pids_of(bundled_model)
    pid = p.server.pid
    try:
        gen = p.stream(ChatRequest(PROMPT, settings))
    finally:
        p.close()
    assert settings.ctx == 8192  # the bundled model's trained context caps the default 16384
    assert p.info["requested_ctx"] == 16384 and p.info["ctx"] == 8192
    assert p.info["placement"] == "cpu" and p.info["architecture"] == "llama"
    # No GPU here: "auto" predicts 0 layers and says why.
    assert p.info["n_gpu_layers_setting"] == "auto" and p.info["n_gpu_layers_requested"] == 0
    assert p.info["n_gpu_layers_predicted"] == 0 and p.info["fit_tier"] == "cpu"
    assert p.info["n_gpu_layers"] == 0  # read from the server's own log
    assert p.load_s is not None and p.load_s > 0 and gen.load_s == p.load_s
    assert gen.error is None and gen.text
    assert gen.output_tokens is not None and 1 <= gen.output_tokens <= 48
    assert gen.server_timings["predicted_n"] == gen.output_tokens
    assert gen.server_tokens_per_s is not None and gen.server_tokens_per_s > 0
    assert gen.ttft_s is not None and gen.total_s is not None and gen.total_s >= gen.ttft_s
    assert gen.finish_reason in ("stop", "length")
    assert pid not in pids_of(bundled_model)
    assert p.server is not None and not p.server.log_path.exists()  # a clean run leaves no log


def test_gpu_layers_are_what_the_server_log_says(tmp_path: Path) -> None:
    from showdown.servers.llamacpp import ManagedServer
    server = ManagedServer(tmp_path / "llama-server", tmp_path / "m.gguf", 512)
    server.log_path.write_text("load_tensors: offloaded 12/31 layers to GPU\n")
    assert server.gpu_layers() == (12, 31)
    server.log_path.write_text("warning: no usable GPU found, --gpu-layers option will be ignored\n")
    assert server.gpu_layers() == (0, None)
    server.log_path.write_text("main: server is listening\n")
    assert server.gpu_layers() is None


def test_a_binary_that_cannot_run_is_a_provider_error(tmp_path: Path, bundled_model: Path) -> None:
    not_executable = tmp_path / "llama-server"
    not_executable.write_text("#!/bin/sh\n")
    p = LlamaCppProvider("smol", f"llamacpp:{bundled_model}", bundled_model,
                         LlamaCppOptions(llama_server=str(not_executable)))
    with pytest.raises(ProviderError, match="cannot run"):
        p.open(GenerationSettings())


def test_bad_model_file_fails_to_start_with_the_log(tmp_path: Path, llama_server_bin: Path) -> None:
    fake = tmp_path / "broken.gguf"
    fake.write_bytes(b"GGUF" + b"\0" * 64)
    p = provider(fake, llama_server_bin)
    with pytest.raises(ProviderError) as info:
        p.open(GenerationSettings())
    assert "broken.gguf" in str(info.value)
    assert not pids_of(fake)


def test_a_server_that_never_becomes_healthy_is_stopped(bundled_model: Path,
                                                        llama_server_bin: Path) -> None:
    p = LlamaCppProvider("smol", f"llamacpp:{bundled_model}", bundled_model,
                         LlamaCppOptions(llama_server=str(llama_server_bin), health_timeout_s=0.05))
    with pytest.raises(ProviderError, match=r"not healthy after 0\.05 s"):
        p.open(GenerationSettings())
    assert p.server is not None and not p.server.alive()


def test_server_killed_mid_stream_is_recorded(bundled_model: Path, llama_server_bin: Path) -> None:
    p = provider(bundled_model, llama_server_bin)
    settings = p.open(GenerationSettings(max_tokens=4000))
    assert p.server is not None and p.server.pid is not None
    pid = p.server.pid
    seen = threading.Event()

    def killer(chunks: int, elapsed: float) -> None:
        if chunks == 5 and not seen.is_set():
            seen.set()
            os.kill(pid, signal.SIGKILL)

    try:
        gen = p.stream(ChatRequest(PROMPT, settings), killer)
    finally:
        p.close()
    assert seen.is_set()
    assert gen.error is not None and "llama-server died" in gen.error
    assert len(gen.text) > 0  # what arrived before the crash is kept
    assert not p.healthy()


def run_cli(*args: str, db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "showdown", "run", "--db", str(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_showdown_run_json_on_the_bundled_model(tmp_path: Path, bundled_model: Path,
                                                llama_server_bin: Path) -> None:
    proc = run_cli("--max-tokens", "64", "--json", "--llama-server", str(llama_server_bin),
                   db=tmp_path / "s.db")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    (row,) = json.loads(out)["results"]
    for key in ("model", "task", "ttft_s", "total_s", "output_tokens", "tokens_per_s", "load_s",
                "finish_reason", "server_tokens_per_s", "syntax_ok", "features", "functional",
                "score", "diagnoses", "code_lines", "code"):
        assert key in row
    assert row["model"] == "SmolLM2-135M (bundled)"
    assert row["settings"] == {"max_tokens": 64, "ctx": 8192, "temperature": 0.0, "seed": 42}
    assert row["server_tokens_per_s"] is not None
    assert row["output_tokens"] <= 64
    telemetry = row["telemetry"]
    assert telemetry["proc_cpu_s"] > 0 and telemetry["proc_rss_peak_bytes"] > 0
    if not row["host"]["gpus"]:  # no GPU: GPU figures are null with a reason, never zeros
        assert telemetry["gpu_energy_j"] is None and telemetry["peak_vram_bytes"] is None
        assert telemetry["unavailable"]["gpu_energy_j"]
    assert 0 <= row["score"] <= 100


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_server_keeps_results_and_resume_finishes(
        tmp_path: Path, bundled_model: Path, llama_server_bin: Path, signum: int) -> None:
    db = tmp_path / "s.db"
    proc = run_cli("--max-tokens", "400", "--trials", "2", "--llama-server", str(llama_server_bin),
                   db=db)
    deadline = time.monotonic() + 900  # generous: a busy 2-core machine is many times slower
    while time.monotonic() < deadline and not _has_results(db):
        time.sleep(0.2)  # wait for trial 1 to be stored, then interrupt trial 2
    assert _has_results(db), "trial 1 was never stored: nothing to interrupt after it"
    time.sleep(1.0)
    ours = pids_of(bundled_model, parent=proc.pid)  # the server generating trial 2
    assert ours
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, err
    assert "--resume" in err
    assert not ours & pids_of(bundled_model)
    store = Store(db)
    interrupted = store.last_unfinished()
    assert interrupted is not None and interrupted.status == "interrupted"
    assert [r.trial for r in store.results()] == [1]

    again = run_cli("--resume", db=db)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    trials = sorted(r.trial for r in Store(db).results())
    assert trials == [1, 2]
    assert Store(db).last_unfinished() is None
    assert not pids_of(bundled_model, parent=again.pid)


def _has_results(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        return bool(Store(db).results())
    except Exception:
        return False
