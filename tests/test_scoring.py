"""The 0–100 score: the seed's Round 2 figures and the edges."""

from __future__ import annotations

import pytest

from showdown.scoring import score


@pytest.mark.parametrize(
    ("features", "functional", "expected"),
    [
        ((10, 10), (7, 7), 100),  # Gemma 4, Qwen, DeepSeek R1 ... in Round 2
        ((9, 10), (7, 7), 94),  # Codestral: no error handling
        ((10, 10), (6, 7), 94),  # Kimi K2: the stale ~/.todo.db
        ((0, 10), (0, 7), 0),
        ((10, 10), (0, 7), 59),  # every check right, the program never runs
        ((9, 10), (4, 7), 76),  # complete deletes the row
    ],
)
def test_seed_figures(
    features: tuple[int, int], functional: tuple[int, int], expected: int
) -> None:
    assert score(True, *features, *functional) == expected


def test_code_that_does_not_compile_scores_zero_whatever_else() -> None:
    assert score(False, 10, 10, 7, 7) == 0


def test_a_task_with_nothing_to_check_scores_zero() -> None:
    assert score(True, 0, 0, 0, 0) == 0


def test_every_check_and_test_weighs_the_same() -> None:
    assert score(True, 1, 1, 0, 1) == score(True, 0, 1, 1, 1) == 50
    assert score(True, 3, 3, 0, 0) == 100
