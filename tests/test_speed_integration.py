"""showdown speed against the real llama-server and the bundled model (short: 16 tokens)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def speed(model: Path, binary: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "showdown", "speed", "-m", f"smol=llamacpp:{model}",
                           "--llama-server", str(binary), "--db", str(db), "--gen", "16", *args],
                          capture_output=True, text=True, timeout=600, check=False)


def positive(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value) and value > 0


def test_threads_sweep_gives_a_row_per_configuration_and_depth(
        bundled_model: Path, llama_server_bin: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    out = speed(bundled_model, llama_server_bin, db, "--depth", "0,256", "-r", "2",
                "--set", "threads=1,2", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["configuration"], r["depth"]) for r in rows] == [
        ({"threads": "1"}, 0), ({"threads": "1"}, 256), ({"threads": "2"}, 0),
        ({"threads": "2"}, 256)]
    for row in rows:
        assert row["error"] is None and row["repetitions"] == 2
        assert positive(row["tg_tokens_per_s"]) and positive(row["ttft_s"])
        low, high = row["tg_spread"]
        assert low <= row["tg_tokens_per_s"] <= high
        assert all(s["predicted_n"] == 16 for s in row["samples"])
        assert "--threads" in row["server"]["args"]
    deep = [r for r in rows if r["depth"] == 256]
    assert all(positive(r["pp_tokens_per_s"]) for r in deep)
    assert all(s["prompt_n"] == 256 for r in deep for s in r["samples"])  # read cold, in full
    assert all(r["pp_tokens_per_s"] is None for r in rows if r["depth"] == 0)
    listed = subprocess.run([sys.executable, "-m", "showdown", "speed", "--show", "--db", str(db),
                             "--format", "csv"], capture_output=True, text=True, check=False)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 5
    assert "threads=1" in listed.stdout and "threads=2" in listed.stdout


def test_depth_past_trained_context_is_refused_and_nothing_saved(
        bundled_model: Path, llama_server_bin: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    out = speed(bundled_model, llama_server_bin, db, "--depth", "0,9000")
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "trained context of 8192" in out.stderr
    assert not db.exists()


def test_a_configuration_that_does_not_fit_is_skipped(
        bundled_model: Path, llama_server_bin: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    out = speed(bundled_model, llama_server_bin, db, "--depth", "0", "-r", "1", "--vram", "0.01",
                "--set", "n_gpu_layers=0,99", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["configuration"] for r in rows] == [{"n_gpu_layers": "0"}]
    assert "skipped smol [n_gpu_layers=99]" in out.stderr and "only 0 fit" in out.stderr


def test_every_sweepable_flag_is_one_llama_server_takes(
        bundled_model: Path, llama_server_bin: Path, tmp_path: Path) -> None:
    out = speed(bundled_model, llama_server_bin, tmp_path / "s.db", "--depth", "256", "-r", "1",
                "--set", "ctx=512,1024", "--set", "batch_size=128", "--set", "ubatch_size=64",
                "--set", "flash_attn=off", "--set", "cache_type_k=q8_0", "--set", "mmap=off",
                "--set", "n_gpu_layers=0", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["server"]["ctx"] for r in rows] == [512, 1024]
    for row in rows:
        assert row["error"] is None, row["error"]  # the server started and answered
        assert positive(row["pp_tokens_per_s"]) and positive(row["tg_tokens_per_s"])
        args = row["server"]["args"]
        for flag in ("--batch-size", "--ubatch-size", "--flash-attn", "--cache-type-k",
                     "--load-mode"):
            assert flag in args


def test_run_set_ctx_then_speed_names_the_best_with_its_score(
        bundled_model: Path, llama_server_bin: Path, tmp_path: Path) -> None:
    """run --set ctx=… starts each server with that context and stores the configuration;
    speed over the same configurations then weighs each one's score in its best choice."""
    db = tmp_path / "s.db"
    run = subprocess.run([sys.executable, "-m", "showdown", "run", "-m",
                          f"smol=llamacpp:{bundled_model}", "--llama-server",
                          str(llama_server_bin), "--db", str(db), "--max-tokens", "32",
                          "--set", "ctx=512,1024", "--json"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    results = {r["model"]: r for r in json.loads(run.stdout)["results"]}
    assert sorted(results) == ["smol [ctx=1024]", "smol [ctx=512]"]
    for ctx in (512, 1024):
        result = results[f"smol [ctx={ctx}]"]
        assert result["settings"]["ctx"] == ctx and result["model_info"]["ctx"] == ctx
        assert result["model_info"]["requested_ctx"] == ctx and result["error"] is None
    out = speed(bundled_model, llama_server_bin, db, "--depth", "0,128", "-r", "1",
                "--set", "ctx=512,1024", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert all(r["quality"]["status"] in ("reference", "kept", "within_noise", "dropped")
               for r in rows)  # every configuration's score was found and compared
    best = [r for r in rows if r["best"]]
    assert len(best) == 1 and best[0]["depth"] == 128 and best[0]["quality"]["eligible"]
    assert best[0]["quality"]["score"] == results[
        f"smol [ctx={best[0]['configuration']['ctx']}]"]["score"]
