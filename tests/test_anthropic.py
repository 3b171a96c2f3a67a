"""The Anthropic provider against a local server speaking the Messages streaming format.

Wire format: Anthropic's streaming messages reference
(https://docs.anthropic.com/en/docs/build-with-claude/streaming) — ``message_start``,
``content_block_start``/``_delta`` (``text_delta``, ``thinking_delta``)/``_stop``,
``message_delta`` with ``stop_reason`` and ``usage.output_tokens``, ``message_stop``, ``ping``
and ``error`` events — and its errors reference (https://docs.anthropic.com/en/api/errors):
``{"type": "error", "error": {"type": "...", "message": "..."}}``, 429 with ``retry-after``,
529 ``overloaded_error``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fakes import anthropic_stream
from httpfake import DROP, Reply, Sleep, fake_server, in_turn, json_reply, sse_event

from showdown.providers import ProviderError, make_provider, parse_spec
from showdown.providers.anthropic import AnthropicProvider
from showdown.providers.base import ChatRequest
from showdown.providers.http import RetryPolicy
from showdown.records import Generation, GenerationSettings, Result, to_dict
from showdown.report.jsonout import result_json

KEY = "sk-ant-test-0123456789abcdef"
SETTINGS = GenerationSettings(max_tokens=512, ctx=16384, temperature=0.0, seed=42)
REQUEST = ChatRequest("Write hello world.", SETTINGS)
SSE = {"Content-Type": "text/event-stream"}


def provider(url: str, waits: list[float] | None = None, idle: float = 30.0) -> AnthropicProvider:
    sleep = waits.append if waits is not None else (lambda s: None)
    return AnthropicProvider("Claude", "anthropic:claude-test", "claude-test", KEY, base_url=url,
                             idle_timeout_s=idle, retry=RetryPolicy(sleep=sleep))


def messages(*replies: Reply) -> dict[str, Any]:
    return {"POST /v1/messages": in_turn(*replies)}


def error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return json_reply({"type": "error", "error": {"type": kind, "message": message}}, status,
                      headers)


def test_stream_sends_the_documented_request_and_reads_text_and_usage() -> None:
    routes = messages(Reply(200, SSE, anthropic_stream(["print(", "'hi')"], output_tokens=6)))
    with fake_server(routes) as server:
        p = provider(server.url)
        settings = p.open(SETTINGS)
        gen = p.stream(ChatRequest("Write hello world.", settings))
        body = server.requests[0][2]
    headers = {k.lower(): v for k, v in body.pop("_headers").items()}
    assert headers["x-api-key"] == KEY and headers["anthropic-version"] == "2023-06-01"
    assert body == {"model": "claude-test", "max_tokens": 512, "temperature": 0.0, "stream": True,
                    "messages": [{"role": "user", "content": "Write hello world."}]}
    assert gen.error is None and gen.text == "print('hi')"
    assert gen.output_tokens == 6 and gen.prompt_tokens == 25
    assert gen.finish_reason == "stop"
    assert gen.server_timings == {"input_tokens": 25, "output_tokens": 6, "stop_reason": "end_turn"}
    assert p.info["placement"] == "cloud" and "seed" in p.info["not_sent"]


def test_thinking_counts_for_ttft_and_is_kept_apart() -> None:
    events = anthropic_stream(["x = 1"], thinking=["Let me", " think."])
    thinking_at = next(i for i, e in enumerate(events) if b"thinking_delta" in e)
    text_at = next(i for i, e in enumerate(events) if b"text_delta" in e)
    steps = [*events[:thinking_at], Sleep(0.3), *events[thinking_at:text_at], Sleep(0.3),
             *events[text_at:]]
    with fake_server(messages(Reply(200, SSE, steps))) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.text == "x = 1" and gen.reasoning == "Let me think."
    assert gen.ttft_s is not None and gen.total_s is not None
    # The first token is the first thought: a pause before it and one before the text.
    # (0.29: the stored figures are rounded to 0.1 ms.)
    assert gen.ttft_s >= 0.29 and gen.total_s - gen.ttft_s >= 0.29


def test_max_tokens_stop_is_length() -> None:
    routes = messages(Reply(200, SSE, anthropic_stream(["x"], stop_reason="max_tokens")))
    with fake_server(routes) as server:
        assert provider(server.url).stream(REQUEST).finish_reason == "length"


def test_401_names_the_key_variable_and_never_the_key() -> None:
    routes = messages(error(401, "authentication_error", f"invalid x-api-key {KEY}"))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error == ("HTTP 401: authentication_error: invalid x-api-key *** "
                         "(check ANTHROPIC_API_KEY)")
    assert gen.attempts == 1
    assert KEY not in json.dumps(record(gen))


def test_404_unknown_model_is_one_line_and_not_retried() -> None:
    routes = messages(error(404, "not_found_error", "model: claude-nope"))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error is not None and gen.error.startswith("HTTP 404: not_found_error: model: claude-nope")
    assert "\n" not in gen.error and gen.attempts == 1


def test_429_waits_as_long_as_retry_after_says() -> None:
    waits: list[float] = []
    routes = messages(error(429, "rate_limit_error", "slow down", {"retry-after": "7"}),
                      Reply(200, SSE, anthropic_stream(["ok"])))
    with fake_server(routes) as server:
        gen = provider(server.url, waits).stream(REQUEST)
    assert gen.error is None and gen.text == "ok" and gen.attempts == 2 and waits == [7.0]


def test_500_every_time_gives_up_after_three_attempts_with_backoff() -> None:
    waits: list[float] = []
    with fake_server(messages(error(500, "api_error", "internal"))) as server:
        gen = provider(server.url, waits).stream(REQUEST)
    assert gen.error == "HTTP 500: api_error: internal (after 3 attempts)"
    assert gen.attempts == 3 and waits == [1.0, 2.0]


def test_overloaded_529_and_in_stream_overload_are_retried() -> None:
    overloaded_event = [sse_event("error", {"type": "error", "error": {
        "type": "overloaded_error", "message": "Overloaded"}})]
    routes = messages(error(529, "overloaded_error", "Overloaded"), Reply(200, SSE, overloaded_event),
                      Reply(200, SSE, anthropic_stream(["fine"])))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.text == "fine" and gen.error is None and gen.attempts == 3


def test_connection_dropped_mid_stream_keeps_the_last_attempt() -> None:
    events = anthropic_stream(["def f(", "): pass"])
    cut = next(i for i, e in enumerate(events) if b"): pass" in e)
    with fake_server(messages(Reply(200, SSE, [*events[:cut], DROP]))) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.text == "def f(" and gen.attempts == 3
    assert gen.error is not None and "without message_stop" in gen.error


def test_stall_is_cut_off() -> None:
    events = anthropic_stream(["a", "b"])
    cut = next(i for i, e in enumerate(events) if b'"b"' in e)
    with fake_server(messages(Reply(200, SSE, [*events[:cut], Sleep(3.0)]))) as server:
        gen = provider(server.url, idle=0.5).stream(REQUEST)
    assert gen.text == "a" and gen.error == "stalled: no data for 0.5 s" and gen.attempts == 1


def test_missing_key_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ProviderError, match=r"set ANTHROPIC_API_KEY in the environment"):
        make_provider(parse_spec("anthropic:claude-test"))


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = messages(Reply(200, SSE, anthropic_stream(["hi"])))
    with fake_server(routes) as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        p = make_provider(parse_spec("Claude T=anthropic:claude-test"))
        p.open(SETTINGS)
        gen = p.stream(REQUEST)
    assert p.name == "Claude T" and gen.text == "hi"
    assert KEY not in json.dumps(record(gen) | {"info": p.info})


def record(gen: Generation) -> dict[str, Any]:
    """Everything the store and reports would write for this generation."""
    result = Result("run", "Claude", "anthropic:claude-test", "todo-cli", 1, SETTINGS, gen, None,
                    "now")
    return {"stored": to_dict(result), "printed": result_json(result)}


def test_odd_but_valid_event_shapes_do_not_crash_the_run() -> None:
    events = [sse_event("message_start", {"type": "message_start", "message": None}),
              sse_event("content_block_delta", {"type": "content_block_delta", "delta": None}),
              sse_event("content_block_delta", {"type": "content_block_delta",
                                                "delta": {"type": "text_delta", "text": 5}}),
              sse_event("content_block_delta", {"type": "content_block_delta",
                                                "delta": {"type": "text_delta", "text": "ok"}}),
              sse_event("message_delta", {"type": "message_delta", "usage": "n/a"}),
              sse_event("message_stop", {"type": "message_stop"})]
    with fake_server(messages(Reply(200, SSE, events))) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error is None and gen.text == "ok" and gen.output_tokens is None


def test_context_window_exceeded_is_length() -> None:
    routes = messages(Reply(200, SSE, anthropic_stream(["x"], stop_reason="model_context_window_exceeded")))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.finish_reason == "length" and gen.error is None


def test_a_dead_stream_reports_no_output_count_not_the_placeholder() -> None:
    """message_start's ``output_tokens: 1`` is a placeholder; only message_delta's count is real."""
    events = anthropic_stream(["def f(", "):"])[:4]  # up to the first text delta, then dead
    routes = messages(Reply(200, SSE, [*events, DROP]))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error is not None and gen.text == "def f("
    assert gen.output_tokens is None and gen.prompt_tokens == 25 and gen.tokens_per_s is None


def test_a_stream_that_ends_after_its_stop_reason_is_complete() -> None:
    events = anthropic_stream(["ok"], output_tokens=2)[:-1]  # everything but message_stop
    with fake_server(messages(Reply(200, SSE, events))) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error is None and gen.text == "ok" and gen.output_tokens == 2 and gen.attempts == 1
