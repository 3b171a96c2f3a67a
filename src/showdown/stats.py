"""Pure statistics for repeated trials: speed spreads, score confidence intervals and pass@k.

One sample per model is not a measurement, so speed is summarised as median with min–max
(and p90 once there are enough trials to make it mean something), scores as a mean with a
seeded, hence reproducible, bootstrap confidence interval, and function tasks as pass@k with
the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code").
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "P90_MIN_SAMPLES",
    "ScoreSummary",
    "SpeedSummary",
    "bootstrap_ci",
    "mean",
    "mean_pass_at_k",
    "median",
    "pass_at_k",
    "percentile",
    "summarize_scores",
    "summarize_speed",
]

#: Below this many samples a 90th percentile is one of the two largest values, not a tail.
P90_MIN_SAMPLES = 10


@dataclass(frozen=True)
class SpeedSummary:
    """A speed figure over trials: median with min–max, and p90 when n ≥ 10."""

    n: int
    median: float
    min: float
    max: float
    p90: float | None


@dataclass(frozen=True)
class ScoreSummary:
    """A score over trials: the mean and its bootstrap confidence interval."""

    n: int
    mean: float
    ci_low: float
    ci_high: float
    confidence: float


def _need(values: Sequence[float]) -> list[float]:
    if not values:
        raise ValueError("no values to summarise")
    return sorted(float(v) for v in values)


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean (ValueError on no values)."""
    data = _need(values)
    return math.fsum(data) / len(data)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between closest ranks.

    This is the common "R-7" definition (numpy's default): position (n - 1) * q / 100 in the
    sorted values, interpolating between the two values around it.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0–100")
    data = _need(values)
    pos = (len(data) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def median(values: Sequence[float]) -> float:
    """The middle value (mean of the two middle values for an even count)."""
    return percentile(values, 50)


def summarize_speed(values: Sequence[float]) -> SpeedSummary:
    """Median, min, max, and p90 only when there are at least ``P90_MIN_SAMPLES`` values."""
    data = _need(values)
    p90 = percentile(data, 90) if len(data) >= P90_MIN_SAMPLES else None
    return SpeedSummary(len(data), median(data), data[0], data[-1], p90)


def bootstrap_ci(
    values: Sequence[float],
    confidence: float = 0.95,
    resamples: int = 10_000,
    seed: int = 0,
) -> tuple[float, float]:
    """A percentile-bootstrap confidence interval for the mean, reproducible through ``seed``.

    Each resample draws n values with replacement; the interval is the (1 - confidence) / 2
    and (1 + confidence) / 2 percentiles of the resampled means. A fixed seed makes the same
    data always give the same interval, so a report can be rebuilt exactly.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence} must be between 0 and 1")
    data = _need(values)
    if len(data) == 1 or data[0] == data[-1]:
        return data[0], data[-1]
    rng = random.Random(seed)
    n = len(data)
    means = sorted(math.fsum(rng.choices(data, k=n)) / n for _ in range(resamples))
    tail = (1 - confidence) / 2 * 100
    return percentile(means, tail), percentile(means, 100 - tail)


def summarize_scores(
    values: Sequence[float], confidence: float = 0.95, seed: int = 0
) -> ScoreSummary:
    """The mean score over trials with its bootstrap confidence interval."""
    low, high = bootstrap_ci(values, confidence=confidence, seed=seed)
    return ScoreSummary(len(values), mean(values), low, high, confidence)


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimate from n samples of which c passed: 1 - C(n-c, k) / C(n, k).

    It is the chance that at least one of k samples drawn without replacement from the n
    passes; exact integer binomials keep it free of the rounding the naive product suffers.
    """
    if not 0 <= c <= n:
        raise ValueError(f"passed count c={c} must be between 0 and n={n}")
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must be between 1 and the number of samples n={n}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def mean_pass_at_k(counts: Sequence[tuple[int, int]], k: int) -> float:
    """pass@k over problems: the mean of each problem's estimate from its (n, c) counts."""
    if not counts:
        raise ValueError("no problems to average pass@k over")
    return math.fsum(pass_at_k(n, c, k) for n, c in counts) / len(counts)
