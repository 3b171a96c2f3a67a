"""Fit arithmetic against hand-computed figures, the seed's Kimi K2 case, and ``showdown fit``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gguf_shapes import bundled_model, kimi_k2_info, write_tiny_moe

from showdown.hardware.fit import (
    BASE_RESERVE_BYTES,
    GIB,
    default_reserve,
    kv_bytes_per_token_per_layer,
    predict_fit,
)
from showdown.hardware.gguf_meta import GgufInfo, read_gguf

SRC = Path(__file__).resolve().parents[1] / "src"

# The tiny MoE (see test_gguf_meta): 4 layers of 459,264 B, output head 17,664 B,
# 2 KV heads x (16 + 16) dims x 2 B = 128 B of f16 KV cache per token per layer.
LAYER, HEAD, KV_TOKEN_LAYER = 459_264, 17_664, 128


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> GgufInfo:
    return read_gguf(write_tiny_moe(tmp_path_factory.mktemp("tiny"))[0])


def test_kv_cache_arithmetic(tiny: GgufInfo) -> None:
    assert kv_bytes_per_token_per_layer(tiny) == KV_TOKEN_LAYER
    p = predict_fit(tiny, 8 * GIB, 2048)
    assert p.kv_bytes_per_token == 4 * 128 and p.kv_bytes == 4 * 128 * 2048 == 1_048_576
    # Reserve: 1 GiB base + 512-row f32 logits buffer over a 256-token vocabulary.
    assert default_reserve(tiny) == p.reserve_bytes == BASE_RESERVE_BYTES + 512 * 256 * 4


def test_exact_layer_counts_at_the_boundaries(tiny: GgufInfo) -> None:
    ctx, reserve = 2048, 1000
    per = LAYER + KV_TOKEN_LAYER * ctx  # 459,264 + 262,144 = 721,408 B per offloaded layer
    two = predict_fit(tiny, reserve + 2 * per + 1, ctx, reserve_bytes=reserve)
    assert (two.layers_fit, two.n_gpu_layers, two.tier, two.vram_left_bytes) == (2, 2, "partial", 1)
    assert two.gpu_bytes == reserve + 2 * per
    assert two.cpu_bytes == tiny.tensor_bytes - 2 * LAYER
    one = predict_fit(tiny, reserve + 2 * per - 1, ctx, reserve_bytes=reserve)
    assert one.layers_fit == 1
    no_head = predict_fit(tiny, reserve + 4 * per + HEAD - 1, ctx, reserve_bytes=reserve)
    assert (no_head.layers_fit, no_head.output_on_gpu, no_head.tier) == (4, False, "partial")
    assert no_head.n_gpu_layers == 4 and "output head" in no_head.why
    whole = predict_fit(tiny, reserve + 4 * per + HEAD, ctx, reserve_bytes=reserve)
    assert (whole.layers_fit, whole.n_gpu_layers, whole.tier) == (4, 5, "vram")
    assert whole.vram_left_bytes == 0 and whole.cpu_bytes == tiny.tensor_bytes - 4 * LAYER - HEAD
    none = predict_fit(tiny, reserve + per - 1, ctx, reserve_bytes=reserve)
    assert (none.layers_fit, none.tier, none.gpu_bytes) == (0, "cpu", 0)
    assert "64 experts" in none.why and "4 run per token" in none.why


def test_longer_context_costs_layers(tiny: GgufInfo) -> None:
    budget = 1000 + 4 * (LAYER + KV_TOKEN_LAYER * 2048) + HEAD  # 2,904,296 B
    assert predict_fit(tiny, budget, 2048, reserve_bytes=1000).tier == "vram"
    # At 8192 tokens a layer needs 459,264 + 1,048,576 = 1,507,840 B: 2,903,296 B hold one.
    assert predict_fit(tiny, budget, 8192, reserve_bytes=1000).layers_fit == 1


def test_no_vram_predicts_cpu_and_says_so(tiny: GgufInfo) -> None:
    p = predict_fit(tiny, 0, 2048, ram_bytes=64 * GIB)
    assert (p.layers_fit, p.n_gpu_layers, p.tier, p.vram_left_bytes) == (0, 0, "cpu", 0)
    assert p.cpu_bytes == tiny.tensor_bytes
    assert p.why.startswith("No VRAM known") and "RAM" in p.why


def test_kimi_k2_on_a_32_gib_card_matches_the_seed() -> None:
    """The seed: 579 GB Q4_K_M, 32 GB RTX 5090, "≈9.4 GB per layer … 3 layers maximum",
    "settled on 2 GPU layers (confirmed working, 3 was borderline)"."""
    info = kimi_k2_info()
    assert abs(sum(info.layer_bytes) / 61 / GIB - 9.4) < 0.1
    p = predict_fit(info, 32 * GIB, 4096, ram_bytes=128 * GIB)
    assert 2 <= p.layers_fit <= 3 and p.tier == "partial"
    assert p.layers_fit == 2  # the last layers carry Q6_K ffn_down_exps: 10.3 GiB each
    # MLA caches the 576 + 512 latent per token and layer: tiny next to the weights.
    assert p.kv_bytes == 61 * (576 + 512) * 2 * 4096
    assert p.cpu_bytes > 128 * GIB and "mmap" in p.why and "384 experts" in p.why
    # A 96 GiB card: 8 Q6_K-down layers (53-60) and layer 52 (8.95 GiB) fit; layer 51 does not.
    assert predict_fit(info, 96 * GIB, 4096).layers_fit == 9


def test_bundled_model_fits_small_cards() -> None:
    info = read_gguf(bundled_model())
    p = predict_fit(info, 2 * GIB, 8192)
    # 30 layers x (2,216,448 B + 768 B x 8192 KV) + tied head 30,083,328 B + reserve < 2 GiB.
    assert (p.tier, p.layers_fit, p.n_gpu_layers) == ("vram", 30, 31)
    assert p.kv_bytes == 30 * 3 * (64 + 64) * 2 * 8192
    assert p.vram_left_bytes == 2 * GIB - p.reserve_bytes - 30 * (2_216_448 + 768 * 8192) \
        - 30_083_328
    # Tied embeddings: the GPU head is a copy, token_embd stays on the CPU too.
    assert p.cpu_bytes == info.non_layer_bytes


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "showdown", "fit", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_cli_fit_table_for_the_bundled_model() -> None:
    done = _cli(str(bundled_model()), "--vram", "8", "--ctx", "4096")
    assert done.returncode == 0, done.stderr
    for expected in ("llama", "Q4_1", "30 of 30", "--n-gpu-layers 31", "vram (fits wholly)",
                     "8.0 GiB (given with --vram)", "4096 (given with --ctx)", "none (dense)"):
        assert expected in done.stdout


def test_cli_fit_json_for_the_split_moe(tmp_path: Path) -> None:
    shards = write_tiny_moe(tmp_path)
    done = _cli(str(shards[0]), "--vram", "0", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["model"]["n_expert"] == 64 and len(data["model"]["shards"]) == 3
    assert data["prediction"]["tier"] == "cpu" and data["prediction"]["layers_fit"] == 0
    assert data["prediction"]["ctx"] == 2048  # the trained context, under showdown's 16384


def test_cli_without_gpu_says_vram_is_unknown() -> None:
    from showdown.hardware.gpu import detect_gpus

    if detect_gpus().gpus is not None:
        pytest.skip("this machine has a GPU; the no-GPU message cannot show here")
    done = _cli(str(bundled_model()))
    assert done.returncode == 0, done.stderr
    assert "unknown: 0 detected" in done.stdout and "cpu (CPU and mmap)" in done.stdout


@pytest.mark.parametrize("make", ["missing", "text"])
def test_cli_bad_model_is_one_error_line_exit_2(tmp_path: Path, make: str) -> None:
    path = tmp_path / "model.gguf"
    if make == "text":
        path.write_text("hello\n")
    done = _cli(str(path))
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "model.gguf" in lines[0]
