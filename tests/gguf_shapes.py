"""Synthetic GGUF files for the hardware tests: a tiny split MoE with real data, and Kimi K2's
published shape as sparse files (headers and tensor tables only; the data region is a hole).

Kimi K2 shape (public config.json of moonshotai/Kimi-K2-Instruct, a DeepSeek-V3 variant that
llama.cpp loads as ``deepseek2``): 61 layers (layer 0 dense, FFN 18432), hidden 7168, 64 heads,
MLA with q_lora_rank 1536, kv_lora_rank 512, qk_nope 128, qk_rope 64, v_head 128; 384 routed
experts of FFN 2048 with 8 used per token plus 1 shared expert; vocabulary 163840; trained context
131072. Tensor names and shapes follow llama.cpp's deepseek2 layout with MLA split into
attn_k_b / attn_v_b, so the GGUF declares a 1-head KV cache of key 576 / value 512 (the latent).
Tensor types follow llama.cpp's Q4_K_M recipe (llama_tensor_get_type): Q4_K by default; Q6_K for
ffn_down* where use_more_bits(layer, 61) and for output.weight; F32 for norms, the router and its
bias; attn_k_b (rows of 128, not a multiple of 256) falls back to Q5_0.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFWriter, quant_shape_to_byte_shape

from showdown.hardware.gguf_meta import GgufInfo

Q = GGMLQuantizationType

__all__ = ["KIMI", "TINY", "bundled_model", "is_sparse", "kimi_k2_info", "kimi_k2_tensors",
           "nbytes", "tiny_moe_tensors", "write_kimi_k2", "write_tiny_moe"]

KIMI = {
    "n_layer": 61, "n_embd": 7168, "n_head": 64, "n_vocab": 163840, "n_expert": 384,
    "n_expert_used": 8, "n_ff": 18432, "n_ff_exp": 2048, "q_lora": 1536, "kv_lora": 512,
    "qk_nope": 128, "qk_rope": 64, "v_head": 128, "ctx": 131072,
}


_CACHE = Path.home() / ".cache/showdown/models/SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_model() -> Path:
    """The bundled SmolLM2 GGUF, or skip saying where it was looked for."""
    path = Path(os.environ.get("SHOWDOWN_MODEL_PATH", _CACHE))
    if not path.is_file():
        pytest.skip(f"bundled model not found at {path} (run `showdown setup` or set "
                    "SHOWDOWN_MODEL_PATH)")
    return path


def nbytes(ne: tuple[int, ...], qtype: GGMLQuantizationType) -> int:
    """Bytes of a tensor with ggml dims ``ne`` stored as ``qtype`` (hand arithmetic)."""
    block, size = GGML_QUANT_SIZES[qtype]
    return int(np.prod(ne)) // block * size


def _use_more_bits(i: int, n: int) -> bool:
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def kimi_k2_tensors() -> list[tuple[str, tuple[int, ...], GGMLQuantizationType]]:
    """(name, ggml ne, type) for every tensor of Kimi K2 Q4_K_M, in file order."""
    k = KIMI
    e, h = k["n_embd"], k["n_head"]
    out: list[tuple[str, tuple[int, ...], GGMLQuantizationType]] = [
        ("token_embd.weight", (e, k["n_vocab"]), Q.Q4_K)]
    for i in range(k["n_layer"]):
        down = Q.Q6_K if _use_more_bits(i, k["n_layer"]) else Q.Q4_K
        b = f"blk.{i}."
        out += [
            (b + "attn_norm.weight", (e,), Q.F32),
            (b + "attn_q_a_norm.weight", (k["q_lora"],), Q.F32),
            (b + "attn_kv_a_norm.weight", (k["kv_lora"],), Q.F32),
            (b + "attn_q_a.weight", (e, k["q_lora"]), Q.Q4_K),
            (b + "attn_q_b.weight", (k["q_lora"], h * (k["qk_nope"] + k["qk_rope"])), Q.Q4_K),
            (b + "attn_kv_a_mqa.weight", (e, k["kv_lora"] + k["qk_rope"]), Q.Q4_K),
            (b + "attn_k_b.weight", (k["qk_nope"], k["kv_lora"], h), Q.Q5_0),
            (b + "attn_v_b.weight", (k["kv_lora"], k["v_head"], h), Q.Q4_K),
            (b + "attn_output.weight", (h * k["v_head"], e), Q.Q4_K),
            (b + "ffn_norm.weight", (e,), Q.F32),
        ]
        if i == 0:
            out += [(b + "ffn_gate.weight", (e, k["n_ff"]), Q.Q4_K),
                    (b + "ffn_up.weight", (e, k["n_ff"]), Q.Q4_K),
                    (b + "ffn_down.weight", (k["n_ff"], e), down)]
            continue
        x, f = k["n_expert"], k["n_ff_exp"]
        out += [
            (b + "ffn_gate_inp.weight", (e, x), Q.F32),
            (b + "exp_probs_b.bias", (x,), Q.F32),
            (b + "ffn_gate_exps.weight", (e, f, x), Q.Q4_K),
            (b + "ffn_up_exps.weight", (e, f, x), Q.Q4_K),
            (b + "ffn_down_exps.weight", (f, e, x), down),
            (b + "ffn_gate_shexp.weight", (e, f), Q.Q4_K),
            (b + "ffn_up_shexp.weight", (e, f), Q.Q4_K),
            (b + "ffn_down_shexp.weight", (f, e), down),
        ]
    out += [("output_norm.weight", (e,), Q.F32), ("output.weight", (e, k["n_vocab"]), Q.Q6_K)]
    return out


def kimi_k2_info() -> GgufInfo:
    """Kimi K2 Q4_K_M as a GgufInfo built in code from the shape above (no file involved)."""
    k = KIMI
    layers = [0] * k["n_layer"]
    non_layer = 0
    for name, ne, qtype in kimi_k2_tensors():
        if name.startswith("blk."):
            layers[int(name.split(".")[1])] += nbytes(ne, qtype)
        else:
            non_layer += nbytes(ne, qtype)
    output = nbytes((k["n_embd"], k["n_vocab"]), Q.Q6_K) + k["n_embd"] * 4
    params = sum(int(np.prod(ne)) for _, ne, _ in kimi_k2_tensors())
    return GgufInfo(
        path="Kimi-K2-Instruct-Q4_K_M-00001-of-00013.gguf", shards=[], architecture="deepseek2",
        name="Kimi K2 (shape)", parameter_count=params, file_type="Q4_K_M",
        file_bytes=sum(layers) + non_layer, tensor_bytes=sum(layers) + non_layer,
        n_layer=k["n_layer"], n_expert=k["n_expert"], n_expert_used=k["n_expert_used"],
        context_length=k["ctx"], embedding_length=k["n_embd"], n_head=k["n_head"], n_head_kv=1,
        key_length=k["kv_lora"] + k["qk_rope"], value_length=k["kv_lora"], n_vocab=k["n_vocab"],
        layer_bytes=layers, non_layer_bytes=non_layer, output_bytes=output)


def _kimi_metadata(w: GGUFWriter) -> None:
    k, a = KIMI, "deepseek2"
    w.add_name("Kimi-K2-Instruct (synthetic shape)")
    w.add_file_type(15)  # LLAMA_FTYPE_MOSTLY_Q4_K_M
    for key, value in [("block_count", k["n_layer"]), ("context_length", k["ctx"]),
                       ("embedding_length", k["n_embd"]), ("feed_forward_length", k["n_ff"]),
                       ("expert_feed_forward_length", k["n_ff_exp"]),
                       ("expert_count", k["n_expert"]), ("expert_used_count", k["n_expert_used"]),
                       ("expert_shared_count", 1), ("leading_dense_block_count", 1),
                       ("vocab_size", k["n_vocab"]), ("attention.head_count", k["n_head"]),
                       ("attention.head_count_kv", 1),
                       ("attention.key_length", k["kv_lora"] + k["qk_rope"]),
                       ("attention.value_length", k["kv_lora"]),
                       ("attention.key_length_mla", k["qk_nope"] + k["qk_rope"]),
                       ("attention.value_length_mla", k["v_head"]),
                       ("attention.q_lora_rank", k["q_lora"]),
                       ("attention.kv_lora_rank", k["kv_lora"])]:
        w.add_uint32(f"{a}.{key}", value)


def write_kimi_k2(folder: Path, split_max_size: int = 50 * 10**9) -> list[Path]:
    """Kimi K2 Q4_K_M as sparse shards: real headers and tensor tables, data left as holes."""
    w = GGUFWriter(folder / "Kimi-K2-Instruct-Q4_K_M.gguf", "deepseek2",
                   split_max_size=split_max_size)
    _kimi_metadata(w)
    for name, ne, qtype in kimi_k2_tensors():
        w.add_tensor_info(name, tuple(reversed(ne)), np.dtype(np.float32), nbytes(ne, qtype),
                          raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    assert w.fout is not None
    paths = []
    for fout, tensors in zip(w.fout, w.tensors, strict=True):
        start = GGUFWriter.ggml_pad(fout.tell(), w.data_alignment)
        data = sum(GGUFWriter.ggml_pad(ti.nbytes, w.data_alignment) for ti in tensors.values())
        fout.truncate(start + data)  # a hole: no disk blocks are written
        paths.append(Path(fout.name))
    w.close()
    return paths


def is_sparse(paths: list[Path]) -> bool:
    """Whether the filesystem kept the files as holes (st_blocks counts 512-byte units)."""
    return all(os.stat(p).st_blocks * 512 < 64 * 2**20 for p in paths)


TINY = {"n_layer": 4, "n_embd": 64, "n_head": 4, "n_head_kv": 2, "n_expert": 64,
        "n_expert_used": 4, "n_ff_exp": 32, "n_vocab": 256, "ctx": 2048}


def tiny_moe_tensors() -> list[tuple[str, tuple[int, ...], GGMLQuantizationType]]:
    """(name, ggml ne, type) of a tiny Mixtral-like MoE: 64 experts per layer, Q8_0 experts."""
    t = TINY
    e, x, f = t["n_embd"], t["n_expert"], t["n_ff_exp"]
    kv = e // t["n_head"] * t["n_head_kv"]
    out: list[tuple[str, tuple[int, ...], GGMLQuantizationType]] = [
        ("token_embd.weight", (e, t["n_vocab"]), Q.Q8_0)]
    for i in range(t["n_layer"]):
        b = f"blk.{i}."
        out += [(b + "attn_norm.weight", (e,), Q.F32), (b + "attn_q.weight", (e, e), Q.F16),
                (b + "attn_k.weight", (e, kv), Q.F16), (b + "attn_v.weight", (e, kv), Q.F16),
                (b + "attn_output.weight", (e, e), Q.F16), (b + "ffn_norm.weight", (e,), Q.F32),
                (b + "ffn_gate_inp.weight", (e, x), Q.F32),
                (b + "ffn_gate_exps.weight", (e, f, x), Q.Q8_0),
                (b + "ffn_up_exps.weight", (e, f, x), Q.Q8_0),
                (b + "ffn_down_exps.weight", (f, e, x), Q.Q8_0)]
    out += [("output_norm.weight", (e,), Q.F32), ("output.weight", (e, t["n_vocab"]), Q.Q8_0)]
    return out


def write_tiny_moe(folder: Path, shards: int = 3) -> list[Path]:
    """The tiny MoE written with real (zero) data, split into ``shards`` files by tensor count."""
    tensors = tiny_moe_tensors()
    per_shard = -(-len(tensors) // shards)
    w = GGUFWriter(folder / "tiny-moe.gguf", "llama", split_max_tensors=per_shard)
    t, a = TINY, "llama"
    w.add_name("tiny synthetic MoE")
    w.add_file_type(7)  # MOSTLY_Q8_0
    for key, value in [("block_count", t["n_layer"]), ("context_length", t["ctx"]),
                       ("embedding_length", t["n_embd"]), ("feed_forward_length", t["n_ff_exp"]),
                       ("expert_count", t["n_expert"]), ("expert_used_count", t["n_expert_used"]),
                       ("attention.head_count", t["n_head"]),
                       ("attention.head_count_kv", t["n_head_kv"])]:
        w.add_uint32(f"{a}.{key}", value)
    for name, ne, qtype in tensors:
        shape = tuple(reversed(ne))
        if qtype in (Q.F32, Q.F16):
            w.add_tensor(name, np.zeros(shape, dtype=np.float32 if qtype == Q.F32 else np.float16))
        else:
            raw = np.zeros(quant_shape_to_byte_shape(shape, qtype), dtype=np.uint8)
            w.add_tensor(name, raw, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return sorted(folder.glob("tiny-moe-*.gguf"))
