"""Record streams from the real llama-server into tests/fixtures/streams (run by hand, once).

Starts llama-server (showdown's build, the bundled SmolLM2-135M) on 127.0.0.1, posts each
request below the way showdown does, and stores the body byte for byte (``iter_raw``: after
HTTP chunked framing, before anything else) with the boundaries and gaps the client saw, so
the replay server plays it back as it arrived. One request forces an answer holding U+2028,
U+2029 and U+0085 through a GBNF grammar, since the model would not write them on its own.

    .venv/bin/python tests/record_llama_streams.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from showdown.fetch import bundled_model_path, find_llama_server
from showdown.servers.llamacpp import ManagedServer, server_version

OUT = Path(__file__).resolve().parent / "fixtures" / "streams"
SEPARATORS = r'root ::= "```python\n# a\u2028b\u2029c\u0085d\nprint(\"ok\")\n```"'
REQUESTS: dict[str, dict[str, Any]] = {
    "llamaserver_plain": {"messages": [{"role": "user", "content": "Write hello world in Python."}],
                          "max_tokens": 48},
    "llamaserver_length": {"messages": [{"role": "user", "content": "Count from 1 to 100."}],
                           "max_tokens": 8},
    "llamaserver_separators": {"messages": [{"role": "user", "content": "Write a comment."}],
                               "max_tokens": 40, "grammar": SEPARATORS},
}


def record(url: str, body: dict[str, Any]) -> tuple[bytes, list[list[float]]]:
    chunks: list[list[float]] = []
    data = b""
    with httpx.Client(timeout=120) as client:
        client.get(f"{url}/health")  # connection up before the clock starts
        last = time.monotonic()
        with client.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
            assert response.status_code == 200, response.read()
            for piece in response.iter_raw():
                now = time.monotonic()
                chunks.append([len(piece), round(now - last, 4)])
                data += piece
                last = now
    return data, chunks


def main() -> None:
    binary = find_llama_server()  # never builds: the lead's build is the one to use
    if binary is None:
        raise SystemExit("no llama-server yet in ~/.cache/showdown (the build is not finished)")
    server = ManagedServer(binary, bundled_model_path(), 2048)
    server.start()
    try:
        for name, extra in REQUESTS.items():
            body = {"model": "m", "stream": True, "stream_options": {"include_usage": True},
                    "temperature": 0.0, "seed": 42, "cache_prompt": False, **extra}
            data, chunks = record(server.base_url, body)
            (OUT / f"{name}.sse").write_bytes(data)
            meta = {"body": f"{name}.sse", "backend": "openai", "content_type": "text/event-stream",
                    "source": {"recorded": "llama-server, showdown's build, with the bundled "
                               "SmolLM2-135M-Instruct (Q4_1), on 127.0.0.1 by "
                               "tests/record_llama_streams.py",
                               "server_version": server_version(binary),
                               "request": {k: v for k, v in body.items() if k != "model"}},
                    "chunks": chunks}
            (OUT / f"{name}.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
            print(f"{name}: {len(data)} bytes in {len(chunks)} reads")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
