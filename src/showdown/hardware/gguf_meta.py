"""Read what a GGUF model file says about itself, so showdown knows its size before loading it.

Uses llama.cpp's own ``gguf`` package (``GGUFReader`` memory-maps the file and parses only the
header, key/value metadata and tensor table; no weights are read). A split model
(``X-00001-of-00013.gguf``) is read shard by shard: metadata lives in the first shard, tensors are
spread over all of them.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy and gguf load when a model file is read, not with every command
    from gguf import GGUFReader, ReaderTensor

from showdown.errors import GgufError

__all__ = ["GgufError", "GgufInfo", "check_gguf", "find_shards", "read_gguf"]

_SHARD_RE = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$")
_LAYER_RE = re.compile(r"^blk\.(\d+)\.")
# Output-layer tensors llama.cpp puts on the GPU only when n_gpu_layers > n_layer.
_OUTPUT_TENSORS = ("output.weight", "output_norm.weight", "output_norm.bias", "output.bias")



@dataclass
class GgufInfo:
    """What a (possibly split) GGUF model is: shape, size and where its bytes sit.

    ``layer_bytes[i]`` is the weight bytes of tensors named ``blk.i.*`` (all experts of an MoE
    layer included: they all stay resident even though only a few run per token);
    ``non_layer_bytes`` is everything else (token embedding, output head, final norm) and
    ``output_bytes`` the part of it that llama.cpp offloads with the last "layer" (with tied
    embeddings, a GPU copy of ``token_embd``). Head dims are
    per head; for MLA models (DeepSeek-V2/V3, Kimi K2) GGUF stores the compressed latent sizes
    here, which is what llama.cpp caches.
    """

    path: str
    shards: list[str]
    architecture: str
    name: str | None
    parameter_count: int
    file_type: str
    file_bytes: int
    tensor_bytes: int
    n_layer: int
    n_expert: int
    n_expert_used: int
    context_length: int | None
    embedding_length: int | None
    n_head: int | None
    n_head_kv: int | None
    key_length: int | None
    value_length: int | None
    n_vocab: int | None
    layer_bytes: list[int] = field(default_factory=list)
    non_layer_bytes: int = 0
    output_bytes: int = 0
    tied_embeddings: bool = False

    @property
    def is_moe(self) -> bool:
        """Whether the model routes tokens through experts."""
        return self.n_expert > 1


def find_shards(path: Path) -> list[Path]:
    """All shard paths of the model ``path`` belongs to (just ``[path]`` when it is not split)."""
    match = _SHARD_RE.match(path.name)
    if not match:
        return [path]
    count = int(match["count"])
    shards = [path.with_name(f"{match['stem']}-{i:05d}-of-{count:05d}.gguf")
              for i in range(1, count + 1)]
    missing = [s.name for s in shards if not s.is_file()]
    if missing:
        raise GgufError(f"split model is incomplete: {len(missing)} of {count} shards missing "
                        f"next to {path.name} (first missing: {missing[0]})")
    return shards


def read_gguf(path: Path | str) -> GgufInfo:
    """Read the metadata and tensor table of a GGUF model (all shards of a split one)."""
    path = Path(path)
    if not path.is_file():
        raise GgufError(f"no such file: {path}")
    shards = find_shards(path)
    readers = [_open(s) for s in shards]
    first = readers[0]
    declared = _get(first, "split.count")
    if declared is not None and int(declared) != len(shards):
        raise GgufError(f"{shards[0].name} says the model has {declared} shards, "
                        f"but its file name says {len(shards)}")
    tensors = [t for r in readers for t in r.tensors]
    return _build_info(shards, first, tensors)


@cache
def _reader_class() -> type[GGUFReader]:
    """GGUFReader over a plain ndarray view of its memory map (made on first use, as numpy
    and gguf are imported only then).

    The reader slices its buffer once per token string of the tokenizer arrays; slicing an
    ``np.memmap`` runs memmap's Python-level bookkeeping each time, slicing a plain view of the
    same mapping does not (about 2.5x faster on a 49k-token vocabulary; still no weights read).
    """
    import numpy as np
    import numpy.typing as npt
    from gguf import GGUFReader

    class _Reader(GGUFReader):
        @property  # type: ignore[override]
        def data(self) -> npt.NDArray[Any]:
            return self._plain

        @data.setter
        def data(self, value: npt.NDArray[Any]) -> None:
            self._plain = value.view(np.ndarray)

    return _Reader


#: GGUF versions llama.cpp reads (version 1 was dropped in 2023).
_VERSIONS = (2, 3)
_FIX = "download it again, or give another GGUF file"


def _check_header(path: Path) -> None:
    """The fixed header: magic, a version llama.cpp reads, plausible counts."""
    try:
        with path.open("rb") as handle:
            head = handle.read(24)
    except OSError as exc:
        raise GgufError(f"cannot read {path} ({exc.strerror or exc})") from exc
    if head[:4] != b"GGUF":
        raise GgufError(f"{path} is not a GGUF file (it does not start with 'GGUF'); "
                        "give a .gguf model file")
    if len(head) < 24:
        raise GgufError(f"{path} is cut short ({len(head)} bytes, not even a header); {_FIX}")
    version = struct.unpack("<I", head[4:8])[0]
    if version not in _VERSIONS:
        raise GgufError(f"{path} is GGUF version {version}; llama.cpp reads versions 2 and 3 "
                        f"(convert or {_FIX})")


def _open(path: Path) -> GGUFReader:
    """A reader for one file, with the gguf package's assorted failures turned into GgufError."""
    _check_header(path)
    try:
        return _reader_class()(path)
    # The gguf package fails on a cut file with whatever numpy or struct raised first
    # ("cannot reshape array ..."): any of them means the same thing to a user.
    except (ValueError, OSError, IndexError, KeyError, struct.error, TypeError,
            OverflowError, MemoryError) as exc:
        raise GgufError(f"{path} is truncated or damaged (its metadata or tensor table is "
                        f"incomplete); {_FIX}") from exc


