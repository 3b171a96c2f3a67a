"""Typed facts recorded beside each measurement: the model as its provider described it, the
host, and the hardware figures sampled during the request.

They are stored flat, as the layer that measured them wrote them (so a store from any version
reads back); ``decode`` gives the typed view the report reads, keeping every other key in
``extra``, and ``encode`` the flat dict again. Decoding never fails and never drops a key: a
value of the wrong type stays as given, in ``extra``.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

__all__ = ["Figures", "Host", "ModelInfo"]


_KINDS: dict[type, dict[str, tuple[type, ...]]] = {}


def _kinds(cls: type) -> dict[str, tuple[type, ...]]:
    """Each typed field's accepted JSON types (type hints resolved once per class)."""
    if cls not in _KINDS:
        hints = typing.get_type_hints(cls)
        _KINDS[cls] = {
            f.name: tuple(typing.get_origin(a) or a for a in typing.get_args(hints[f.name])
                          or (hints[f.name],) if a is not type(None))
            for f in dataclasses.fields(cls)
            if f.name != "extra"}
    return _KINDS[cls]


def _fits(kinds: tuple[type, ...], value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    if float in kinds and isinstance(value, int):
        return True
    return isinstance(value, kinds)


class _Flat:
    """Decode from and encode to the flat dict the store keeps."""

    extra: Mapping[str, Any]

    if TYPE_CHECKING:  # each subclass is a dataclass with its own fields
        def __init__(self, **fields: Any) -> None: ...

    @classmethod
    def decode(cls, data: Mapping[str, Any]) -> Self:
        typed = {k: data[k] for k, kinds in _kinds(cls).items() if _fits(kinds, data.get(k))}
        return cls(**typed, extra={k: v for k, v in data.items() if k not in typed})

    def encode(self) -> dict[str, Any]:
        typed = {k: getattr(self, k) for k in _kinds(type(self)) if getattr(self, k) is not None}
        return {**self.extra, **typed}


@dataclass(frozen=True)
class ModelInfo(_Flat):
    """What a provider said about the model it ran: the fields reports read, typed; the
    backend's own details (file, family, quantization, model management, …) in ``extra``.
    The size comes from ``size_bytes``, llama-server's ``file_size`` or Ollama's ``size``."""

    server: str | None = None
    server_version: str | None = None
    placement: str | None = None
    size_bytes: int | None = None
    ctx: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    #: Where providers put a model's size in bytes, canonical key first.
    SIZE_KEYS: typing.ClassVar[tuple[str, ...]] = ("size_bytes", "file_size", "size")

    @classmethod
    def decode(cls, data: Mapping[str, Any]) -> Self:
        size = next((data[k] for k in cls.SIZE_KEYS if _fits((int,), data.get(k))), None)
        info = super().decode(data)
        if info.size_bytes is None and size is not None and size >= 0:
            info = dataclasses.replace(info, size_bytes=size)
        return info


@dataclass(frozen=True)
class Host(_Flat):
    """The machine a run ran on (``hardware.host``), and what else was busy on it."""

    hostname: str | None = None
    cpu_model: str | None = None
    cpu_cores_logical: int | None = None
    ram_bytes: int | None = None
    gpus: list[dict[str, Any]] | None = None
    os: str | None = None
    showdown: str | None = None
    busy: dict[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Figures(_Flat):
    """Hardware figures of one request (``hardware.telemetry``) plus the two the tables show."""

    peak_vram_bytes: int | None = None
    gpu_mem_used_peak_bytes: int | None = None
    proc_rss_peak_bytes: int | None = None
    gpu_energy_j: float | None = None
    joules_per_token: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def peak_vram(self) -> int | None:
        """Peak GPU memory during the request: as recorded, or NVML's device peak."""
        return self.peak_vram_bytes if self.peak_vram_bytes is not None else self.gpu_mem_used_peak_bytes
