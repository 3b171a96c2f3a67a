"""The Ollama provider against a local server speaking Ollama's documented API.

Wire format: Ollama's docs/api.md (https://github.com/ollama/ollama/blob/main/docs/api.md):
"Generate a chat completion" (NDJSON stream, final object with ``done``, ``done_reason`` and
durations in nanoseconds), "Load a model" / "Unload a model" (``/api/chat`` with no messages,
``keep_alive: 0`` to unload), "List Running Models" (``/api/ps`` with ``size_vram``), "Show Model
Information"; errors are ``{"error": "..."}`` with an HTTP status.
"""

from __future__ import annotations

from typing import Any

import pytest
from fakes import FakeModel, OllamaFake, ollama_stream
from httpfake import DROP, Reply, Sleep, fake_server, in_turn, json_reply, ndjson

from showdown.providers.base import ChatRequest, ProviderError
from showdown.providers.http import RetryPolicy
from showdown.providers.ollama import OllamaOptions, OllamaProvider, full_name, ollama_base_url, placement
from showdown.records import GenerationSettings

SETTINGS = GenerationSettings(max_tokens=256, ctx=16384, temperature=0.0, seed=7)
REQUEST = ChatRequest("Write hello world.", SETTINGS)
NDJSON = {"Content-Type": "application/x-ndjson"}


def provider(url: str, model: str = "gemma3", waits: list[float] | None = None,
             idle: float = 30.0) -> OllamaProvider:
    sleep = waits.append if waits is not None else (lambda s: None)
    provider = OllamaProvider("Gemma", f"ollama:{model}", model,
                              OllamaOptions(base_url=url, idle_timeout_s=idle))
    provider.retry = RetryPolicy(sleep=sleep)
    return provider


def test_open_unloads_everything_then_preloads_and_records_the_order() -> None:
    fake = OllamaFake({"gemma3:latest": FakeModel(), "qwen3:8b": FakeModel(family="qwen3")},
                      loaded=["qwen3:8b"])
    with fake.serve() as server:
        p = provider(server.url)
        settings = p.open(SETTINGS)
        assert fake.loaded == ["gemma3:latest"]
        p.close()
    assert fake.log == [("unload", "qwen3:8b"), ("load", "gemma3:latest"),
                        ("unload", "gemma3:latest")]
    assert [(e["action"], e["model"]) for e in p.info["model_management"]] == [
        ("unload", "qwen3:8b"), ("preload", "gemma3")]
    assert all(e["at"] and e["seconds"] >= 0 for e in p.info["model_management"])
    assert p.load_s is not None and p.load_s >= 0
    assert settings.ctx == 8192  # capped to the trained context, as for llama.cpp
    assert p.info["placement"] == "vram" and p.info["quantization"] == "Q4_K_M"
    assert p.info["ctx_train"] == 8192 and p.info["requested_ctx"] == 16384
    assert not fake.loaded


def test_a_model_already_loaded_is_reloaded_so_its_load_is_timed_from_cold() -> None:
    fake = OllamaFake({"gemma3:latest": FakeModel()}, loaded=["gemma3:latest"])
    with fake.serve() as server:
        provider(server.url).open(SETTINGS)
    assert fake.log == [("unload", "gemma3:latest"), ("load", "gemma3:latest")]


def test_partial_offload_is_recorded_from_api_ps() -> None:
    fake = OllamaFake({"big:70b": FakeModel(size=40_000_000_000, size_vram=20_000_000_000)})
    with fake.serve() as server:
        p = provider(server.url, "big:70b")
        p.open(SETTINGS)
    assert p.info["placement"] == "partial"
    assert (p.info["size"], p.info["size_vram"]) == (40_000_000_000, 20_000_000_000)


@pytest.mark.parametrize(("size", "vram", "expected"), [
    (100, 100, "vram"), (100, 120, "vram"), (100, 40, "partial"), (100, 0, "cpu"),
    (None, 0, "unknown"), (0, 0, "unknown")])
def test_placement(size: Any, vram: Any, expected: str) -> None:
    assert placement(size, vram) == expected


def test_stream_sends_the_fair_settings_as_options_and_keeps_ollamas_figures() -> None:
    fake = OllamaFake({"gemma3:latest": FakeModel()},
                      chat=lambda body: [Sleep(0.2), *ollama_stream(
                          ["def f():\n", "    return 1\n"], thinking=["plan it"], eval_count=40)])
    with fake.serve() as server:
        p = provider(server.url)
        settings = p.open(SETTINGS)
        gen = p.stream(ChatRequest("Write f.", settings))
        body = server.requests[-1][2]
    assert body["options"] == {"num_ctx": 8192, "num_predict": 256, "temperature": 0.0, "seed": 7}
    assert body["stream"] is True and body["keep_alive"] == "30m"
    assert body["messages"] == [{"role": "user", "content": "Write f."}]
    assert gen.error is None and gen.attempts == 1
    assert gen.text == "def f():\n    return 1\n"
    assert gen.reasoning == "plan it"
    assert gen.ttft_s is not None and gen.ttft_s >= 0.19  # the pause came before any token
    assert gen.output_tokens == 40 and gen.prompt_tokens == 26
    assert gen.server_tokens_per_s == 20.0  # 40 tokens / 2.0 s of eval_duration
    assert gen.server_timings["eval_duration"] == 2_000_000_000
    assert gen.server_timings["load_duration"] == 1_000_000
    assert gen.finish_reason == "stop"
    assert gen.load_s == p.load_s