def check_gguf(path: Path) -> None:
    """Refuse, before any server starts, a path that is missing, not a GGUF, of a version
    llama.cpp cannot read, or cut short anywhere (header, metadata, tensor table or data)."""
    if not path.exists():
        raise GgufError(f"no such model file {path} (check the path; `showdown models` lists "
                        "the GGUF files it sees)")
    if not path.is_file():
        raise GgufError(f"{path} is not a file; give the path of a .gguf model file")
    shards = find_shards(path)
    for shard in shards:
        reader = _open(shard)
        size = shard.stat().st_size
        end = max((int(t.data_offset) + int(t.n_bytes) for t in reader.tensors), default=0)
        if end > size:
            raise GgufError(f"{shard} is truncated ({size:,} bytes; its tensors need {end:,}); "
                            f"{_FIX}")


def _get(reader: GGUFReader, key: str) -> Any:
    """A metadata value as a plain Python value, or None when the key is absent."""
    found = reader.fields.get(key)
    return None if found is None else found.contents()


def _int(reader: GGUFReader, key: str) -> int | None:
    """An integer metadata value; per-layer arrays give their maximum (the conservative size)."""
    value = _get(reader, key)
    if isinstance(value, list):
        value = max(value) if value else None
    return None if value is None else int(value)


def _build_info(shards: list[Path], meta: GGUFReader, tensors: list[ReaderTensor]) -> GgufInfo:
    arch = str(_get(meta, "general.architecture") or "unknown")

    def key(name: str) -> int | None:
        return _int(meta, f"{arch}.{name}")

    n_head = key("attention.head_count")
    embd = key("embedding_length")
    head_dim = embd // n_head if embd and n_head else None
    n_layer = key("block_count") or 0
    layer_bytes, non_layer, output = _split_bytes(tensors, n_layer)
    tied = not any(t.name == "output.weight" for t in tensors)
    return GgufInfo(
        path=str(shards[0]),
        shards=[str(s) for s in shards],
        architecture=arch,
        name=_get(meta, "general.name"),
        parameter_count=sum(int(t.n_elements) for t in tensors),
        file_type=_file_type(_int(meta, "general.file_type"), tensors),
        file_bytes=sum(s.stat().st_size for s in shards),
        tensor_bytes=sum(int(t.n_bytes) for t in tensors),
        n_layer=len(layer_bytes),
        n_expert=key("expert_count") or 0,
        n_expert_used=key("expert_used_count") or 0,
        context_length=key("context_length"),
        embedding_length=embd,
        n_head=n_head,
        n_head_kv=key("attention.head_count_kv") or n_head,
        key_length=key("attention.key_length") or head_dim,
        value_length=key("attention.value_length") or head_dim,
        n_vocab=_vocab(meta, arch, tensors),
        layer_bytes=layer_bytes,
        non_layer_bytes=non_layer,
        output_bytes=output,
        tied_embeddings=tied,
    )


def _split_bytes(tensors: Iterable[ReaderTensor], n_layer: int) -> tuple[list[int], int, int]:
    """Per-layer weight bytes, non-layer bytes and output-layer bytes from the tensor table."""
    per_layer: dict[int, int] = {}
    non_layer = output = 0
    names = set()
    for t in tensors:
        names.add(t.name)
        match = _LAYER_RE.match(t.name)
        if match:
            idx = int(match.group(1))
            per_layer[idx] = per_layer.get(idx, 0) + int(t.n_bytes)
        else:
            non_layer += int(t.n_bytes)
            output += int(t.n_bytes) if t.name in _OUTPUT_TENSORS else 0
    if "output.weight" not in names:
        # Tied embeddings: llama.cpp duplicates token_embd as the output head on the GPU.
        output += sum(int(t.n_bytes) for t in tensors if t.name == "token_embd.weight")
    count = max([n_layer, *(i + 1 for i in per_layer)])
    return [per_layer.get(i, 0) for i in range(count)], non_layer, output


def _file_type(code: int | None, tensors: list[ReaderTensor]) -> str:
    """``general.file_type`` as llama.cpp names it (Q4_K_M), else the dominant tensor type."""
    from gguf import LlamaFileType

    if code is not None:
        try:
            return LlamaFileType(code).name.removeprefix("MOSTLY_").removeprefix("ALL_")
        except ValueError:
            return f"file type {code}"
    by_type: dict[str, int] = {}
    for t in tensors:
        by_type[t.tensor_type.name] = by_type.get(t.tensor_type.name, 0) + int(t.n_bytes)
    if not by_type:
        return "unknown"
    return f"{max(by_type, key=lambda k: by_type[k])} (mostly; no general.file_type)"


def _vocab(meta: GGUFReader, arch: str, tensors: list[ReaderTensor]) -> int | None:
    """Vocabulary size: metadata if stated, else the token embedding's second dimension."""
    stated = _int(meta, f"{arch}.vocab_size")
    if stated:
        return stated
    for t in tensors:
        if t.name == "token_embd.weight" and len(t.shape) >= 2:
            return int(t.shape[1])
    return None
