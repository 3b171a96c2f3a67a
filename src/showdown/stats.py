"""Pure statistics for repeated trials: speed spreads, score confidence intervals and pass@k.

One sample per model is not a measurement, so speed is summarised as median with min–max
(and p90 once there are enough trials to make it mean something), scores as a mean with a
seeded, hence reproducible, bootstrap confidence interval, and function tasks as pass@k with
the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code").
"""

from __future__ import annotations

import functools
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
    data always give the same interval, so a report can be rebuilt exactly. The same data
    asked again (a report asks for each group's interval several times) is answered from a
    cache.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence} must be between 0 and 1")
    return _bootstrap(tuple(_need(values)), confidence, resamples, seed)


@functools.lru_cache(maxsize=4096)
def _bootstrap(data: tuple[float, ...], confidence: float, resamples: int,
               seed: int) -> tuple[float, float]:
    if len(data) == 1 or data[0] == data[-1]:
        return data[0], data[-1]
    means = sorted(_resampled_means(data, resamples, seed))
    tail = (1 - confidence) / 2 * 100
    return percentile(means, tail), percentile(means, 100 - tail)


def _resampled_means(data: tuple[float, ...], resamples: int, seed: int) -> list[float]:
    """The means of ``resamples`` resamples of ``data``, exactly as
    ``[fsum(random.Random(seed).choices(data, k=n)) / n ...]`` gives them, vectorised.

    ``random.Random`` is a Mersenne Twister: numpy's ``MT19937`` started from the same state
    yields the same 32-bit words, from which ``random()`` is ``(a >> 5, b >> 6)`` joined into
    53 bits and ``choices`` picks ``data[floor(random() * n)]``. The same floating-point steps
    in numpy give the same picks. Sums of integers (scores) are exact in either order; other
    values are summed with ``math.fsum``, as before, so every mean is the same float.
    """
    import numpy as np  # only reports need it; keeps every other command's start light

    key = random.Random(seed).getstate()[1]
    mt = np.random.MT19937()
    mt.state = {"bit_generator": "MT19937",
                "state": {"key": np.array(key[:624], dtype=np.uint32), "pos": key[624]}}
    n = len(data)
    values = np.array(data, dtype=np.float64)
    exact = all(v.is_integer() for v in data) and n * max(-data[0], data[-1]) < 2.0**53
    rows = max(1, _CHUNK_DRAWS // n)  # bounded memory, and a block that stays in cache
    means: list[float] = []
    for start in range(0, resamples, rows):
        k = min(rows, resamples - start)
        words = mt.random_raw(2 * n * k).view(np.int64).reshape(-1, 2)
        bits = words[:, 0] >> 5
        bits <<= 26
        bits += words[:, 1] >> 6
        picks = bits.astype(np.float64)
        picks *= 1.0 / 9007199254740992.0  # 2**-53: random() in [0, 1)
        picks *= float(n)
        drawn = values.take(picks.astype(np.intp)).reshape(k, n)
        if exact:
            means.extend((drawn.sum(axis=1) / n).tolist())
        else:
            means.extend(math.fsum(row) / n for row in drawn.tolist())
    return means


#: Draws per vectorised block of resamples in ``_resampled_means``.
_CHUNK_DRAWS = 1 << 15


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
