"""Whether a speed configuration keeps the model's code quality: the rule behind "best configuration".

Pure: scores in, a verdict out. ``showdown run --set`` names each configuration's model
``NAME [threads=2]`` (the bare name is the default configuration), so a speed configuration's
quality is the mean score of the judged, not failed, run results under that name. It is
compared with a reference: the default configuration if it was judged, else the configuration
that scored best. Both sides are read over the same work only (task, case, max tokens and
temperature that both ran), so a configuration is never blamed for an easier or harder task.

A configuration *dropped* the score when its mean is lower and its 95% bootstrap interval lies
wholly below the reference's (``stats.summarize_scores``, as the report computes them); with
one trial each the intervals are points, so any lower mean is a drop. Lower but overlapping is
within the trials' noise: still eligible, and said so. Where there is no run result, or none on
the reference's work, the verdict says so instead of pretending the score held.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from showdown.speed.plan import Config, config_label
from showdown.stats import summarize_scores

__all__ = ["QualityCheck", "Scored", "check_quality", "quality_name", "reference_of"]


@dataclass(frozen=True)
class Scored:
    """One judged run result, reduced to what the rule compares."""

    task: str
    case: str
    max_tokens: int
    temperature: float
    score: float

    @property
    def work(self) -> tuple[str, str, int, float]:
        """What was asked: results are compared only where both sides were asked the same."""
        return (self.task, self.case, self.max_tokens, self.temperature)


#: The statuses a check can have; only "dropped" makes a configuration ineligible.
STATUSES = ("reference", "kept", "within_noise", "dropped", "not_measured", "no_common")


@dataclass(frozen=True)
class QualityCheck:
    """A configuration's score against the reference's, on the work both did."""

    status: str
    label: str  # this configuration's run name suffix ("default" for the bare name)
    score: float | None = None
    reference_score: float | None = None
    reference: str | None = None  # the reference configuration's label
    n: int = 0  # results of this configuration compared

    @property
    def eligible(self) -> bool:
        return self.status != "dropped"

    def text(self) -> str:
        """One sentence for the report: what was compared and what it found."""
        mine, theirs = _num(self.score), _num(self.reference_score)
        return {
            "reference": f"scored {mine}, the reference for quality",
            "kept": f"scored {mine} vs {theirs} at {self.reference}",
            "within_noise": f"scored {mine} vs {theirs} at {self.reference}, within the "
                            "trials' noise (95% intervals overlap)",
            "dropped": f"scored {mine} vs {theirs} at {self.reference}",
            "not_measured": "quality not measured (no judged `showdown run --set` result "
                            "under this configuration)",
            "no_common": f"quality not comparable (no task run both here and at "
                         f"{self.reference})",
        }[self.status]


def _num(value: float | None) -> str:
    return "—" if value is None else f"{round(value, 1):g}"


def quality_name(model: str, run_config: Config) -> str:
    """The name ``run --set`` stores this configuration's results under."""
    return f"{model} [{config_label(run_config)}]" if run_config else model


def _mean(scores: Sequence[Scored]) -> float:
    return summarize_scores([s.score for s in scores]).mean


def reference_of(model: str, configs: Sequence[Config],
                 scores: Mapping[str, Sequence[Scored]]) -> Config | None:
    """The configuration others are compared with: the default one if it was judged, else the
    best-scoring judged one (the first on a tie); None when none was judged."""
    if scores.get(model):
        return {}
    judged = [c for c in configs if scores.get(quality_name(model, c))]
    if not judged:
        return None
    return max(judged, key=lambda c: _mean(scores[quality_name(model, c)]))


def check_quality(model: str, config: Config, reference: Config | None,
                  scores: Mapping[str, Sequence[Scored]]) -> QualityCheck:
    """The verdict on one configuration (keys ``run --set`` takes) against the reference."""
    label = config_label(config)
    mine = list(scores.get(quality_name(model, config), ()))
    if not mine or reference is None:
        return QualityCheck("not_measured", label)
    if reference == config:
        return QualityCheck("reference", label, _mean(mine), _mean(mine), label, len(mine))
    ref_label = config_label(reference)
    theirs = list(scores.get(quality_name(model, reference), ()))
    common = {s.work for s in mine} & {s.work for s in theirs}
    mine = [s for s in mine if s.work in common]
    theirs = [s for s in theirs if s.work in common]
    if not common:
        return QualityCheck("no_common", label, reference=ref_label)
    a = summarize_scores([s.score for s in mine])
    b = summarize_scores([s.score for s in theirs])
    status = ("kept" if a.mean >= b.mean else
              "dropped" if a.ci_high < b.ci_low else "within_noise")
    return QualityCheck(status, label, a.mean, b.mean, ref_label, len(mine))
