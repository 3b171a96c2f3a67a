"""``showdown fit`` as one library call: read the GGUF, find the VRAM budget, predict the fit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psutil

from showdown.hardware.fit import GIB, FitPrediction, gib, predict_fit
from showdown.hardware.gguf_meta import GgufInfo, read_gguf
from showdown.hardware.gpu import detect_gpus
from showdown.records import GenerationSettings

__all__ = ["FitReport", "assess_fit", "assess_info"]


@dataclass
class FitReport:
    """A model's metadata, the budget it was judged against and the prediction."""

    info: GgufInfo
    prediction: FitPrediction
    vram_source: str  # "given", "detected" or "none"
    vram_note: str
    ctx_note: str
    ram_bytes: int


def assess_fit(path: Path | str, vram_gib: float | None = None,
               ctx: int | None = None) -> FitReport:
    """Predict how ``path`` fits: ``vram_gib`` overrides detection; ``ctx`` defaults to showdown's.

    Raises :class:`~showdown.hardware.gguf_meta.GgufError` for a missing or unreadable model.
    """
    return assess_info(read_gguf(path), vram_gib, ctx)


def assess_info(info: GgufInfo, vram_gib: float | None = None,
                ctx: int | None = None) -> FitReport:
    """``assess_fit`` for metadata already read (a caller that needs it anyway reads it once)."""
    vram, source, note = _budget(vram_gib)
    ctx, ctx_note = _context(info, ctx)
    ram = psutil.virtual_memory().total
    prediction = predict_fit(info, vram, ctx, ram_bytes=ram)
    return FitReport(info, prediction, source, note, ctx_note, ram)


def _budget(vram_gib: float | None) -> tuple[int, str, str]:
    """VRAM bytes to plan with, where they came from, and a note for people."""
    if vram_gib is not None:
        return int(vram_gib * GIB), "given", f"{gib(vram_gib * GIB)} (given with --vram)"
    scan = detect_gpus()
    if scan.gpus is None:
        return 0, "none", f"unknown: 0 detected ({scan.reason}); predicting for the CPU"
    names = ", ".join(g.name for g in scan.gpus)
    total = sum(g.memory_total_bytes for g in scan.gpus)
    return scan.free_bytes, "detected", f"{gib(scan.free_bytes)} free of {gib(total)} ({names})"


def _context(info: GgufInfo, ctx: int | None) -> tuple[int, str]:
    """The context to size the KV cache for, and why that one."""
    if ctx is not None:
        return ctx, f"{ctx} (given with --ctx)"
    default = GenerationSettings().ctx
    if info.context_length and info.context_length < default:
        return info.context_length, (f"{info.context_length} (the model's trained maximum; "
                                     f"showdown's default is {default})")
    return default, f"{default} (showdown's default)"
