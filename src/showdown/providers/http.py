"""The HTTP plumbing every network provider shares: one streamed POST, retries, key hygiene.

Each backend only says how to read its own stream; how a request fails (refused, dropped,
stalled, an HTTP status), which failures are worth another try (connection errors, 429, 5xx),
how long to wait (``retry-after`` first, else exponential backoff) and how secrets are kept out
of messages live here, once.
"""

from __future__ import annotations

import email.utils
import json
import time
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from showdown.providers.base import ChatRequest, Progress, Provider
from showdown.records import Generation

__all__ = [
    "Failure",
    "HTTPProvider",
    "RetryPolicy",
    "decode_event",
    "dig",
    "get_json",
    "parse_retry_after",
    "post_json",
    "post_stream",
    "redact",
    "retrying",
    "text",
]

#: Reads a 200 response's stream; returns None when it ended properly, else what went wrong.
Consume = Callable[[httpx.Response], "Failure | None"]
#: Turns an error response's body into a short detail (each API shapes its errors its own way).
Describe = Callable[[httpx.Response], str]

_CONNECT_S = 10.0
T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """Why one attempt failed, and whether another attempt could go differently."""

    message: str
    retryable: bool = False
    retry_after: float | None = None
    status: int | None = None  # the HTTP status, when the server answered with an error one


def decode_event(payload: str, what: str = "stream event") -> dict[str, Any] | Failure:
    """One streamed JSON object, or the Failure that says the stream is garbled."""
    try:
        event = json.loads(payload)
    except json.JSONDecodeError:
        event = None
    if not isinstance(event, dict):
        return Failure(f"malformed {what}: {payload[:120]!r}")
    return event


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries; waits ``backoff_s`` × 2ⁿ, or what ``retry-after`` asks for."""

    attempts: int = 3
    backoff_s: float = 1.0
    max_wait_s: float = 60.0
    # Injected so tests can see the waits without spending them.
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        wait = retry_after if retry_after is not None else self.backoff_s * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_wait_s))


def retrying(policy: RetryPolicy, attempt: Callable[[], tuple[T, Failure | None]],
             ) -> tuple[T, Failure | None, int]:
    """Call ``attempt`` until it succeeds, fails for good, or the policy runs out of tries.

    Returns the last attempt's value and failure and how many attempts were made: a retried
    request's figures are those of the attempt that succeeded, never a blend.
    """
    for n in range(1, max(1, policy.attempts) + 1):
        value, failure = attempt()
        if failure is None or not failure.retryable or n >= policy.attempts:
            return value, failure, n
        policy.sleep(policy.delay(n, failure.retry_after))
    raise AssertionError("unreachable: the loop always returns")  # pragma: no cover


class HTTPProvider(Provider):
    """A provider behind HTTP: ``stream`` = retried ``attempt``s with secrets kept out of errors."""

    def __init__(self, name: str, spec: str, base_url: str, *, idle_timeout_s: float = 120.0,
                 retry: RetryPolicy | None = None, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(name, spec)
        self.base_url = base_url.rstrip("/")
        self.idle_timeout_s = idle_timeout_s
        self.retry = retry or RetryPolicy()
        self._secrets = list(secrets)
        self._http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        """One client (and connection pool) per provider: the warm-up request opens the
        connection, so no timed request pays for TCP/TLS setup or a fresh TLS context."""
        if self._http is None or self._http.is_closed:
            self._http = httpx.Client(timeout=httpx.Timeout(self.idle_timeout_s,
                                                            connect=_CONNECT_S))
        return self._http

    def close(self) -> None:
        """Drop the pooled connections (a later request opens new ones)."""
        if self._http is not None:
            self._http.close()
            self._http = None

    @property
    def remote(self) -> bool:
        """A server on another host: this machine's GPU and RAM say nothing about it."""
        return httpx.URL(self.base_url).host not in ("127.0.0.1", "localhost", "::1")

    def stream(self, request: ChatRequest, progress: Progress | None = None) -> Generation:
        tried: list[Generation] = []

        def once() -> tuple[Generation, Failure | None]:
            generation, failure = self.attempt(request, progress)
            tried.append(generation)
            return generation, failure

        generation, failure, attempts = retrying(self.retry, once)
        if failure is not None:
            # Every attempt failed: keep the one that received most (the latest on a tie), so
            # text that arrived before a server died is not lost to a later refused retry.
            generation = max(reversed(tried), key=lambda g: len(g.text) + len(g.reasoning))
        generation.attempts = attempts
        if generation.error and failure is not None and attempts > 1:
            generation.error = f"{generation.error} (after {attempts} attempts)"
        if generation.error:
            generation.error = redact(generation.error, self._secrets)
        return generation

    @abstractmethod
    def attempt(self, request: ChatRequest, progress: Progress | None
                ) -> tuple[Generation, Failure | None]:
        """One request: its record (error included) and the failure, if any, to judge retries."""


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]…``, or None where a step is missing or not an object (servers vary)."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text(value: Any) -> str:
    """A streamed text field as a string: anything else (null, a number) counts as no text."""
    return value if isinstance(value, str) else ""


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret (an API key) replaced, so no message can leak one."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``retry-after`` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def post_stream(url: str, body: dict[str, Any], headers: dict[str, str], idle_timeout_s: float,
                consume: Consume, describe: Describe,
                complete: Callable[[], bool] = lambda: False,
                client: httpx.Client | None = None) -> Failure | None:
    """POST ``body`` and hand a 200 response to ``consume``; every other outcome is a Failure.

    The read timeout is the idle cut-off: a stream that sends no bytes for ``idle_timeout_s``
    is stopped and reported as stalled (never retried: a stall already cost that long).
    ``complete`` says whether the answer had already ended properly (a finish reason and its
    usage arrived) when the connection broke: then the break lost nothing and is no failure.
    """
    timeout = httpx.Timeout(idle_timeout_s, connect=_CONNECT_S)
    opened = (client.stream if client is not None else httpx.stream)(
        "POST", url, json=body, headers=headers, timeout=timeout)
    try:
        with opened as response:
            if response.status_code != 200:
                response.read()
                return status_failure(response, describe)
            return consume(response)
    except httpx.TimeoutException as exc:
        return None if complete() else _timeout_failure(exc, url, idle_timeout_s)
    except httpx.HTTPError as exc:
        return None if complete() else _connection_failure(exc, url)


