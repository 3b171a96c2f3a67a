"""Text for report figures, shared by every format so "1,140.94s" reads the same everywhere.

Missing figures print as an em dash: a report says "not measured" rather than a zero that
looks like a measurement.
"""

from __future__ import annotations

from collections.abc import Callable

from showdown.report.figures import DiagnosisCount, Tally
from showdown.report.groups import MIXED, PLACEMENTS
from showdown.report.spread import Spread

__all__ = [
    "DASH",
    "count",
    "diagnoses",
    "num",
    "placement",
    "rate",
    "seconds",
    "share",
    "size",
    "span_of",
    "spread",
    "syntax",
    "tally",
]

DASH = "—"


def num(value: float) -> str:
    """A number with no trailing ``.0`` (scores, means): 100, 97.3."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def seconds(value: float) -> str:
    """Seconds as the seed writes them: ``1.75s``, ``1,140.94s``."""
    return f"{value:,.2f}s"


def rate(value: float) -> str:
    """Tokens per second (or any rate) to one decimal: ``142.5``."""
    return f"{value:,.1f}"


def count(value: float) -> str:
    """A whole count with thousands separators (a median of two may end in .5)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def size(value: float) -> str:
    """Bytes in decimal units as model downloads are quoted: ``9.6 GB``, ``579 GB``."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if value >= scale:
            shown = value / scale
            return f"{shown:,.0f} {unit}" if shown >= 100 else f"{shown:,.1f} {unit}"
    return f"{value:,.0f} B"


def share(value: float) -> str:
    """A fraction as a whole percentage: ``80%``."""
    return f"{100 * value:.0f}%"


def spread(value: Spread | None, show: Callable[[float], str], ranges: bool = True) -> str:
    """A figure's centre, and its min–max in brackets when trials differed."""
    if value is None:
        return DASH
    span = span_of(value, show) if ranges else ""
    return show(value.value) + (f" ({span})" if span else "")


def span_of(value: Spread | None, show: Callable[[float], str]) -> str:
    """``lo–hi`` when trials differed, else empty."""
    return f"{show(value.lo)}–{show(value.hi)}" if value is not None and value.varies else ""


def tally(value: Tally) -> str:
    """Checks passed as the seed writes them (``10/10``); a mean over trials as ``9.5/10``."""
    if value.results == 0 or value.total == 0:  # nothing to check (e.g. no static features)
        return DASH
    if value.per_result is not None:
        return f"{num(value.passed / value.results)}/{value.per_result}"
    return f"{value.passed}/{value.total}"


def syntax(ok: int, judged: int) -> str:
    """``Yes``/``No`` as in the seed, or ``2/3`` when trials disagree."""
    if judged == 0:
        return DASH
    if ok in (0, judged):
        return "Yes" if ok else "No"
    return f"{ok}/{judged}"


def diagnoses(items: tuple[DiagnosisCount, ...], samples: int) -> str:
    """Diagnosis codes, each with its count where the row sums several trials."""
    if not items:
        return DASH
    return "; ".join(d.code if samples == 1 else f"{d.code} ×{d.count}" for d in items)


def placement(value: str) -> str:
    """A placement's words for people (``Wholly in VRAM``)."""
    return "Mixed (trials differ)" if value == MIXED else PLACEMENTS.get(value, value)
