"""Pure scoring: checks and tests passed in, a 0–100 score out.

Every static feature check and every functional test is worth the same share of 100, and code
that does not compile scores 0. This reproduces the seed's Round 2 figures: 10/10 and 7/7 is
100; 9/10 and 7/7, or 10/10 and 6/7, is round(100 * 16 / 17) = 94.
"""

from __future__ import annotations

__all__ = ["score"]


def score(
    syntax_ok: bool,
    features_passed: int,
    features_total: int,
    functional_passed: int,
    functional_total: int,
) -> int:
    """The 0–100 score of one judged answer."""
    total = features_total + functional_total
    if not syntax_ok or total == 0:
        return 0
    return round(100 * (features_passed + functional_passed) / total)
