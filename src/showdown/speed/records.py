"""Typed records of a speed measurement: one sample per repetition, one row per depth."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SOURCES", "SpeedRow", "SpeedSample", "Spread", "row_from_dict", "spread"]

#: Where each figure comes from, stated beside it in every row.
SOURCES = {"pp_tokens_per_s": "llama-server timings.prompt_per_second",
           "tg_tokens_per_s": "llama-server timings.predicted_per_second",
           "ttft_s": "client clock: request sent to first streamed token"}


@dataclass(frozen=True)
class SpeedSample:
    """One cold request: d context tokens read, N tokens written."""

    prompt_n: int  # prompt tokens the server says it processed (== depth when nothing was cached)
    pp_tokens_per_s: float | None  # None at depth 0: there is no prompt to read
    predicted_n: int
    tg_tokens_per_s: float
    ttft_s: float


@dataclass(frozen=True)
class Spread:
    """Median and range of one figure over the repetitions."""

    median: float
    min: float
    max: float


def spread(values: list[float]) -> Spread | None:
    return Spread(statistics.median(values), min(values), max(values)) if values else None


@dataclass
class SpeedRow:
    """One (model, configuration, depth): its samples and their summary."""

    run_id: str
    started_at: str
    model: str
    spec: str
    config: dict[str, str]
    depth: int
    gen: int
    samples: list[SpeedSample] = field(default_factory=list)
    server: dict[str, Any] = field(default_factory=dict)  # ctx, flags, version: how it was run
    error: str | None = None
    sources: dict[str, str] = field(default_factory=lambda: dict(SOURCES))
    #: The machine it was measured on (``hardware.host``): rows of several hosts in one store
    #: are shown apart (``report.hosts``). Empty in rows stored before it was recorded.
    host: dict[str, Any] = field(default_factory=dict)

    @property
    def pp(self) -> Spread | None:
        return spread([s.pp_tokens_per_s for s in self.samples if s.pp_tokens_per_s is not None])

    @property
    def tg(self) -> Spread | None:
        return spread([s.tg_tokens_per_s for s in self.samples])

    @property
    def ttft(self) -> Spread | None:
        return spread([s.ttft_s for s in self.samples])


def row_from_dict(data: dict[str, Any]) -> SpeedRow:
    """A stored row back as a record (the inverse of dataclasses.asdict)."""
    samples = [SpeedSample(**s) for s in data.get("samples", [])]
    return SpeedRow(**{**data, "samples": samples})
