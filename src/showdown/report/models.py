"""The ``showdown models`` table: every model found, and the ``--model`` value that runs it."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from showdown.inventory import SeenModel
from showdown.safetext import safe_text

__all__ = ["human_size", "print_models"]


def human_size(size: int | None) -> str:
    """Bytes as GB/MB with one decimal (decimal units, as Ollama prints them)."""
    if size is None:
        return "—"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def print_models(console: Console, models: list[SeenModel]) -> None:
    """One row per model: where it was found, what to pass to ``--model``, size and kind."""
    table = Table(title="Models")
    for col in ("Source", "Model (--model)", "Name", "Size", "Quant", "Family", "Detail"):
        # The spec folds rather than being cut with an ellipsis: it is meant to be copied.
        table.add_column(col, justify="right" if col == "Size" else "left",
                         overflow="fold" if col.startswith("Model") else "ellipsis")
    for m in models:
        detail = safe_text(m.detail)
        if m.problem:
            detail.append(("; " if m.detail else "") + safe_text(m.problem).plain, style="red")
        table.add_row(m.source, safe_text(m.spec), safe_text(m.name), human_size(m.size_bytes),
                      safe_text(m.quantization or "—"), safe_text(m.family or "—"), detail)
    console.print(table)
