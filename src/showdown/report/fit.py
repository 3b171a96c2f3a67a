"""Terminal and JSON rendering of a fit prediction (``showdown fit``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from showdown.hardware.assess import FitReport
from showdown.hardware.fit import gib
from showdown.records import to_dict
from showdown.safetext import safe_text

__all__ = ["fit_json", "print_fit"]

_TIER_STYLE = {"vram": "bold green", "partial": "bold yellow", "cpu": "bold red"}
_TIER_TEXT = {"vram": "vram (fits wholly)", "partial": "partial offload",
              "cpu": "cpu (CPU and mmap)"}


def _count(n: int) -> str:
    """A parameter count the way model cards say it (135M, 1.0T)."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + suffix
    return str(n)


def _layer_sizes(sizes: list[int]) -> str:
    """Per-layer weight bytes: one figure when all layers match, else mean and range."""
    if not sizes:
        return "no blk.N tensors"
    low, high = min(sizes), max(sizes)
    if low == high:
        return f"{gib(high)} each"
    return f"{gib(sum(sizes) / len(sizes))} mean ({gib(low)} to {gib(high)})"


def print_fit(console: Console, report: FitReport) -> None:
    """One table: what the model is, the budget, and where its layers will sit."""
    info, p = report.info, report.prediction
    # The name comes from the file's own metadata: untrusted text, never markup.
    table = Table(title=safe_text(f"showdown fit — {info.name or info.path}", one_line=True),
                  show_header=False,
                  title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    shards = f" in {len(info.shards)} shards" if len(info.shards) > 1 else ""
    experts = (f"{info.n_expert} total / {info.n_expert_used} used per token"
               if info.is_moe else "none (dense)")
    rows = [
        ("architecture", info.architecture),
        ("parameters", _count(info.parameter_count)),
        ("quantization", info.file_type),
        ("file size", f"{gib(info.file_bytes)} ({info.file_bytes:,} bytes){shards}"),
        ("layers", str(info.n_layer)),
        ("experts", experts),
        ("trained context", str(info.context_length or "not stated")),
        ("per-layer weights", _layer_sizes(info.layer_bytes)),
        ("non-layer weights", f"{gib(info.non_layer_bytes)} (embeddings, output head)"),
        ("VRAM", report.vram_note),
        ("context", report.ctx_note),
        ("KV cache (f16)", f"{gib(p.kv_bytes)} ({p.kv_bytes_per_token / 1024:.1f} KiB per token)"),
        ("reserve", f"{gib(p.reserve_bytes)} (CUDA context and compute buffers)"
         if p.vram_bytes else "n/a (no VRAM)"),
        ("layers on GPU", f"{p.layers_fit} of {p.layers_total} (--n-gpu-layers {p.n_gpu_layers})"),
        ("VRAM left", gib(p.vram_left_bytes) if p.vram_bytes else "n/a (no VRAM)"),
        ("on the CPU side", f"{gib(p.cpu_bytes)} of weights (RAM {gib(report.ram_bytes)})"),
    ]
    for key, value in rows:
        table.add_row(key, safe_text(value))
    table.add_row("tier", Text(_TIER_TEXT[p.tier], style=_TIER_STYLE[p.tier]))
    table.add_row("why", safe_text(p.why))
    console.print(table)


def fit_json(report: FitReport) -> dict[str, Any]:
    """The whole report as plain JSON-ready data."""
    return {
        "model": to_dict(report.info),
        "vram_source": report.vram_source,
        "vram_note": report.vram_note,
        "ctx_note": report.ctx_note,
        "ram_bytes": report.ram_bytes,
        "prediction": to_dict(report.prediction),
    }
