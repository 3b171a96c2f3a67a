"""``anthropic:MODEL``: the Anthropic Messages API, streamed.

Wire format: Anthropic's streaming messages reference (docs.anthropic.com, "Streaming
Messages"). ``POST /v1/messages`` with ``stream: true`` answers with server-sent events:
``message_start`` (``message.usage.input_tokens``), ``content_block_start``,
``content_block_delta`` (``text_delta`` with ``text``, ``thinking_delta`` with ``thinking``),
``content_block_stop``, ``message_delta`` (``delta.stop_reason``, cumulative
``usage.output_tokens``), ``message_stop``; ``ping`` at any time, and ``error`` events such as
``overloaded_error``. Error responses are ``{"type": "error", "error": {"type", "message"}}``.
The key goes in ``x-api-key`` and comes from the environment only.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from showdown.providers.base import ChatRequest, Progress, StreamClock
from showdown.providers.http import (
    Failure,
    HTTPProvider,
    RetryPolicy,
    decode_event,
    dig,
    post_stream,
    text,
)
from showdown.providers.wire import iter_lines, iter_sse
from showdown.records import Generation, GenerationSettings

__all__ = ["API_VERSION", "DEFAULT_BASE_URL", "AnthropicProvider", "error_detail"]

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
#: Anthropic's stop reasons in the words the other backends use.
STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length",
                "model_context_window_exceeded": "length"}
#: Stream errors that say "try again later" rather than "this request is wrong".
RETRYABLE_ERRORS = {"overloaded_error", "api_error", "rate_limit_error"}


def error_detail(response: httpx.Response) -> str:
    """``type: message`` from an Anthropic error body, else the raw text."""
    try:
        body = response.json()
    except json.JSONDecodeError:
        return response.text[:200]
    return _error_text(body.get("error") if isinstance(body, dict) else body)


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        kind, message = error.get("type"), error.get("message")
        return f"{kind}: {message}" if kind and message else str(message or kind or error)
    return str(error)


class AnthropicProvider(HTTPProvider):
    """A Claude model behind the Messages API (placement: cloud)."""

    def __init__(self, name: str, spec: str, model: str, api_key: str, *,
                 base_url: str = DEFAULT_BASE_URL, idle_timeout_s: float = 120.0,
                 extra_body: dict[str, Any] | None = None, retry: RetryPolicy | None = None,
                 key_env: str = "ANTHROPIC_API_KEY") -> None:
        super().__init__(name, spec, base_url, idle_timeout_s=idle_timeout_s, retry=retry,
                         secrets=(api_key,))
        self.model = model
        self._api_key = api_key
        self.key_env = key_env
        self.extra_body = extra_body or {}

    @property
    def remote(self) -> bool:
        return True  # even through a local proxy, the model runs in Anthropic's cloud

    def open(self, settings: GenerationSettings) -> GenerationSettings:
        # Nothing to load; the settings the API cannot take are said, not silently dropped.
        self.info = {"server": "anthropic", "placement": "cloud", "base_url": self.base_url,
                     "model": self.model, "api_version": API_VERSION,
                     "not_sent": {"seed": "the Messages API has no seed",
                                  "ctx": "the context window is fixed by the model"}}
        return settings

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.settings.max_tokens,  # required by the API
            "messages": [{"role": "user", "content": request.prompt}],
            "temperature": request.settings.temperature,
            "stream": True,
        }
        if request.system:
            body["system"] = request.system
        return body | self.extra_body

    def attempt(self, request: ChatRequest, progress: Progress | None
                ) -> tuple[Generation, Failure | None]:
        clock = StreamClock()
        state: dict[str, Any] = {}
        headers = {"x-api-key": self._api_key, "anthropic-version": API_VERSION}
        failure = post_stream(f"{self.base_url}/v1/messages", self._body(request), headers,
                              self.idle_timeout_s,
                              lambda response: _consume(response, clock, state, progress),
                              self._describe, lambda: state.get("stop_reason") is not None,
                              self.http)
        return self._record(clock, state, failure), failure

    def _describe(self, response: httpx.Response) -> str:
        detail = error_detail(response)
        if response.status_code in (401, 403):
            return f"{detail} (check {self.key_env})"
        return detail

    def _record(self, clock: StreamClock, state: dict[str, Any],
                failure: Failure | None) -> Generation:
        stop = state.get("stop_reason")
        figures = {k: state[k] for k in ("input_tokens", "output_tokens", "thinking_tokens",
                                         "stop_reason") if state.get(k) is not None}
        generation = clock.finish(
            state.get("output_tokens"),
            state.get("thinking_tokens"),
            prompt_tokens=state.get("input_tokens"),
            finish_reason=STOP_REASONS.get(stop, stop) if isinstance(stop, str) else None,
            server_timings=figures,
            load_s=self.load_s,
            error=failure.message if failure else None,
        )
        if stop == "refusal":
            why = text(state.get("refusal_explanation")) or "no explanation given"
            generation.refusal = generation.refusal or f"refused (stop_reason refusal): {why}"
        return generation


def _consume(response: httpx.Response, clock: StreamClock, state: dict[str, Any],
             progress: Progress | None) -> Failure | None:
    """Read events until ``message_stop``; usage and the stop reason go into ``state``."""
    for payload in iter_sse(iter_lines(response.iter_bytes())):
        event = decode_event(payload)
        if isinstance(event, Failure):
            return event
        kind = event.get("type")
        if kind == "message_stop":
            return None
        if kind == "error":
            return Failure(f"server error in stream: {_error_text(event.get('error'))}",
                           retryable=dig(event, "error", "type") in RETRYABLE_ERRORS)
        _apply(event, kind, clock, state, progress)
    if state.get("stop_reason") is not None:
        return None  # message_delta said how it ended; only message_stop went missing
    return Failure("the stream ended without message_stop (server closed the connection)",
                   retryable=True)


def _apply(event: dict[str, Any], kind: Any, clock: StreamClock, state: dict[str, Any],
           progress: Progress | None) -> None:
    if kind == "message_start":
        # Its output_tokens is a placeholder (1) until message_delta gives the real count, so
        # only the input count is kept from here: a stream that dies reports no output count.
        _usage(dig(event, "message", "usage"), state, ("input_tokens",))
    elif kind == "content_block_start":
        block = dig(event, "content_block")
        clock.token(text(dig(block, "text")), text(dig(block, "thinking")), progress)
    elif kind == "content_block_delta":
        delta = dig(event, "delta")
        if dig(delta, "type") == "text_delta":
            clock.token(text(dig(delta, "text")), "", progress)
        elif dig(delta, "type") == "thinking_delta":
            clock.token("", text(dig(delta, "thinking")), progress)
    elif kind == "message_delta":
        state["stop_reason"] = dig(event, "delta", "stop_reason")
        state["refusal_explanation"] = dig(event, "delta", "stop_details", "explanation")
        # Usage here is cumulative and may carry input_tokens too: the later count wins.
        _usage(dig(event, "usage"), state, ("input_tokens", "output_tokens"))
        thinking = _count(dig(event, "usage", "output_tokens_details", "thinking_tokens"))
        if thinking is not None:
            state["thinking_tokens"] = thinking


def _usage(usage: Any, state: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        value = _count(dig(usage, key))
        if value is not None:
            state[key] = value


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
