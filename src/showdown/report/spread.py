"""Figures over repeated trials: a centre and its range, the one way reports summarise them.

Speed is summarised by its median (one slow trial should not move it) and score by its mean
(every trial's code counts), each with min–max. These are small local helpers; when
``showdown.stats`` lands, only this module's bodies change, not its callers.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Spread", "centre", "mean_spread", "median_spread"]


@dataclass(frozen=True)
class Spread:
    """A figure over ``n`` samples: its centre (median or mean) and the lowest and highest."""

    value: float
    lo: float
    hi: float
    n: int

    @property
    def varies(self) -> bool:
        """Whether the samples differ, so the range is worth printing."""
        return self.n > 1 and self.lo != self.hi


def _present(values: Iterable[float | int | None]) -> list[float]:
    return [float(v) for v in values if v is not None]


def median_spread(values: Iterable[float | int | None]) -> Spread | None:
    """Median with min–max of the values that were measured (None where none were)."""
    got = _present(values)
    if not got:
        return None
    return Spread(statistics.median(got), min(got), max(got), len(got))


def mean_spread(values: Iterable[float | int | None]) -> Spread | None:
    """Mean with min–max of the values that were measured (None where none were)."""
    got = _present(values)
    if not got:
        return None
    return Spread(statistics.fmean(got), min(got), max(got), len(got))


def centre(spread: Spread | None) -> float | None:
    """The centre of a spread, or None: the sort and compare key reports use."""
    return None if spread is None else spread.value
