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

from showdown.providers.base import ChatRequest, Progress, Provider, StreamClock
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


class OpenAICompatProvider(Provider):
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
    ) -> None:
        super().__init__(name, spec)
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self.idle_timeout_s = idle_timeout_s
        self.extra_body = extra_body or {}

    @property
    def remote(self) -> bool:
        host = httpx.URL(self.base_url).host
        return host not in ("127.0.0.1", "localhost", "::1")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        s = request.settings
        return {
            "model": self.model,
            "messages": request.messages(),
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": s.max_tokens,
            "temperature": s.temperature,
            "seed": s.seed,
            **self.extra_body,
        }

    def stream(self, request: ChatRequest, progress: Progress | None = None) -> Generation:
        clock = StreamClock()
        state: dict[str, Any] = {"finish_reason": None, "usage": None, "timings": None}
        error: str | None = None
        timeout = httpx.Timeout(self.idle_timeout_s, connect=10.0)
        try:
            with httpx.stream("POST", f"{self.base_url}/chat/completions",
                              json=self._body(request), headers=self._headers(),
                              timeout=timeout) as response:
                if response.status_code != 200:
                    response.read()
                    error = _http_error(response)
                else:
                    error = self._consume(response, clock, state, progress)
        except httpx.TimeoutException:
            error = f"stalled: no data for {self.idle_timeout_s:g} s"
        except httpx.HTTPError as exc:
            error = f"connection failed: {exc} ({self.base_url})"
        return self._record(clock, state, error)

    def _consume(self, response: httpx.Response, clock: StreamClock, state: dict[str, Any],
                 progress: Progress | None) -> str | None:
        for payload in iter_sse(response.iter_lines()):
            if payload.strip() == "[DONE]":
                return None
            try:
                chunk = json.loads(payload)
            except json.JSONDecodeError:
                return f"malformed stream event: {payload[:120]!r}"
            if not isinstance(chunk, dict):
                return f"malformed stream event: {payload[:120]!r}"
            if "error" in chunk:
                return f"server error in stream: {_message(chunk['error'])}"
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                reasoning = delta.get("reasoning_content") or delta.get("reasoning") or ""
                clock.token(delta.get("content") or "", reasoning, progress)
                state["finish_reason"] = choice.get("finish_reason") or state["finish_reason"]
            state["usage"] = chunk.get("usage") or state["usage"]
            state["timings"] = chunk.get("timings") or state["timings"]
        return "the stream ended without [DONE] (server closed the connection)"

    def _record(self, clock: StreamClock, state: dict[str, Any], error: str | None) -> Generation:
        usage: dict[str, Any] = state["usage"] or {}
        timings: dict[str, Any] = state["timings"] or {}
        tokens = usage.get("completion_tokens")
        if tokens is None:
            tokens = timings.get("predicted_n")
        server_rate = timings.get("predicted_per_second")
        return clock.finish(
            tokens,
            prompt_tokens=usage.get("prompt_tokens", timings.get("prompt_n")),
            finish_reason=state["finish_reason"],
            server_tokens_per_s=round(server_rate, 4) if server_rate is not None else None,
            server_timings=timings,
            load_s=self.load_s,
            error=error,
        )


def _message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)


def _http_error(response: httpx.Response) -> str:
    try:
        detail = _message(response.json().get("error", response.text))
    except (json.JSONDecodeError, AttributeError):
        detail = response.text[:200]
    return f"HTTP {response.status_code}: {detail}"

