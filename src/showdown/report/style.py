"""Style rows of a report: how each model writes, from the counts of every judged answer.

The seed's "Style comparison" was written by hand ("context managers everywhere", "the only
model that imported an external library"); these are the counts behind such sentences, so a
reader can check them. The counts of one answer are worked out once, when it is judged
(``showdown.codestyle``), and stored with its verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from showdown.codestyle import style_metrics
from showdown.records import StyleMetrics, Verdict
from showdown.report.groups import Group
from showdown.report.spread import Spread, mean_spread, median_spread

__all__ = ["StyleMetrics", "StyleRow", "metrics_of", "style_metrics", "style_rows"]


@dataclass(frozen=True)
class StyleRow:
    """A model's style on one task in one round, over the code of every judged trial."""

    round: str
    model: str
    task: str
    samples: int
    unparsed: int
    lines: Spread | None
    functions: Spread | None
    classes: Spread | None
    docstring_share: Spread | None
    type_hint_share: Spread | None
    try_blocks: Spread | None
    with_blocks: Spread | None
    third_party: tuple[str, ...]
    comment_density: Spread | None


def metrics_of(verdict: Verdict) -> StyleMetrics | None:
    """The style counts stored with a verdict, or worked out now for one stored before they
    were kept (or whose code did not parse, which stays None)."""
    return verdict.style if verdict.style is not None else style_metrics(verdict.code)


def style_rows(groups: Iterable[Group]) -> list[StyleRow]:
    """One style row per group that has any judged code (counts median, shares mean)."""
    rows = []
    for group in groups:
        # Code, or its stored counts (a lean record leaves the code itself out).
        judged = [v for r in group.results if (v := r.verdict) is not None
                  and (v.code or v.style is not None)]
        if not judged:
            continue
        parsed = [m for m in map(metrics_of, judged) if m is not None]
        rows.append(StyleRow(
            round=group.round, model=group.model, task=group.task, samples=len(judged),
            unparsed=len(judged) - len(parsed),
            lines=median_spread(m.lines for m in parsed),
            functions=median_spread(m.functions for m in parsed),
            classes=median_spread(m.classes for m in parsed),
            docstring_share=mean_spread(m.docstring_share for m in parsed),
            type_hint_share=mean_spread(m.type_hint_share for m in parsed),
            try_blocks=median_spread(m.try_blocks for m in parsed),
            with_blocks=median_spread(m.with_blocks for m in parsed),
            third_party=tuple(sorted({name for m in parsed for name in m.third_party})),
            comment_density=mean_spread(m.comment_density for m in parsed),
        ))
    return rows
