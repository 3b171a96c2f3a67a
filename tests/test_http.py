"""The shared HTTP rules: retry policy, ``retry-after`` (RFC 9110 §10.2.3), key redaction."""

from __future__ import annotations

import email.utils
import time

import pytest

from showdown.providers.http import Failure, RetryPolicy, parse_retry_after, redact, retrying


@pytest.mark.parametrize(("attempt", "retry_after", "expected"), [
    (1, None, 0.5), (2, None, 1.0), (3, None, 2.0), (1, 4.0, 4.0), (1, 600.0, 60.0), (9, None, 60.0)])
def test_delay_is_exponential_unless_the_server_says_and_is_capped(
        attempt: int, retry_after: float | None, expected: float) -> None:
    assert RetryPolicy(backoff_s=0.5).delay(attempt, retry_after) == expected


def test_retry_after_seconds_date_and_garbage() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    wait = parse_retry_after(later)
    assert wait is not None and 20 < wait <= 31
    assert parse_retry_after(email.utils.formatdate(0, usegmt=True)) == 0.0


def test_retrying_stops_at_the_first_success() -> None:
    outcomes = [("a", Failure("boom", retryable=True)), ("b", None), ("c", None)]
    waits: list[float] = []
    value, failure, attempts = retrying(RetryPolicy(sleep=waits.append), lambda: outcomes.pop(0))
    assert (value, failure, attempts) == ("b", None, 2)
    assert waits == [1.0]


def test_retrying_never_repeats_a_failure_that_is_not_retryable() -> None:
    calls: list[int] = []

    def attempt() -> tuple[int, Failure | None]:
        calls.append(1)
        return len(calls), Failure("HTTP 400: bad request")

    assert retrying(RetryPolicy(sleep=lambda s: None), attempt)[2] == 1
    assert len(calls) == 1


def test_retrying_is_bounded() -> None:
    waits: list[float] = []
    _, failure, attempts = retrying(RetryPolicy(attempts=4, sleep=waits.append),
                                        lambda: (None, Failure("HTTP 503", retryable=True)))
    assert attempts == 4 and failure is not None and waits == [1.0, 2.0, 4.0]


def test_redact_hides_every_secret_and_ignores_empty_ones() -> None:
    assert redact("key sk-1 and sk-1 again", ["sk-1", ""]) == "key *** and *** again"
