"""One replay server for every provider test: recorded streams served byte for byte.

Each fixture in ``tests/fixtures/streams`` is a body file (``NAME.sse`` or ``NAME.ndjson``)
plus ``NAME.json``: where the bytes come from (repository, commit, path — or how they were
recorded), and how to serve them. The body is cut into chunks — at each event (SSE: after a
blank line, NDJSON: after a line), in fixed-size slices (``"split": N`` bytes, which cuts
through multi-byte characters and CRLFs), or at the boundaries the recording saw
(``"chunks": [[bytes, pause_s], ...]``, pauses scaled by ``"time_scale"`` so a recording made
on a slow machine replays in well under a second) — and each chunk is written after its pause, so a
client's clock sees what it would have seen. Tests then assert TTFT against the scripted
pauses (``pause_until``), never against wall-clock thresholds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from httpfake import FakeServer, Reply, Sleep, fake_server

__all__ = ["FIXTURES", "Script", "load", "replay_server"]

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "streams"
#: Where each backend's client posts its streamed request.
ROUTES = {"openai": "POST /v1/chat/completions", "anthropic": "POST /v1/messages",
          "ollama": "POST /api/chat"}


@dataclass
class Script:
    """A fixture as the server will play it: (pause before, bytes) per chunk."""

    name: str
    meta: dict[str, Any]
    body: bytes
    chunks: list[tuple[float, bytes]] = field(default_factory=list)

    @property
    def total_pause(self) -> float:
        return sum(pause for pause, _ in self.chunks)

    def pause_until(self, marker: bytes, last: bool = False) -> float:
        """The pauses up to and including the chunk in which ``marker`` (its first occurrence,
        or its last with ``last``) is complete."""
        end = (self.body.rindex(marker) if last else self.body.index(marker)) + len(marker)
        waited, sent = 0.0, 0
        for pause, data in self.chunks:
            waited += pause
            sent += len(data)
            if sent >= end:
                return waited
        raise AssertionError(f"{marker!r} is not in {self.name}")  # pragma: no cover

    def reply(self) -> Reply:
        steps: list[Any] = []
        for pause, data in self.chunks:
            if pause:
                steps.append(Sleep(pause))
            steps.append(data)
        content_type = self.meta.get("content_type", "text/event-stream")
        return Reply(int(self.meta.get("status", 200)), {"Content-Type": content_type}, steps)


def load(name: str) -> Script:
    """A fixture and its serving plan."""
    meta = json.loads((FIXTURES / f"{name}.json").read_text())
    body = (FIXTURES / meta["body"]).read_bytes()
    script = Script(name, meta, body)
    script.chunks = _plan(body, meta)
    assert b"".join(data for _, data in script.chunks) == body  # byte for byte, always
    return script


def _plan(body: bytes, meta: dict[str, Any]) -> list[tuple[float, bytes]]:
    if "chunks" in meta:  # boundaries and pauses as recorded, pauses scaled by time_scale
        out, at = [], 0
        scale = float(meta.get("time_scale", 1.0))
        for size, pause in meta["chunks"]:
            out.append((float(pause) * scale, body[at:at + size]))
            at += size
        return out
    pause = float(meta.get("pause_s", 0.0))
    extra: dict[str, float] = meta.get("pauses", {})
    if isinstance(meta.get("split"), int):
        size = meta["split"]
        pieces = [body[i:i + size] for i in range(0, len(body), size)]
    else:
        sep = b"\n" if meta.get("content_type") == "application/x-ndjson" else b"\n\n"
        pieces = _cut(body, sep)
    out = []
    for piece in pieces:
        wait = pause + sum(v for k, v in extra.items() if k.encode() in piece)
        out.append((wait, piece))
    return out


def _cut(body: bytes, sep: bytes) -> list[bytes]:
    """``body`` cut after each ``sep`` (kept), the rest as a last piece."""
    pieces, at = [], 0
    while (found := body.find(sep, at)) != -1:
        pieces.append(body[at:found + len(sep)])
        at = found + len(sep)
    if at < len(body):
        pieces.append(body[at:])
    return pieces


@contextmanager
def replay_server(*names: str) -> Iterator[tuple[FakeServer, dict[str, Script]]]:
    """Serve fixtures on 127.0.0.1: each backend's route plays its fixtures in turn."""
    scripts = {n: load(n) for n in names}
    queues: dict[str, list[Script]] = {}
    for script in scripts.values():
        queues.setdefault(ROUTES[script.meta["backend"]], []).append(script)

    def handler_for(route: str) -> Any:
        def handler(path: str, body: dict[str, Any]) -> Reply:
            queue = queues[route]
            return (queue.pop(0) if len(queue) > 1 else queue[0]).reply()
        return handler

    with fake_server({route: handler_for(route) for route in queues}) as server:
        yield server, scripts
