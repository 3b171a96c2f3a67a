"""``openai:MODEL``: OpenAI's own API through the OpenAI-compatible client, key from the env.

Wire format: OpenAI's chat-completions streaming reference
(https://platform.openai.com/docs/api-reference/chat-streaming) and its error codes guide
(https://platform.openai.com/docs/guides/error-codes): errors are
``{"error": {"message", "type", "param", "code"}}``; 401 ``invalid_api_key`` echoes a masked
key, 404 ``model_not_found``, 429 with ``retry-after``, 500/503 server errors.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from httpfake import DROP, Reply, fake_server, in_turn, json_reply, sse, sse_done

from showdown.providers import Provider, ProviderError, make_provider, parse_spec
from showdown.providers.base import ChatRequest
from showdown.providers.http import RetryPolicy
from showdown.providers.openai_compat import OpenAICompatProvider
from showdown.providers.registry import reasoning_model
from showdown.records import GenerationSettings, to_dict

KEY = "sk-proj-test-abcdefghijklmnop"
REQUEST = ChatRequest("Write hello world.", GenerationSettings(max_tokens=300))


def chunk(content: str) -> dict[str, Any]:
    return {"object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]}


def answer(*pieces: str) -> Reply:
    usage = {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": len(pieces)}}
    return Reply(200, steps=[*(sse(chunk(p)) for p in pieces), sse(usage), sse_done()])


def api_error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> Reply:
    return json_reply({"error": {"message": message, "type": "invalid_request_error",
                                 "param": None, "code": code}}, status, headers)


def openai(url: str, monkeypatch: pytest.MonkeyPatch, waits: list[float] | None = None) -> Provider:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{url}/v1")
    provider = make_provider(parse_spec("openai:gpt-test"))
    assert isinstance(provider, OpenAICompatProvider)
    provider.retry = RetryPolicy(sleep=waits.append if waits is not None else lambda s: None)
    return provider


def routes(*replies: Reply) -> dict[str, Any]:
    return {"POST /v1/chat/completions": in_turn(*replies)}


def test_key_goes_in_the_bearer_header_and_max_completion_tokens_is_sent(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_server(routes(answer("print(", "1)"))) as server:
        provider = openai(server.url, monkeypatch)
        gen = provider.stream(REQUEST)
        body = server.requests[0][2]
    headers = {k.lower(): v for k, v in body["_headers"].items()}
    assert headers["authorization"] == f"Bearer {KEY}"
    assert body["max_completion_tokens"] == 300 and "max_tokens" not in body
    assert body["model"] == "gpt-test" and body["seed"] == 42
    assert gen.text == "print(1)" and gen.output_tokens == 2 and gen.error is None
    assert provider.name == "gpt-test" and provider.info["placement"] == "cloud"
    assert KEY not in json.dumps(provider.info)


def test_missing_key_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ProviderError) as caught:
        make_provider(parse_spec("openai:gpt-test"))
    assert str(caught.value) == ("openai:gpt-test: set OPENAI_API_KEY in the environment "
                                 "(API keys are read from the environment only)")


def test_default_base_url_is_openais(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    provider = make_provider(parse_spec("openai:gpt-test"))
    assert isinstance(provider, OpenAICompatProvider)
    assert provider.base_url == "https://api.openai.com/v1"


def test_api_key_env_option_names_another_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("MY_GATEWAY_KEY", KEY)
    provider = make_provider(parse_spec("openai:gpt-test", {"api_key_env": "MY_GATEWAY_KEY"}))
    assert isinstance(provider, OpenAICompatProvider)
    with pytest.raises(ProviderError, match="set OTHER_KEY"):
        make_provider(parse_spec("openai:gpt-test", {"api_key_env": "OTHER_KEY"}))


def test_401_echoing_the_key_never_leaks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    reply = api_error(401, f"Incorrect API key provided: {KEY}. You can find your API key at "
                      "https://platform.openai.com/account/api-keys.", "invalid_api_key")
    with fake_server(routes(reply)) as server:
        gen = openai(server.url, monkeypatch).stream(REQUEST)
    assert gen.error is not None and gen.error.startswith("HTTP 401: Incorrect API key provided: ***")
    assert gen.attempts == 1
    assert KEY not in json.dumps(to_dict(gen))


def test_404_model_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    reply = api_error(404, "The model `gpt-test` does not exist or you do not have access to it.",
                      "model_not_found")
    with fake_server(routes(reply)) as server:
        gen = openai(server.url, monkeypatch).stream(REQUEST)
    assert gen.error is not None
    assert gen.error.startswith("HTTP 404: The model `gpt-test` does not exist")
    assert "check the model name and the base URL" in gen.error and gen.attempts == 1


def test_429_then_success_honours_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    first = api_error(429, "Rate limit reached", "rate_limit_exceeded", {"retry-after": "2"})
    with fake_server(routes(first, answer("ok"))) as server:
        gen = openai(server.url, monkeypatch, waits).stream(REQUEST)
    assert gen.text == "ok" and gen.attempts == 2 and waits == [2.0] and gen.error is None


def test_503_then_drop_then_success_keeps_only_the_last_attempt(
        monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    dropped = Reply(200, steps=[sse(chunk("partial")), DROP])
    replies = (api_error(503, "overloaded", "server_error"), dropped, answer("whole"))
    with fake_server(routes(*replies)) as server:
        gen = openai(server.url, monkeypatch, waits).stream(REQUEST)
    assert gen.text == "whole" and gen.attempts == 3 and waits == [1.0, 2.0]


@pytest.mark.parametrize(("model", "reasoning"), [
    ("o1", True), ("o3-mini", True), ("o4-mini-2025-04-16", True), ("gpt-5", True),
    ("gpt-5.1", True), ("gpt-5-mini", True), ("gpt-5-chat-latest", False), ("gpt-4o", False),
    ("gpt-4.1-mini", False), ("omni-moderation-latest", False), ("gpt-50", False)])
def test_reasoning_model_rule(model: str, reasoning: bool) -> None:
    assert reasoning_model(model) is reasoning


def test_reasoning_models_are_not_sent_temperature_and_the_record_says_why(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with fake_server(routes(answer("ok"))) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        provider = make_provider(parse_spec("openai:o3-mini"))
        gen = provider.stream(REQUEST)
        body = server.requests[0][2]
    assert gen.error is None and "temperature" not in body and body["seed"] == 42
    assert "reasoning models" in provider.info["not_sent"]["temperature"]


def test_a_400_naming_temperature_is_answered_by_one_try_without_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A model the name rule misses: OpenAI's own 400 (error-codes guide, unsupported_value)."""
    refused = api_error(400, "Unsupported value: 'temperature' does not support 0 with this model. "
                        "Only the default (1) value is supported.", "unsupported_value")
    with fake_server(routes(refused, answer("ok"))) as server:
        provider = openai(server.url, monkeypatch)
        gen = provider.stream(REQUEST)
        later = provider.stream(REQUEST)
        bodies = [b for _, _, b in server.requests]
    assert gen.error is None and gen.text == "ok" and later.error is None
    assert [("temperature" in b) for b in bodies] == [True, False, False]
    assert provider.info["not_sent"]["temperature"].startswith(
        "the model refused it (HTTP 400: Unsupported value: 'temperature'")


def test_other_400s_are_not_retried_and_nothing_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = api_error(400, "Invalid 'messages': empty array.", "invalid_value")
    with fake_server(routes(refused)) as server:
        provider = openai(server.url, monkeypatch)
        gen = provider.stream(REQUEST)
    assert gen.error is not None and gen.error.startswith("HTTP 400") and len(server.requests) == 1
    assert set(provider.info["not_sent"]) == {"ctx"}


def test_extra_body_replacing_a_fair_setting_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with fake_server(routes(answer("ok"))) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        provider = make_provider(parse_spec("openai:gpt-test", {"extra_body": {"temperature": 1}}))
        provider.stream(REQUEST)
        body = server.requests[0][2]
    assert body["temperature"] == 1
    assert provider.info["not_sent"]["temperature"] == "extra_body sent 1 instead of 0.0"
