"""OpenAI-compatible ``/v1/chat/completions`` streaming (llama-server, vLLM, LM Studio, OpenAI).

Wire format: the OpenAI chat-completions streaming reference — server-sent events, one
``data: {json}`` chunk per delta, ``data: [DONE]`` at the end; with
``stream_options.include_usage`` a last chunk carries ``usage``. llama-server adds ``timings``
(its README, "Timings and context usage"); vLLM and others may send ``reasoning_content``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from showdown.records import Generation

__all__ = ["OpenAICompatProvider", "iter_sse"]


def iter_sse(lines: Iterator[str]) -> Iterator[str]:
    """The ``data`` payloads of a server-sent event stream (multi-line data joined)."""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield "\n".join(data)


class OpenAICompatProvider(HTTPProvider):
    """Any server that speaks the OpenAI chat-completions streaming protocol."""

    def __init__(
        self,
        name: str,
        spec: str,
        base_url: str,
        model: str,
        api_key: str | None = None,
        idle_timeout_s: float = 120.0,
        extra_body: dict[str, Any] | None = None,
        *,
        retry: RetryPolicy | None = None,
        token_param: str = "max_tokens",
    ) -> None:
        super().__init__(name, spec, base_url, idle_timeout_s=idle_timeout_s, retry=retry,
                         secrets=(api_key,) if api_key else ())
        self.model = model
        self._api_key = api_key
        self.extra_body = extra_body or {}
        # OpenAI's own API wants max_completion_tokens (max_tokens is refused by newer models);
        # every other server knows max_tokens.
        self.token_param = token_param

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        s = request.settings
        return {
            "model": self.model,
            "messages": request.messages(),
            "stream": True,
            "stream_options": {"include_usage": True},
            self.token_param: s.max_tokens,
            "temperature": s.temperature,
            "seed": s.seed,
            **self.extra_body,
        }

    def attempt(self, request: ChatRequest, progress: Progress | None
                ) -> tuple[Generation, Failure | None]:
        clock = StreamClock()
        state: dict[str, Any] = {"finish_reason": None, "usage": None, "timings": None}
        failure = post_stream(f"{self.base_url}/chat/completions", self._body(request),
                              self._headers(), self.idle_timeout_s,
                              lambda response: self._consume(response, clock, state, progress),
                              _detail)
        return self._record(clock, state, failure), failure

    def _consume(self, response: httpx.Response, clock: StreamClock, state: dict[str, Any],
                 progress: Progress | None) -> Failure | None:
        for payload in iter_sse(response.iter_lines()):
            if payload.strip() == "[DONE]":
                return None
            chunk = decode_event(payload)
            if isinstance(chunk, Failure):
                return chunk
            if "error" in chunk:
                return Failure(f"server error in stream: {_message(chunk['error'])}")
            choices = chunk.get("choices")
            for choice in choices if isinstance(choices, list) else []:
                delta = dig(choice, "delta") or {}
                reasoning = text(dig(delta, "reasoning_content")) or text(dig(delta, "reasoning"))
                clock.token(text(dig(delta, "content")), reasoning, progress)
                state["finish_reason"] = text(dig(choice, "finish_reason")) or state["finish_reason"]
            for key in ("usage", "timings"):
                if isinstance(chunk.get(key), dict):
                    state[key] = chunk[key]
        return Failure("the stream ended without [DONE] (server closed the connection)",
                       retryable=True)

    def _record(self, clock: StreamClock, state: dict[str, Any],
                failure: Failure | None) -> Generation:
        usage: dict[str, Any] = state["usage"] or {}
        timings: dict[str, Any] = state["timings"] or {}
        tokens = _count(usage.get("completion_tokens"))
        if tokens is None:
            tokens = _count(timings.get("predicted_n"))
        server_rate = timings.get("predicted_per_second")
        if not isinstance(server_rate, int | float) or isinstance(server_rate, bool):
            server_rate = None
        prompt = _count(usage.get("prompt_tokens"))
        return clock.finish(
            tokens,
            prompt_tokens=prompt if prompt is not None else _count(timings.get("prompt_n")),
            finish_reason=state["finish_reason"],
            server_tokens_per_s=round(server_rate, 4) if server_rate is not None else None,
            server_timings=timings,
            load_s=self.load_s,
            error=failure.message if failure else None,
        )


def _count(value: Any) -> int | None:
    """A token count as servers send it, or None for anything that is not a whole number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)


def _detail(response: httpx.Response) -> str:
    """The message of an OpenAI-style error body ``{"error": {"message": ...}}``, else the text."""
    try:
        body = response.json()
    except json.JSONDecodeError:
        return response.text[:200]
    return _message(body.get("error", body) if isinstance(body, dict) else body)