def post_json(url: str, body: dict[str, Any], headers: dict[str, str], timeout_s: float,
              describe: Describe) -> tuple[Any, Failure | None]:
    """One non-streamed JSON request (model management, listings); same failure rules."""
    return _request_json("POST", url, body, headers, timeout_s, describe)


def get_json(url: str, headers: dict[str, str], timeout_s: float,
             describe: Describe) -> tuple[Any, Failure | None]:
    """GET a JSON document; same failure rules as ``post_json``."""
    return _request_json("GET", url, None, headers, timeout_s, describe)


def _request_json(method: str, url: str, body: dict[str, Any] | None, headers: dict[str, str],
                  timeout_s: float, describe: Describe) -> tuple[Any, Failure | None]:
    timeout = httpx.Timeout(timeout_s, connect=_CONNECT_S)
    try:
        response = httpx.request(method, url, json=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException as exc:
        return None, _timeout_failure(exc, url, timeout_s)
    except httpx.HTTPError as exc:
        return None, _connection_failure(exc, url)
    if response.status_code != 200:
        return None, status_failure(response, describe)
    try:
        return response.json(), None
    except json.JSONDecodeError:
        return None, Failure(f"not JSON from {url}: {response.text[:120]!r}")


def status_failure(response: httpx.Response, describe: Describe) -> Failure:
    """An HTTP error status as one line; 429 and 5xx may be retried (``retry-after`` honoured)."""
    status = response.status_code
    detail = " ".join(describe(response).split())[:300]
    hint = f" (check the model name and the base URL: {response.request.url})" if status == 404 else ""
    return Failure(f"HTTP {status}: {detail}{hint}",
                   retryable=status == 429 or status >= 500,
                   retry_after=parse_retry_after(response.headers.get("retry-after")), status=status)


def _timeout_failure(exc: httpx.TimeoutException, url: str, seconds: float) -> Failure:
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure(f"connection failed: no answer within {_CONNECT_S:g} s ({url})",
                       retryable=True)
    return Failure(f"stalled: no data for {seconds:g} s")


def _connection_failure(exc: httpx.HTTPError, url: str) -> Failure:
    # Refused or unresolvable: the fix is nearly always the server or the URL, so say so.
    hint = "; is the server running there?" if isinstance(exc, httpx.ConnectError) else ""
    return Failure(f"connection failed: {_why(exc)} ({url}){hint}", retryable=True)


def _why(exc: httpx.HTTPError) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
