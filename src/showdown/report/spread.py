"""Figures over repeated trials: a centre and its range, the one way reports summarise them.

Speed is summarised by its median (one slow trial should not move it), with p90 once there
are enough trials; scores by their mean with a bootstrap 95% confidence interval; both with
min–max. The arithmetic is ``showdown.stats``; this module only shapes it for report rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from showdown import stats

__all__ = ["Spread", "centre", "mean_spread", "median_spread", "score_spread"]


@dataclass(frozen=True)
class Spread:
    """A figure over ``n`` samples: its centre (median or mean), lowest, highest, and extras.

    ``p90`` is set for medians over at least ``stats.P90_MIN_SAMPLES`` values; ``ci_low`` and
    ``ci_high`` (a bootstrap 95% interval for the mean) for scores over more than one trial.
    """

    value: float
    lo: float
    hi: float
    n: int
    p90: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def varies(self) -> bool:
        """Whether the samples differ, so the range is worth printing."""
        return self.n > 1 and self.lo != self.hi


def _present(values: Iterable[float | int | None]) -> list[float]:
    return [float(v) for v in values if v is not None]


def median_spread(values: Iterable[float | int | None]) -> Spread | None:
    """Median with min–max (and p90) of the values that were measured (None where none were)."""
    got = _present(values)
    if not got:
        return None
    s = stats.summarize_speed(got)
    return Spread(s.median, s.min, s.max, s.n, p90=s.p90)


def mean_spread(values: Iterable[float | int | None]) -> Spread | None:
    """Mean with min–max of the values that were measured (None where none were)."""
    got = _present(values)
    if not got:
        return None
    return Spread(stats.mean(got), min(got), max(got), len(got))


def score_spread(values: Iterable[float | int | None]) -> Spread | None:
    """Mean score with min–max and, over several trials, its bootstrap 95% interval."""
    got = _present(values)
    if not got:
        return None
    s = stats.summarize_scores(got)
    ci = (s.ci_low, s.ci_high) if len(got) > 1 else (None, None)
    return Spread(s.mean, min(got), max(got), s.n, ci_low=ci[0], ci_high=ci[1])


def centre(spread: Spread | None) -> float | None:
    """The centre of a spread, or None: the sort and compare key reports use."""
    return None if spread is None else spread.value
