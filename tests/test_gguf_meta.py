"""GGUF metadata: the bundled real model, a tiny split MoE written with GGUFWriter, and Kimi K2's
published shape as 13 sparse shards. Expected figures are worked out by hand in the comments
(ggml block sizes: Q4_1 32 elements in 20 bytes, Q8_0 32 in 34, Q4_K 256 in 144, Q6_K 256 in 210).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gguf_shapes import TINY, bundled_model, is_sparse, kimi_k2_info, write_kimi_k2, write_tiny_moe

from showdown.hardware.gguf_meta import GgufError, find_shards, read_gguf

GIB = 1024**3


def test_bundled_smollm2_metadata() -> None:
    info = read_gguf(bundled_model())
    assert (info.architecture, info.file_type, info.n_layer) == ("llama", "Q4_1", 30)
    assert (info.n_expert, info.n_expert_used, info.is_moe) == (0, 0, False)
    assert (info.context_length, info.embedding_length, info.n_vocab) == (8192, 576, 49152)
    assert (info.n_head, info.n_head_kv, info.key_length, info.value_length) == (9, 3, 64, 64)
    assert 134_000_000 < info.parameter_count < 135_000_000  # "135M"
    # Per layer: 2 norms of 576 F32 (2304 B each); Q4_1 tensors at 20 B per 32 elements:
    # q, o 576x576 -> 207360 B; k, v 576x192 -> 69120 B; gate, up, down 576x1536 -> 552960 B.
    per_layer = 2 * 2304 + 2 * 207360 + 2 * 69120 + 3 * 552960
    assert per_layer == 2_216_448
    assert info.layer_bytes == [per_layer] * 30
    # token_embd 576x49152 in Q8_0 (34 B per 32) + output_norm 2304 B; no output.weight: tied.
    assert info.non_layer_bytes == 576 * 49152 // 32 * 34 + 2304
    assert info.tied_embeddings and info.output_bytes == 576 * 49152 // 32 * 34 + 2304
    assert info.tensor_bytes == 30 * per_layer + info.non_layer_bytes
    assert info.file_bytes == bundled_model().stat().st_size > info.tensor_bytes
    assert info.shards == [str(bundled_model())]


def test_tiny_split_moe_found_from_any_shard(tmp_path: Path) -> None:
    shards = write_tiny_moe(tmp_path, shards=3)
    assert [s.name for s in shards] == [f"tiny-moe-0000{i}-of-00003.gguf" for i in (1, 2, 3)]
    assert find_shards(shards[2]) == shards
    info = read_gguf(shards[1])  # any shard finds the others; metadata comes from the first
    assert info.shards == [str(s) for s in shards] and info.path == str(shards[0])
    assert (info.n_layer, info.n_expert, info.n_expert_used) == (4, 64, 4)
    assert info.file_type == "Q8_0" and info.context_length == TINY["ctx"]
    # Per layer: norms 2 x 64 F32 = 512 B; q, o 64x64 F16 = 8192 B each; k, v 64x32 F16 = 4096 B
    # each; router 64x64 F32 = 16384 B; three expert tensors 64x32x64 Q8_0 = 131072/32*34 B each.
    per_layer = 512 + 2 * 8192 + 2 * 4096 + 16384 + 3 * 139264
    assert per_layer == 459_264
    assert info.layer_bytes == [per_layer] * 4
    # token_embd and output 64x256 Q8_0 = 17408 B each, output_norm 256 B.
    assert info.non_layer_bytes == 2 * 17408 + 256 and info.output_bytes == 17408 + 256
    assert not info.tied_embeddings
    assert info.file_bytes == sum(s.stat().st_size for s in shards)
    assert (info.n_head_kv, info.key_length) == (2, 16)  # 64 / 4 heads, no key_length stated


def test_kimi_k2_sparse_shards_read_like_the_published_model(tmp_path: Path) -> None:
    shards = write_kimi_k2(tmp_path)
    if not is_sparse(shards):
        pytest.skip("this filesystem does not keep sparse files; 579 GiB would be written")
    info = read_gguf(shards[0])
    shape = kimi_k2_info()
    assert len(info.shards) == 13  # the seed: "579 GB across 13 shard files"
    assert (info.architecture, info.file_type, info.n_layer) == ("deepseek2", "Q4_K_M", 61)
    assert (info.n_expert, info.n_expert_used) == (384, 8)
    assert 1.0e12 < info.parameter_count < 1.1e12  # "1 trillion total parameters"
    assert info.layer_bytes == shape.layer_bytes
    assert info.non_layer_bytes == shape.non_layer_bytes
    assert info.output_bytes == shape.output_bytes
    # Hand total: layer 0 (dense) 314,486,784 B; 29 MoE layers with Q6_K down 11,063,047,680 B;
    # 31 with Q4_K down 9,605,936,640 B; embeddings, output and norm 1,624,010,752 B.
    assert info.tensor_bytes == 314_486_784 + 29 * 11_063_047_680 + 31 * 9_605_936_640 \
        + 1_624_010_752 == 620_550_916_096
    # The seed's 579 "GB" are GiB as ls -h / du report them (621 GB decimal).
    assert abs(info.file_bytes / GIB - 579) / 579 < 0.01
    # The seed: "94 GB / 10 layers ~ 9.4 GB per layer".
    assert abs(sum(info.layer_bytes) / 61 / GIB - 9.4) < 0.1
    assert (info.n_head_kv, info.key_length, info.value_length) == (1, 576, 512)  # MLA latent


def test_missing_shard_is_one_clear_error(tmp_path: Path) -> None:
    shards = write_tiny_moe(tmp_path, shards=3)
    shards[1].unlink()
    with pytest.raises(GgufError, match=r"incomplete: 1 of 3 shards missing.*00002-of-00003"):
        read_gguf(shards[0])


@pytest.mark.parametrize("content", [b"", b"not a gguf at all, just text\n", b"GGUF\x03\x00"])
def test_not_a_gguf_raises_gguf_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(GgufError, match=r"is not a GGUF file|cut short"):
        read_gguf(path)


def test_missing_file_raises_gguf_error(tmp_path: Path) -> None:
    with pytest.raises(GgufError, match="no such file"):
        read_gguf(tmp_path / "absent.gguf")
