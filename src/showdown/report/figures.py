"""Records the report's rows carry: a model's performance row, checks passed, diagnoses seen.

Apart from ``rows.py`` (which builds them) so that ``fmt`` and ``numbers`` can name them
without importing the row builders, which import both: no import circle.
"""

from __future__ import annotations

from dataclasses import dataclass

from showdown.report.spread import Spread

__all__ = ["DiagnosisCount", "PerfRow", "Tally"]


@dataclass(frozen=True)
class PerfRow:
    """Performance of one model on one task in one round: the seed's first table."""

    round: str
    model: str
    task: str
    samples: int
    failed: int
    placement: str
    size_bytes: int | None
    ttft_s: Spread | None
    total_s: Spread | None
    output_tokens: Spread | None
    tokens_per_s: Spread | None
    server_tokens_per_s: Spread | None
    load_s: Spread | None
    lines: Spread | None
    peak_vram_bytes: Spread | None
    joules_per_token: Spread | None
    prompt_tokens_per_s: Spread | None = None
    peak_ram_bytes: Spread | None = None


@dataclass(frozen=True)
class Tally:
    """Checks or tests passed over the judged results: ``passed``/``total`` summed over them.

    ``per_result`` is the total each result had when all had the same, so a renderer can show
    the seed's "10/10" (or a mean such as "9.5/10" over trials).
    """

    passed: int
    total: int
    results: int
    per_result: int | None


@dataclass(frozen=True)
class DiagnosisCount:
    """A diagnosis code, its message for people, and how many results carried it."""

    code: str
    message: str
    count: int
