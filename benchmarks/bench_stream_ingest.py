"""How fast the streaming client ingests SSE chunks, beside a plain httpx and an aiohttp loop.

A local server (its own process, on another core when there is one) answers each request with
N OpenAI-style ``data: {chunk}`` events written as fast as the socket takes them. The client
side runs pinned to one core and reads them three ways, each run in the same process, and the
best of ``--repeat`` runs is kept:

- showdown: ``OpenAICompatProvider.stream`` — the CR/LF line splitter over ``iter_bytes``,
  SSE events, JSON decode, the clock and the record;
- httpx: ``iter_lines`` and ``json.loads`` of each ``data:`` line (no clock, no record);
- aiohttp: ``async for line in response.content`` and ``json.loads`` of each ``data:`` line.

    python benchmarks/bench_stream_ingest.py [--chunks 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import multiprocessing.connection
import os
import socket
import time
from collections.abc import Callable

import aiohttp
import httpx

from showdown.providers.base import ChatRequest
from showdown.providers.openai_compat import OpenAICompatProvider
from showdown.records import GenerationSettings

CHUNK = b'data: {"choices":[{"index":0,"delta":{"content":"tok "},"finish_reason":null}]}\n\n'
#: Cleanups for clients that must be closed on their own event loop.
CLOSERS: list[Callable[[], object]] = []
TAIL = (b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
        b'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":%d}}\n\n'
        b"data: [DONE]\n\n")


def serve(port_out: multiprocessing.connection.Connection, chunks: int, core: int | None) -> None:
    """Answer every request with ``chunks`` events, written in large blocks, then close."""
    if core is not None:
        os.sched_setaffinity(0, {core})
    body = CHUNK * chunks + TAIL % chunks
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    listener = socket.create_server(("127.0.0.1", 0))
    port_out.send(listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(65536)
            length = _content_length(request)
            rest = request.split(b"\r\n\r\n", 1)[1]
            while len(rest) < length:
                rest += conn.recv(65536)
            conn.sendall(head + body)


def _content_length(request: bytes) -> int:
    for line in request.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def showdown_client(url: str) -> Callable[[int], int]:
    provider = OpenAICompatProvider("bench", "openai-compat:bench#m", url, "m")

    def read(chunks: int) -> int:
        gen = provider.stream(ChatRequest("x", GenerationSettings(max_tokens=chunks)))
        assert gen.error is None and gen.output_tokens == chunks, gen.error
        return len(gen.text) // 4
    return read


def httpx_client(url: str) -> Callable[[int], int]:
    client = httpx.Client()

    def read(chunks: int) -> int:
        seen = 0
        with client.stream("POST", f"{url}/chat/completions", json={"stream": True}) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    event = json.loads(line[6:])
                    seen += bool(event["choices"] and event["choices"][0]["delta"].get("content"))
        return seen
    return read


def aiohttp_client(url: str) -> Callable[[int], int]:
    loop = asyncio.new_event_loop()
    session = loop.run_until_complete(_session())

    async def read_async() -> int:
        seen = 0
        async with session.post(f"{url}/chat/completions", json={"stream": True}) as response:
            async for raw in response.content:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("data: ") and line != "data: [DONE]":
                    event = json.loads(line[6:])
                    seen += bool(event["choices"] and event["choices"][0]["delta"].get("content"))
        return seen
    CLOSERS.append(lambda: loop.run_until_complete(session.close()))
    return lambda chunks: loop.run_until_complete(read_async())


async def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


def best_rate(name: str, read: Callable[[int], int], chunks: int, repeat: int) -> float:
    """Chunks per second of the fastest of ``repeat`` runs, after one untimed warm-up run
    (clients are built once, as showdown builds one per model)."""
    read(chunks)
    best = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        seen = read(chunks)
        elapsed = time.perf_counter() - started
        assert seen == chunks, f"{name} saw {seen} of {chunks} chunks"
        best = max(best, chunks / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    client_core, server_core = cores[0], (cores[1] if len(cores) > 1 else None)
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send, args.chunks, server_core),
                                     daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{receive.recv()}/v1"
        os.sched_setaffinity(0, {client_core})
        rates = {name: best_rate(name, make(url), args.chunks, args.repeat) for name, make in (
            ("showdown", showdown_client), ("httpx iter_lines", httpx_client),
            ("aiohttp", aiohttp_client))}
    finally:
        for close in CLOSERS:
            close()
        server.terminate()
    print(f"{args.chunks} chunks per request, best of {args.repeat} after a warm-up, "
          f"client on core {client_core}")
    for name, rate in rates.items():
        print(f"{name:>18}: {rate:>10,.0f} chunks/s")
    mine = rates["showdown"]
    print(f"ratio showdown / httpx iter_lines: {mine / rates['httpx iter_lines']:.2f}")
    print(f"ratio showdown / aiohttp:          {mine / rates['aiohttp']:.2f}")


if __name__ == "__main__":
    main()
