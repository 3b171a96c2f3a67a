"""OpenAI-compatible ``/v1/chat/completions`` streaming (llama-server, vLLM, LM Studio, OpenAI).

Wire format: the OpenAI chat-completions streaming reference — server-sent events, one
``data: {json}`` chunk per delta, ``data: [DONE]`` at the end; with
``stream_options.include_usage`` a last chunk carries ``usage``. llama-server adds ``timings``
(its README, "Timings and context usage"); vLLM and others may send ``reasoning_content`` or
``reasoning``; OpenAI sends ``delta.refusal`` and ``usage.completion_tokens_details
.reasoning_tokens``. A stream fails on an ``error`` event (``event: error``, or the
``error: {...}`` line older llama-server writes) or an error object in a chunk (``"error":
null`` is none); one that ends without ``[DONE]`` after its finish reason is complete.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
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
)
from showdown.providers.wire import iter_events, iter_lines, iter_sse
from showdown.records import Generation

__all__ = ["OpenAICompatProvider", "iter_sse", "rejected_param", "stream_error"]

#: Settings a model may refuse with HTTP 400, which can then be sent without (and said so).
DROPPABLE = ("temperature", "seed")


@dataclass
class _State:
    """What the stream said besides text: how it ended and the server's counts."""

    finish_reason: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """The answer ended properly (a finish reason came), whatever happens after it."""
        return self.finish_reason is not None


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
        not_sent: dict[str, str] | None = None,
        drop_rejected: bool = False,
    ) -> None:
        super().__init__(name, spec, base_url, idle_timeout_s=idle_timeout_s, retry=retry,
                         secrets=(api_key,) if api_key else ())
        self.model = model
        self._api_key = api_key
        self.extra_body = extra_body or {}
        # OpenAI's own API wants max_completion_tokens (max_tokens is refused by newer models);
        # every other server knows max_tokens.
        self.token_param = token_param
        #: Settings not sent, each with why: the record says so rather than a silent change.
        self.not_sent: dict[str, str] = not_sent if not_sent is not None else {}
        # When true, a 400 naming one of DROPPABLE is answered by one try without it.
        self.drop_rejected = drop_rejected

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        s = request.settings
        fair = {self.token_param: s.max_tokens, "temperature": s.temperature, "seed": s.seed}
        for key, value in self.extra_body.items():
            if key in fair and value != fair[key]:
                self.not_sent[key] = f"extra_body sent {value!r} instead of {fair[key]!r}"
        body = {
            "model": self.model,
            "messages": request.messages(),
            "stream": True,
            "stream_options": {"include_usage": True},
            **{k: v for k, v in fair.items() if k not in self.not_sent},
        }
        return body | self.extra_body

    def attempt(self, request: ChatRequest, progress: Progress | None
                ) -> tuple[Generation, Failure | None]:
        clock, state = StreamClock(), _State()
        failure = self._post(request, clock, state, progress)
        param = rejected_param(failure) if self.drop_rejected else None
        if failure is not None and param is not None and param not in self.not_sent:
            # The model refuses the setting itself (OpenAI's reasoning models and
            # temperature): the one fair alternative is not to send it, and to say so.
            self.not_sent[param] = f"the model refused it ({failure.message}); sent without it"
            clock, state = StreamClock(), _State()
            failure = self._post(request, clock, state, progress)
        return self._record(clock, state, failure), failure

    def _post(self, request: ChatRequest, clock: StreamClock, state: _State,
              progress: Progress | None) -> Failure | None:
        return post_stream(f"{self.base_url}/chat/completions", self._body(request),
                           self._headers(), self.idle_timeout_s,
                           lambda response: _consume(response, clock, state, progress),
                           _detail, lambda: state.complete, self.http)

    def _record(self, clock: StreamClock, state: _State, failure: Failure | None) -> Generation:
        usage, timings = state.usage, state.timings
        tokens = _count(usage.get("completion_tokens"))
        if tokens is None:
            tokens = _count(timings.get("predicted_n"))
        server_rate = timings.get("predicted_per_second")
        if not isinstance(server_rate, int | float) or isinstance(server_rate, bool):
            server_rate = None
        prompt = _count(usage.get("prompt_tokens"))
        return clock.finish(
            tokens,
            _count(dig(usage, "completion_tokens_details", "reasoning_tokens")),
            prompt_tokens=prompt if prompt is not None else _count(timings.get("prompt_n")),
            finish_reason=state.finish_reason,
            server_tokens_per_s=round(server_rate, 4) if server_rate is not None else None,
            server_timings=timings,
            load_s=self.load_s,
            error=failure.message if failure else None,
        )


def _consume(response: httpx.Response, clock: StreamClock, state: _State,
             progress: Progress | None) -> Failure | None:
    """Read events until ``[DONE]``; an error event or error object ends the stream as failed."""
    for event in iter_events(iter_lines(response.iter_bytes())):
        kind, data = event
        if kind == "error":
            return Failure(f"server error in stream: {stream_error(data)}")
        if not data.startswith("{") and data.strip() == "[DONE]":
            return None
        chunk = decode_event(data)
        if isinstance(chunk, Failure):
            return chunk
        if chunk.get("error"):  # "error": null (some servers send it in every chunk) is none
            return Failure(f"server error in stream: {_message(chunk['error'])}")
        _apply(chunk, clock, state, progress)
    if state.complete:
        return None  # no [DONE], but the answer had ended (ik_llama.cpp, older TGI, mistral.rs)
    return Failure("the stream ended without [DONE] (server closed the connection)",
                   retryable=True)


def _apply(chunk: dict[str, Any], clock: StreamClock, state: _State,
           progress: Progress | None) -> None:
    # Plain dict lookups, no helpers: this runs once per chunk, tens of thousands per answer.
    choices = chunk.get("choices")
    for choice in choices if isinstance(choices, list) else ():
        if not isinstance(choice, dict):
            continue
        delta = choice.get("delta")
        if isinstance(delta, dict) and delta:
            content = delta.get("content")
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            refusal = delta.get("refusal")
            clock.token(content if isinstance(content, str) else "",
                        reasoning if isinstance(reasoning, str) else "", progress,
                        refusal=refusal if isinstance(refusal, str) else "")
        finish = choice.get("finish_reason")
        if finish and isinstance(finish, str):
            state.finish_reason = finish
    usage, timings = chunk.get("usage"), chunk.get("timings")
    if isinstance(usage, dict):
        state.usage = usage
    if isinstance(timings, dict):
        state.timings = timings


def rejected_param(failure: Failure | None) -> str | None:
    """The setting an HTTP 400 names as unsupported (``'temperature'``), if it is droppable."""
    if failure is None or failure.status != 400:
        return None
    return next((p for p in DROPPABLE
                 if re.search(rf"""['"`]{p}['"`]""", failure.message)), None)


def stream_error(data: str) -> str:
    """The message of an error event's data: JSON (``{"message"}`` or ``{"error"}``) or text."""
    try:
        body = json.loads(data)
    except json.JSONDecodeError:
        return " ".join(data.split())[:300] or "(no detail)"
    if isinstance(body, dict) and "error" in body and body["error"]:
        body = body["error"]
    return _message(body)


def _count(value: Any) -> int | None:
    """A token count as servers send it, or None for anything that is not a whole number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("content") or error)
    return str(error)


def _detail(response: httpx.Response) -> str:
    """The message of an OpenAI-style error body ``{"error": {"message": ...}}``, else the text."""
    try:
        body = response.json()
    except json.JSONDecodeError:
        return response.text[:200]
    return _message(body.get("error", body) if isinstance(body, dict) else body)
