"""Hostile and broken streams: each gets a result or one clear error, never a traceback.

The streams are what a broken server, a proxy or a model could send: garbage, a huge single
event, chunks cut inside a character or a CRLF, empty or null choices, odd JSON, binary bytes.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpfake import Reply, fake_server

from showdown.providers.anthropic import AnthropicProvider
from showdown.providers.base import ChatRequest
from showdown.providers.http import HTTPProvider, RetryPolicy
from showdown.providers.ollama import OllamaProvider
from showdown.providers.openai_compat import OpenAICompatProvider
from showdown.records import Generation, GenerationSettings

REQUEST = ChatRequest("x", GenerationSettings(max_tokens=8, ctx=512))
ONE_TRY = RetryPolicy(attempts=1, sleep=lambda s: None)
BIG = "y" * 3_000_000
DONE = b"data: [DONE]\n\n"


def chunk(content: str) -> bytes:
    return b'data: {"choices":[{"delta":{"content":"' + content.encode() + b'"}}]}\n\n'


def run(backend: str, steps: list[Any], content_type: str = "text/event-stream") -> Generation:
    route = {"openai": "POST /v1/chat/completions", "anthropic": "POST /v1/messages",
             "ollama": "POST /api/chat"}[backend]
    with fake_server({route: lambda p, b: Reply(200, {"Content-Type": content_type}, steps)}) as s:
        provider: HTTPProvider
        if backend == "openai":
            provider = OpenAICompatProvider("a", "openai-compat:a#m", f"{s.url}/v1", "m", retry=ONE_TRY)
        elif backend == "anthropic":
            provider = AnthropicProvider("a", "anthropic:m", "m", "k", base_url=s.url, retry=ONE_TRY)
        else:
            provider = OllamaProvider("a", "ollama:m", "m", s.url, retry=ONE_TRY)
        return provider.stream(REQUEST)


def one_line(error: str | None) -> bool:
    return error is not None and "\n" not in error and len(error) < 400


OPENAI_CASES: dict[str, tuple[list[Any], str | None, str]] = {
    # name: (steps, expected text, expected error substring or "" for no error)
    "garbage line then text": ([b"\x00\xff garbage\n\n", chunk("a"), DONE], "a", ""),
    "garbage data": ([chunk("a"), b"data: \x00\xff{{{\n\n", DONE], "a", "malformed stream event"),
    "json array as data": ([b"data: [1, 2]\n\n", DONE], "", "malformed stream event"),
    "json string as data": ([b'data: "hi"\n\n', DONE], "", "malformed stream event"),
    "empty choices": ([b'data: {"choices":[]}\n\n', chunk("a"), DONE], "a", ""),
    "null choices and delta": ([b'data: {"choices":null}\n\n',
                                b'data: {"choices":[{"delta":null,"finish_reason":7}]}\n\n',
                                chunk("b"), DONE], "b", ""),
    "huge single event": ([chunk(BIG), DONE], BIG, ""),
    "split inside a 4-byte char and a CRLF": (
        [b'data: {"choices":[{"delta":{"content":"\xf0\x9f', b'\x98\x80"}}]}\r',
         b"\n\r", b"\n", DONE], "\U0001f600", ""),
    "only comments": ([b": ping\n\n" * 5], "", "without [DONE]"),
    "error event with text data": ([chunk("a"), b"event: error\ndata: upstream exploded\n\n", DONE],
                                   "a", "upstream exploded"),
    "error object with a string": ([b'data: {"error":"bad things"}\n\n'], "", "bad things"),
    "error: line without json": ([b"error: oops\n\n", DONE], "", "oops"),
    "empty body": ([], "", "without [DONE]"),
    "content is a number": ([b'data: {"choices":[{"delta":{"content":5}}]}\n\n', DONE], "", ""),
    "refusal and content both": ([b'data: {"choices":[{"delta":{"content":"x","refusal":"no"}}]}\n\n',
                                  DONE], "x", ""),
}


@pytest.mark.parametrize("name", sorted(OPENAI_CASES))
def test_openai_compat_odd_streams(name: str) -> None:
    steps, text, error = OPENAI_CASES[name]
    gen = run("openai", steps)
    assert gen.text == text
    if error:
        assert one_line(gen.error) and error in (gen.error or "")
    else:
        assert gen.error is None


def test_ollama_odd_lines() -> None:
    nd = "application/x-ndjson"
    ok = b'{"message":{"content":"z\xe2\x80\xa8"},"done":false}\n{"done":true,"eval_count":"x"}\n'
    assert run("ollama", [ok], nd).text == "z\u2028"
    gen = run("ollama", [b'{"message":{"content":"a"},"error":null}\n', b'[1]\n'], nd)
    assert gen.text == "a" and one_line(gen.error) and "malformed stream line" in (gen.error or "")
    gen = run("ollama", [b'{"message":{"content":"' + BIG.encode() + b'"},"done":true}\n'], nd)
    assert gen.text == BIG and gen.error is None
    gen = run("ollama", [b'{"message":"str","done":false}\n', b"\n\n\n"], nd)
    assert gen.text == "" and one_line(gen.error)


def test_anthropic_odd_events() -> None:
    start = b'event: message_start\ndata: {"type":"message_start","message":{"usage":"x"}}\n\n'
    weird = (b'data: {"type":"content_block_delta","delta":{"type":"text_delta","text":["no"]}}\n\n'
             b'data: {"type":"mystery"}\n\n'
             b'data: {"type":"content_block_delta","delta":{"type":"text_delta","text":"ok"}}\n\n'
             b'data: {"type":"message_delta","delta":null,"usage":{"output_tokens":"9"}}\n\n'
             b'data: {"type":"message_stop"}\n\n')
    gen = run("anthropic", [start, weird])
    assert gen.text == "ok" and gen.error is None and gen.output_tokens is None
    gen = run("anthropic", [start, b"data: {oops\n\n"])
    assert one_line(gen.error)