def test_preload_sends_the_same_num_ctx_as_the_chats_so_ollama_does_not_reload() -> None:
    fake = OllamaFake({"gemma3:latest": FakeModel()})
    with fake.serve() as server:
        p = provider(server.url)
        p.open(SETTINGS)
        p.stream(REQUEST)
        preload, chat = (b for m, path, b in server.requests if path == "/api/chat")
    assert preload["messages"] == [] and preload["options"]["num_ctx"] == 8192
    assert chat["options"]["num_ctx"] == 8192


def test_length_limit_is_the_finish_reason() -> None:
    fake = OllamaFake({"gemma3:latest": FakeModel()},
                      chat=lambda body: ollama_stream(["x"], done_reason="length"))
    with fake.serve() as server:
        p = provider(server.url)
        p.open(SETTINGS)
        assert p.stream(REQUEST).finish_reason == "length"


def test_unknown_model_is_one_clear_line_and_nothing_is_unloaded() -> None:
    fake = OllamaFake({"gemma3:latest": FakeModel()}, loaded=["gemma3:latest"])
    with fake.serve() as server, pytest.raises(ProviderError) as caught:
        provider(server.url, "nosuch").open(SETTINGS)
    message = str(caught.value)
    assert message == (f"ollama:nosuch: Ollama at {server.url} has no model 'nosuch' "
                       "(run `ollama pull nosuch` first)")
    assert "\n" not in message
    assert fake.log == []


def test_dead_server_is_one_clear_line() -> None:
    with fake_server({}) as server:
        url = server.url
    with pytest.raises(ProviderError) as caught:
        provider(url).open(SETTINGS)
    assert str(caught.value).startswith(f"ollama:gemma3: cannot reach Ollama at {url} (")
    assert str(caught.value).endswith("is `ollama serve` running? Set OLLAMA_HOST or base_url")
    assert "\n" not in str(caught.value)


def chat_routes(*replies: Reply) -> dict[str, Any]:
    return {"POST /api/chat": in_turn(*replies)}


def test_500_then_success_is_retried_and_the_record_is_the_successful_attempt() -> None:
    waits: list[float] = []
    routes = chat_routes(json_reply({"error": "llama runner process has terminated"}, 500),
                         Reply(200, NDJSON, ollama_stream(["ok"])))
    with fake_server(routes) as server:
        gen = provider(server.url, waits=waits).stream(REQUEST)
    assert gen.error is None and gen.text == "ok" and gen.attempts == 2
    assert waits == [1.0]


def test_429_retry_after_is_honoured() -> None:
    waits: list[float] = []
    routes = chat_routes(json_reply({"error": "busy"}, 429, {"Retry-After": "3"}),
                         Reply(200, NDJSON, ollama_stream(["ok"])))
    with fake_server(routes) as server:
        gen = provider(server.url, waits=waits).stream(REQUEST)
    assert gen.attempts == 2 and waits == [3.0]


def test_401_is_not_retried() -> None:
    routes = chat_routes(json_reply({"error": "unauthorized"}, 401))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error == "HTTP 401: unauthorized" and gen.attempts == 1


def test_connection_dropped_mid_stream_is_retried_then_recorded() -> None:
    routes = chat_routes(Reply(200, NDJSON, [ndjson({"message": {"content": "def f("},
                                                     "done": False}), DROP]))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.text == "def f(" and gen.attempts == 3
    assert gen.error is not None and gen.error.endswith("(after 3 attempts)")
    assert "closed the connection" in gen.error


def test_error_object_in_the_stream_is_recorded() -> None:
    routes = chat_routes(Reply(200, NDJSON, [ndjson({"message": {"content": "a"}, "done": False}),
                                             ndjson({"error": "out of memory"})]))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.text == "a" and gen.error == "Ollama error in stream: out of memory"


def test_stalled_stream_is_cut_off_and_not_retried() -> None:
    routes = chat_routes(Reply(200, NDJSON, [ndjson({"message": {"content": "a"}, "done": False}),
                                             Sleep(3.0), *ollama_stream(["b"])]))
    with fake_server(routes) as server:
        gen = provider(server.url, idle=0.5).stream(REQUEST)
    assert gen.text == "a" and gen.error == "stalled: no data for 0.5 s" and gen.attempts == 1


@pytest.mark.parametrize(("option", "env", "expected"), [
    (None, None, "http://127.0.0.1:11434"),
    (None, "0.0.0.0", "http://127.0.0.1:11434"),
    (None, "gpu-box:8080", "http://gpu-box:8080"),
    (None, "https://ollama.example.com", "https://ollama.example.com"),
    (None, "http://0.0.0.0:9999", "http://127.0.0.1:9999"),
    ("http://10.0.0.2:11434/", "ignored:1", "http://10.0.0.2:11434"),
])
def test_base_url_from_option_then_ollama_host(option: str | None, env: str | None,
                                               expected: str) -> None:
    assert ollama_base_url(option, {"OLLAMA_HOST": env} if env else {}) == expected


def test_full_name_adds_latest_only_without_a_tag() -> None:
    assert full_name("gemma3") == "gemma3:latest"
    assert full_name("gemma3:27b") == "gemma3:27b"
    assert full_name("me/model") == "me/model:latest"


def test_odd_but_valid_json_shapes_do_not_crash_the_run() -> None:
    routes = chat_routes(Reply(200, NDJSON, [ndjson({"message": "odd", "done": False}),
                                             ndjson({"message": {"content": None}, "done": False}),
                                             ndjson({"message": {"content": "ok"}, "done": False}),
                                             ndjson({"done": True, "eval_count": "many"})]))
    with fake_server(routes) as server:
        gen = provider(server.url).stream(REQUEST)
    assert gen.error is None and gen.text == "ok" and gen.output_tokens is None
