"""Pure grouping of results into (round, model, task) cells, the unit every report row sums.

A round is the label a user gave a run (``showdown run --round "Round 2"``); several runs with
the same label form one round, and a run with no label is its own round, named by its id.
Where a model ran is read from what its provider recorded, never guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from showdown.records import GenerationSettings, ModelInfo, Result, RunInfo
from showdown.report.spread import Spread, median_spread, score_spread

__all__ = [
    "MIXED",
    "PLACEMENTS",
    "SIZE_KEYS",
    "Group",
    "group_results",
    "group_score",
    "group_speed",
    "joules_per_token_of",
    "most_common",
    "peak_ram_of",
    "peak_vram_of",
    "placement_of",
    "prompt_rate_of",
    "round_labels",
    "round_order",
    "size_of",
]

T = TypeVar("T")


class _Failure(Protocol):
    @property
    def round(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def task(self) -> str: ...

#: Where a model ran, as providers record it in ``model_info["placement"]``, best tier first.
PLACEMENTS: dict[str, str] = {
    "vram": "Wholly in VRAM",
    "partial": "Partly offloaded (GPU + CPU/NVMe)",
    "cpu": "CPU only (RAM, or mmap from disk)",
    "cloud": "Cloud API",
    "unknown": "Unknown (not recorded)",
}
#: A cell whose trials recorded different placements (shown as such, not averaged away).
MIXED = "mixed"


def placement_of(result: Result) -> str:
    """The result's recorded placement, or ``unknown`` where the provider recorded none."""
    value = result.info.placement
    return value if value in PLACEMENTS else "unknown"


#: Keys under which providers record a model's size in bytes (``ModelInfo.decode`` reads them).
SIZE_KEYS = ModelInfo.SIZE_KEYS


def size_of(result: Result) -> int | None:
    """The model's size in bytes where the provider recorded it (Ollama's included)."""
    return result.info.size_bytes


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def peak_vram_of(result: Result) -> float | None:
    """Peak GPU memory during the request (telemetry ``peak_vram_bytes`` or NVML's device peak)."""
    return _number(result.figures.peak_vram)


def peak_ram_of(result: Result) -> float | None:
    """Peak resident memory of the model's server process tree during the request."""
    return _number(result.figures.proc_rss_peak_bytes)


def prompt_rate_of(result: Result) -> float | None:
    """Prompt processing speed (tokens/s) as the server reported it: llama-server's
    ``prompt_per_second``, or Ollama's ``prompt_eval_count`` over ``prompt_eval_duration``."""
    timings = result.generation.server_timings
    rate = _number(timings.get("prompt_per_second"))
    if rate is not None:
        return rate
    count, ns = _number(timings.get("prompt_eval_count")), _number(timings.get("prompt_eval_duration"))
    return count / (ns / 1e9) if count and ns else None


def joules_per_token_of(result: Result) -> float | None:
    """GPU energy per output token: as recorded, or from measured energy and tokens; else None."""
    figures = result.figures
    recorded, energy = figures.joules_per_token, figures.gpu_energy_j
    tokens = result.generation.output_tokens
    if recorded is None and energy is not None and tokens:
        return energy / tokens
    return recorded


def round_labels(results: Iterable[Result], runs: Iterable[RunInfo]) -> dict[str, str]:
    """run_id -> round label, for every run a result belongs to (a run's id if unlabelled)."""
    named = {run.run_id: run.round for run in runs if run.round}
    return {r.run_id: named.get(r.run_id, r.run_id) for r in results}


def round_order(results: Iterable[Result], labels: dict[str, str]) -> list[str]:
    """Round labels, earliest first (by the first result each round recorded)."""
    first: dict[str, str] = {}
    for result in results:
        label = labels[result.run_id]
        first[label] = min(first.get(label, result.started_at), result.started_at)
    return sorted(first, key=lambda label: (first[label], label))


@dataclass(frozen=True)
class Group:
    """All results of one model on one task in one round: its trials (and cases)."""

    round: str
    model: str
    task: str
    results: tuple[Result, ...]

    @property
    def placement(self) -> str:
        """The placement all its results recorded, or ``mixed`` where they differ."""
        seen = {placement_of(r) for r in self.results}
        return seen.pop() if len(seen) == 1 else MIXED

    @property
    def size_bytes(self) -> int | None:
        """The model's recorded size (the most common one across its results)."""
        return most_common(size_of(r) for r in self.results)

    @property
    def settings(self) -> GenerationSettings | None:
        """The settings its results ran with (the most common, should they differ)."""
        return most_common(r.settings for r in self.results)

    @property
    def spec(self) -> str | None:
        """The model spec its results ran (the most common, should they differ)."""
        return most_common(r.spec for r in self.results)

    #: How many of its generations failed (listed apart, not among ``results``).
    failed: int = 0


def most_common(values: Iterable[T | None]) -> T | None:
    """The most frequent non-None value (the first seen on a tie), or None."""
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None


def group_results(results: Iterable[Result], runs: Iterable[RunInfo],
                  failures: Iterable[_Failure] = (),
                  model_of: Callable[[Result], str] | None = None) -> list[Group]:
    """Measured results grouped per (round, model, task): rounds in time order, then model,
    then task; each group counts the ``failures`` (failed generations) of its cell.
    ``model_of``: the name a result's model is shown under (``hosts.model_names``: one per
    host where a model ran on several), else its own."""
    results = list(results)
    failed = Counter((f.round, f.model, f.task) for f in failures)
    labels = round_labels(results, runs)
    order = {label: i for i, label in enumerate(round_order(results, labels))}
    cells: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        key = (labels[result.run_id], model_of(result) if model_of else result.model, result.task)
        cells.setdefault(key, []).append(result)
    keys = sorted(cells, key=lambda k: (order[k[0]], k[1].lower(), k[2]))
    return [Group(k[0], k[1], k[2], tuple(sorted(cells[k], key=_trial_key)), failed[k])
            for k in keys]


def _trial_key(result: Result) -> tuple[int, str, str]:
    return (result.trial, result.case, result.started_at)


def group_score(group: Group) -> Spread | None:
    """Mean score over its measured results; an answer with nothing to judge scores 0."""
    return score_spread(0 if r.verdict is None else r.verdict.score for r in group.results)


def group_speed(group: Group) -> Spread | None:
    """Median tok/s over its results (as the client measured it)."""
    return median_spread(r.generation.tokens_per_s for r in group.results)
