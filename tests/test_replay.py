"""Every provider against streams nobody here wrote, replayed byte for byte (tests/replay.py).

Sources, per fixture, in ``tests/fixtures/streams/NAME.json``: the OpenAI and Anthropic SDKs'
recorded test streams, Ollama's and vLLM's documented shapes, streams composed for the cases
issue #14 found, and streams recorded from the real llama-server. Each test asserts the answer,
the reasoning, the token counts, the finish reason, the error and the clocks; clocks only
against the replay's own scripted pauses (a lower bound), never against wall-clock limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from replay import FIXTURES, Script, replay_server

from showdown.providers.anthropic import AnthropicProvider
from showdown.providers.base import ChatRequest
from showdown.providers.http import HTTPProvider, RetryPolicy
from showdown.providers.ollama import OllamaProvider
from showdown.providers.openai_compat import OpenAICompatProvider
from showdown.records import Generation, GenerationSettings

REQUEST = ChatRequest("Write hello world.", GenerationSettings(max_tokens=64, ctx=512))
NO_WAIT = RetryPolicy(sleep=lambda s: None)


def client(backend: str, url: str) -> HTTPProvider:
    if backend == "openai":
        return OpenAICompatProvider("r", "openai-compat:r#m", f"{url}/v1", "m", retry=NO_WAIT)
    if backend == "anthropic":
        return AnthropicProvider("r", "anthropic:m", "m", "key", base_url=url, retry=NO_WAIT)
    return OllamaProvider("r", "ollama:m", "m", url, retry=NO_WAIT)


@dataclass(frozen=True)
class Expect:
    """What a fixture must read as. ``first``/``last``: bytes of the first and last chunk
    carrying text, so TTFT and total can be held to the pauses scripted before them."""

    text: str
    tokens: int | None
    finish: str | None
    first: bytes | None
    last: bytes | None = None
    reasoning: str = ""
    prompt: int | None = None
    error: str | None = None  # a substring of the error; None: no error
    more: dict[str, Any] = field(default_factory=dict)


WEATHER = ("I'm unable to provide real-time weather updates. To get the current weather in San "
           "Francisco, I recommend checking a reliable weather website or a weather app.")

CASES: dict[str, Expect] = {
    "openai_sdk_plain": Expect(WEATHER, 30, "stop", b'"content":"I\'m"', b'"content":" app"',
                               prompt=14, more={"reasoning_tokens": 0, "refusal": ""}),
    "openai_sdk_length": Expect('{"', 1, "length", b'"content":"{\\""', prompt=79),
    "openai_sdk_refusal": Expect("", 11, "stop", b'"refusal":"I\'m"', b'"refusal":"."', prompt=79,
                                 more={"refusal": "I'm sorry, I can't assist with that request."}),
    "openai_hidden_reasoning": Expect("print('hi')", 2703, "stop", b'"content":"print"',
                                      b'"content":"\')"', prompt=14,
                                      more={"reasoning_tokens": 2700, "ttft_reasoning_s": None}),
    "openai_no_done": Expect("x = 1", 4, "stop", b'"content":"x = 1"', prompt=9),
    "openai_error_null": Expect("a = 1", None, "stop", b'"content":"a = "', b'"content":"1"'),
    "openai_raw_separators": Expect(
        "```python\n# a\u2028comment\u2029with\u0085odd line ends\nprint('известни')\n```", 20,
        "stop", b'"content":"```python', b'"content":"```"}', prompt=9),
    # Recorded from the real llama-server (tests/record_llama_streams.py).
    "llamaserver_plain": Expect(
        'Hello World in Python.\n\nThis is a Python function that prints "Hello World" to the '
        "console.", 23, "stop", b'"content":"Hello"', b'"content":" console"', prompt=36,
        more={"server_tokens_per_s": 2.8782}),
    "llamaserver_length": Expect("1. 1\n2. ", 8, "length", b'"content":"1"', b'"content":" "',
                                 prompt=40),
    "llamaserver_separators": Expect(
        '```python\n# a\u2028b\u2029c\x85d\nprint("ok")\n```', 28, "stop", b'"content":"```"',
        b'"content":"```"', prompt=34),
    "llamacpp_old_error_line": Expect("def f(", None, None, b'"content":"def f("',
                                      error="failed to decode the batch"),
    "vllm_reasoning_length": Expect("", 5, "length", b'"reasoning":"9.11"', b'"reasoning":" the"',
                                    reasoning="9.11 and 9.8: compare the", prompt=17,
                                    more={"ttft_answer_s": None}),
    "anthropic_sdk_basic": Expect("Hello there!", 6, "stop", b'"text":"Hello"', b'"text":"!"',
                                  prompt=11),
    "anthropic_sdk_usage_in_delta": Expect("Hello", 6, "stop", b'"text":"Hello"', prompt=12),
    "anthropic_sdk_delta_fields": Expect("Hello there!", 8, "stop", b'"text":"Hello there!"',
                                         prompt=40, more={"reasoning_tokens": 3}),
    "anthropic_sdk_refusal": Expect("", 0, "refusal", None, prompt=20, more={
        "refusal": "refused (stop_reason refusal): This request was refused due to policy."}),
    "ollama_docs_chat": Expect("The", 282, None, b'"content":"The"', prompt=26,
                               more={"server_tokens_per_s": round(282 / 4.535599, 4)}),
    "ollama_think_length": Expect("", 4, "length", b'"thinking":"Okay"', b'"thinking":" First"',
                                  reasoning="Okay, the user wants a todo app. First", prompt=30),
    "ollama_runner_crash": Expect("```python\nimport sqlite3\ndef add(", None, None,
                                  b'"content":"```python', b'"content":"def add("',
                                  error="while running the model"),
}


def check(gen: Generation, script: Script, expect: Expect) -> None:
    assert gen.text == expect.text
    assert gen.reasoning == expect.reasoning
    assert gen.output_tokens == expect.tokens
    assert gen.prompt_tokens == expect.prompt
    assert gen.finish_reason == expect.finish
    if expect.error is None:
        assert gen.error is None
    else:
        assert gen.error is not None and expect.error in gen.error
    for key, value in expect.more.items():
        assert getattr(gen, key) == value, key
    if expect.first is None:
        assert gen.ttft_s is None and gen.total_s is None
        return
    assert gen.ttft_s is not None and gen.total_s is not None
    assert gen.ttft_s >= script.pause_until(expect.first)
    assert gen.total_s >= script.pause_until(expect.last or expect.first, last=True)
    assert gen.total_s >= gen.ttft_s


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_reads_as_its_source_says(name: str) -> None:
    with replay_server(name) as (server, scripts):
        script = scripts[name]
        gen = client(script.meta["backend"], server.url).stream(REQUEST)
    check(gen, script, CASES[name])


def test_every_fixture_cites_its_source_and_has_a_test() -> None:
    for meta in FIXTURES.glob("*.json"):
        text = meta.read_text()
        assert '"source"' in text, meta.name
        assert ('"commit"' in text and '"path"' in text) or '"composed"' in text \
            or '"recorded"' in text, meta.name
        assert meta.stem in CASES or meta.stem.startswith("llamaserver_"), meta.name


def test_hidden_reasoning_is_not_divided_by_the_visible_window() -> None:
    """2700 hidden reasoning tokens and 3 visible ones: the visible rate counts only the 3."""
    with replay_server("openai_hidden_reasoning") as (server, _):
        gen = client("openai", server.url).stream(REQUEST)
    assert gen.ttft_s is not None and gen.total_s is not None and gen.tokens_per_s is not None
    assert gen.tokens_per_s == pytest.approx(2 / (gen.total_s - gen.ttft_s), rel=0.02)
    assert gen.total_tokens_per_s == pytest.approx(2703 / gen.total_s, rel=0.02)
    assert gen.ttft_answer_s == gen.ttft_s


def test_streamed_reasoning_times_both_firsts() -> None:
    with replay_server("vllm_reasoning_length") as (server, scripts):
        gen = client("openai", server.url).stream(REQUEST)
    assert gen.ttft_reasoning_s == gen.ttft_s
    assert gen.ttft_s is not None and gen.ttft_s >= scripts["vllm_reasoning_length"].pause_until(
        b'"reasoning":"9.11"')
