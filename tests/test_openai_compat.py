"""The OpenAI-compatible streaming client against a real local HTTP server.

The wire format follows OpenAI's chat-completions streaming reference
(https://platform.openai.com/docs/api-reference/chat-streaming): ``data: {chunk}`` events with
``choices[].delta``, a final ``usage`` chunk when ``stream_options.include_usage`` is set, then
``data: [DONE]``. ``timings`` is llama-server's addition (tools/server/README.md, "Timings and
context usage").
"""

from __future__ import annotations

from typing import Any

import pytest
from httpfake import DROP, Reply, Sleep, fake_server, sse, sse_done

from showdown.providers.base import ChatRequest, answer_offset, decode_rate
from showdown.providers.http import RetryPolicy
from showdown.providers.openai_compat import OpenAICompatProvider, iter_sse
from showdown.records import GenerationSettings

REQUEST = ChatRequest("Write hello world.", GenerationSettings(max_tokens=64, ctx=512))


def chunk(content: str | None = None, role: str | None = None, finish: str | None = None,
          reasoning: str | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    if reasoning is not None:
        delta["reasoning_content"] = reasoning
    return {"object": "chat.completion.chunk", "choices": [
        {"index": 0, "delta": delta, "finish_reason": finish}]}


def usage(completion: int, prompt: int = 12) -> dict[str, Any]:
    return {"choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                     "total_tokens": prompt + completion}}


def provider(url: str, idle: float = 30.0) -> OpenAICompatProvider:
    # No waiting between retries: the retry policy itself is tested in test_http.py.
    return OpenAICompatProvider("fake", "openai-compat:x#m", f"{url}/v1", "m", idle_timeout_s=idle,
                                retry=RetryPolicy(sleep=lambda s: None))


def stream_of(*steps: Any, status: int = 200) -> dict[str, Any]:
    return {"POST /v1/chat/completions": lambda path, body: Reply(status, steps=list(steps))}


def test_sse_parser_joins_multiline_data_and_skips_comments() -> None:
    lines = [": keep-alive", "data: a", "data: b", "", "event: x", "data: c", ""]
    assert list(iter_sse(iter(lines))) == ["a\nb", "c"]


def test_role_only_chunk_does_not_start_ttft_and_usage_gives_tokens() -> None:
    routes = stream_of(sse(chunk(role="assistant")), Sleep(0.3), sse(chunk("print(")),
                       Sleep(0.05), sse(chunk("'hi')")), sse(chunk(finish="stop")),
                       sse(usage(5)), sse_done())
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
        body = server.requests[0][2]
    assert gen.error is None
    assert gen.text == "print('hi')"
    assert gen.ttft_s is not None and gen.ttft_s >= 0.3  # the role chunk came at once
    assert gen.total_s is not None and gen.total_s > gen.ttft_s
    assert gen.output_tokens == 5 and gen.prompt_tokens == 12
    # ttft_s and total_s are stored rounded to 0.1 ms; the rate comes from the unrounded clock.
    assert gen.tokens_per_s == pytest.approx(4 / (gen.total_s - gen.ttft_s), rel=0.01)
    assert gen.finish_reason == "stop"
    assert gen.server_tokens_per_s is None
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 64 and body["seed"] == 42 and body["temperature"] == 0.0


def test_llama_server_timings_are_kept_beside_client_figures() -> None:
    timings = {"prompt_n": 20, "prompt_ms": 100.0, "predicted_n": 3, "predicted_ms": 30.0,
               "predicted_per_second": 100.0, "cache_n": 0}
    last = chunk(finish="length") | {"timings": timings}
    routes = stream_of(sse(chunk("a")), sse(chunk("b")), sse(chunk("c")), sse(last), sse_done())
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    # No usage chunk: the count comes from the server's own timings, never from chunks.
    assert gen.output_tokens == 3
    assert gen.server_tokens_per_s == 100.0
    assert gen.server_timings["prompt_ms"] == 100.0
    assert gen.finish_reason == "length"


def test_reasoning_is_kept_apart_and_counts_for_ttft() -> None:
    routes = stream_of(sse(chunk(reasoning="let me think")), sse(chunk("x = 1")),
                       sse(usage(4)), sse_done())
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.text == "x = 1"
    assert gen.reasoning == "let me think"
    assert gen.ttft_s is not None


def test_think_tags_in_text_are_reported_as_reasoning() -> None:
    routes = stream_of(sse(chunk("<think>plan</think>")), sse(chunk("code")), sse_done())
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.reasoning == "plan"
    assert "code" in gen.text


def test_http_error_is_recorded_not_raised() -> None:
    routes = {"POST /v1/chat/completions": lambda p, b: Reply(
        500, {"Content-Type": "application/json"}, [b'{"error": {"message": "boom"}}'])}
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error == "HTTP 500: boom (after 3 attempts)"
    assert gen.attempts == 3
    assert gen.text == "" and gen.ttft_s is None and gen.tokens_per_s is None


def test_malformed_event_keeps_what_came_before() -> None:
    routes = stream_of(sse(chunk("import os")), b"data: {not json\n\n", sse_done())
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.text == "import os"
    assert gen.error is not None and gen.error.startswith("malformed stream event")


def test_connection_dropped_mid_stream_keeps_partial_text() -> None:
    routes = stream_of(sse(chunk("def f(")), DROP)
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.text == "def f("
    assert gen.error is not None


def test_when_every_retry_fails_the_attempt_that_got_furthest_is_kept() -> None:
    """The first attempt streams some code and drops; the retries are refused (a dead server)."""
    calls: list[int] = []

    def first_drops_then_500(path: str, body: dict[str, Any]) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            return Reply(steps=[sse(chunk("import sqlite3\n")), DROP])
        return Reply(503, {"Content-Type": "application/json"}, [b'{"error": "down"}'])

    with fake_server({"POST /v1/chat/completions": first_drops_then_500}) as server:
        gen = provider(server.url).stream(REQUEST)
    assert len(calls) == 3 and gen.attempts == 3
    assert gen.text == "import sqlite3\n"
    assert gen.error is not None and gen.error.endswith("(after 3 attempts)")


def test_stalled_stream_is_cut_off() -> None:
    routes = stream_of(sse(chunk("a")), Sleep(3.0), sse(chunk("b")), sse_done())
    with fake_server(routes) as server:
        gen = provider(server.url, idle=0.5).stream(REQUEST)
    assert gen.text == "a"
    assert gen.error == "stalled: no data for 0.5 s"


def test_connection_refused_is_one_clear_error() -> None:
    with fake_server({}) as server:
        url = server.url
    gen = provider(url).stream(REQUEST)
    assert gen.error is not None and gen.error.startswith("connection failed")
    assert url in gen.error


@pytest.mark.parametrize(("tokens", "ttft", "total", "expected"), [
    (101, 1.0, 3.0, 50.0), (1, 1.0, 2.0, None), (None, 1.0, 2.0, None), (10, 2.0, 2.0, None)])
def test_decode_rate(tokens: int | None, ttft: float, total: float, expected: float | None) -> None:
    assert decode_rate(tokens, ttft, total) == expected


def test_odd_but_valid_shapes_are_missing_fields_not_a_crash() -> None:
    """Content as a list of parts, a non-dict choice, counts as strings: read as absent."""
    routes = stream_of(
        sse({"choices": ["not a dict"]}),
        sse({"choices": [{"delta": {"content": [{"type": "text", "text": "x"}]}}]}),
        sse(chunk("y = 2")),
        sse({"choices": [], "usage": {"completion_tokens": "7"}, "timings": "n/a"}),
        sse_done())
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error is None
    assert gen.text == "y = 2"
    assert gen.output_tokens is None and gen.tokens_per_s is None  # never guessed from chunks


def test_one_client_per_provider_reused_until_closed() -> None:
    """The warm-up opens the connection pool every timed request then reuses (issue #19)."""
    routes = stream_of(sse(chunk("a")), sse(chunk(finish="stop")), sse_done())
    with fake_server(routes) as server:
        p = provider(server.url)
        p.stream(REQUEST)
        first = p.http
        assert p.stream(REQUEST).error is None and p.http is first
        p.close()
        assert first.is_closed
        assert p.stream(REQUEST).text == "a" and p.http is not first


def test_think_tags_in_the_text_time_the_answer_after_them() -> None:
    routes = stream_of(sse(chunk("<think>pl")), sse(chunk("an</think>\n")), Sleep(0.2),
                       sse(chunk("\nx = 1")), sse(chunk(finish="stop")), sse_done())
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.reasoning == "plan" and gen.ttft_reasoning_s == gen.ttft_s
    assert gen.ttft_answer_s is not None and gen.ttft_s is not None
    assert gen.ttft_answer_s >= gen.ttft_s + 0.2


@pytest.mark.parametrize(("raw", "expected"), [
    ("<think>a</think>\n\nb", 18), ("plan</think>code", 12), ("<think>still going", None),
    ("<THINKING>x</THINKING>  ", None), ("<think>a</think>b<think>c</think>d", 16), ("x<think>y</think>", 0)])
def test_answer_offset(raw: str, expected: int | None) -> None:
    assert answer_offset(raw) == expected
