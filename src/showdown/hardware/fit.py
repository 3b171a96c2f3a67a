"""Pure arithmetic: will this model fit on this GPU, and if not, how many layers will?

"VRAM is the cliff": a model wholly in VRAM runs at tens to hundreds of tokens per second, one
that spills runs at a fraction of that. llama.cpp's ``--n-gpu-layers N`` puts the *last* N
repeating layers on the GPU (and the output head too when N > n_layer); the token embedding
always stays on the CPU. This module mirrors that placement with the bytes from the tensor
table, so the answer is known before a server is started.

Assumptions, stated: the KV cache is f16 (llama.cpp's default) and lives with its layer; a
fixed reserve covers the CUDA context and compute buffers (1 GiB plus a logits buffer of
512 tokens x vocabulary x 4 bytes); no flash-attention or quantised-cache savings are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from showdown.hardware.gguf_meta import GgufInfo

__all__ = [
    "BASE_RESERVE_BYTES",
    "GIB",
    "FitPrediction",
    "Tier",
    "default_reserve",
    "gib",
    "kv_bytes_per_token_per_layer",
    "predict_fit",
]

GIB = 1024**3
BASE_RESERVE_BYTES = GIB  # CUDA context, cuBLAS workspace, activations
_UBATCH = 512  # llama.cpp's default micro-batch: the logits buffer holds this many rows
_F16 = 2

Tier = Literal["vram", "partial", "cpu"]


@dataclass
class FitPrediction:
    """Where a model's layers will sit for a VRAM budget and context, and why."""

    vram_bytes: int
    ctx: int
    reserve_bytes: int
    kv_bytes_per_token: int
    kv_bytes: int
    layers_total: int
    layers_fit: int
    output_on_gpu: bool
    n_gpu_layers: int
    gpu_bytes: int
    vram_left_bytes: int
    cpu_bytes: int
    tier: Tier
    why: str


def gib(n: int | float) -> str:
    """Bytes in binary units with one decimal (GiB, MiB, KiB), as nvidia-smi and llama.cpp say."""
    for unit, scale in (("GiB", GIB), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(n) >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} B"


def kv_bytes_per_token_per_layer(info: GgufInfo) -> int:
    """f16 K and V for one token in one layer: n_head_kv x (key dim + value dim) x 2 bytes."""
    if not info.n_head_kv or not info.key_length or not info.value_length:
        return 0
    return info.n_head_kv * (info.key_length + info.value_length) * _F16


def default_reserve(info: GgufInfo) -> int:
    """VRAM kept back from weights: the base reserve plus the f32 logits buffer."""
    return BASE_RESERVE_BYTES + _UBATCH * (info.n_vocab or 0) * 4


def predict_fit(info: GgufInfo, vram_bytes: int, ctx: int, *, reserve_bytes: int | None = None,
                ram_bytes: int | None = None) -> FitPrediction:
    """Predict how many of ``info``'s layers fit in ``vram_bytes`` with a ``ctx``-token KV cache.

    ``vram_bytes`` 0 means no GPU (or unknown): everything is predicted on the CPU.
    ``ram_bytes``, when known, lets the explanation say whether the CPU part pages from disk.
    """
    reserve = default_reserve(info) if reserve_bytes is None else reserve_bytes
    kv_layer = kv_bytes_per_token_per_layer(info) * ctx
    budget = vram_bytes - reserve if vram_bytes > 0 else 0
    used = layers = 0
    total = len(info.layer_bytes)
    for size in reversed(info.layer_bytes):  # llama.cpp offloads from the last layer down
        if used + size + kv_layer > budget:
            break
        used += size + kv_layer
        layers += 1
    output_on_gpu = layers == total and used + info.output_bytes <= budget
    if output_on_gpu:
        used += info.output_bytes
    # A tied output head is a GPU copy of token_embd, which stays on the CPU as well.
    head_moved = info.output_bytes if output_on_gpu and not info.tied_embeddings else 0
    weights_on_gpu = sum(info.layer_bytes[total - layers:]) + head_moved
    tier: Tier = "cpu" if layers == 0 else "vram" if output_on_gpu else "partial"
    prediction = FitPrediction(
        vram_bytes=vram_bytes, ctx=ctx, reserve_bytes=reserve,
        kv_bytes_per_token=kv_bytes_per_token_per_layer(info) * total,
        kv_bytes=kv_layer * total, layers_total=total, layers_fit=layers,
        output_on_gpu=output_on_gpu, n_gpu_layers=layers + 1 if output_on_gpu else layers,
        gpu_bytes=used + (reserve if layers else 0),
        vram_left_bytes=max(budget - used, 0) if vram_bytes > 0 else 0,
        cpu_bytes=info.tensor_bytes - weights_on_gpu, tier=tier, why="",
    )
    prediction.why = _why(info, prediction, kv_layer, ram_bytes)
    return prediction


def _why(info: GgufInfo, p: FitPrediction, kv_layer: int, ram_bytes: int | None) -> str:
    """One plain sentence (or two) that explains the tier."""
    if p.tier == "vram":
        return (f"All {p.layers_total} layers, the output head and a {gib(p.kv_bytes)} KV cache "
                f"for {p.ctx} tokens fit in {gib(p.vram_bytes)} of VRAM "
                f"with {gib(p.vram_left_bytes)} to spare.")
    cpu_part = _cpu_part(p, ram_bytes)
    if p.vram_bytes <= 0:
        return f"No VRAM known (no GPU detected and none given): {cpu_part}."
    sizes = [s + kv_layer for s in info.layer_bytes] or [0]
    per_layer = f"a layer needs up to {gib(max(sizes))} with its KV cache"
    if info.is_moe:
        per_layer += (f" (MoE: all {info.n_expert} experts of a layer stay resident though only "
                      f"{info.n_expert_used} run per token)")
    usable = f"{gib(max(p.vram_bytes - p.reserve_bytes, 0))} usable of {gib(p.vram_bytes)}"
    if p.tier == "cpu":
        return f"Not even one layer fits: {per_layer}, {usable}; {cpu_part}."
    if p.layers_fit == p.layers_total:
        return (f"All {p.layers_total} layers fit in {usable} but the output head "
                f"({gib(info.output_bytes)}) does not; it runs on the CPU.")
    return (f"Only {p.layers_fit} of {p.layers_total} layers fit: {per_layer}, {usable}; "
            f"the other {p.layers_total - p.layers_fit} {cpu_part.removeprefix('all ')}.")


def _cpu_part(p: FitPrediction, ram_bytes: int | None) -> str:
    """What happens to the weights left on the CPU side, with RAM when it is known."""
    where = f"all layers run on the CPU ({gib(p.cpu_bytes)} of weights"
    if ram_bytes is None:
        return where + ")"
    if p.cpu_bytes > ram_bytes:
        return (where + f", more than the {gib(ram_bytes)} of RAM, so they page in from disk "
                "through mmap)")
    return where + f", held in {gib(ram_bytes)} of RAM)"
