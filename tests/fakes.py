"""Local stand-ins for Ollama and the Anthropic API that speak their documented wire formats.

Ollama follows its docs/api.md (github.com/ollama/ollama/blob/main/docs/api.md): ``/api/chat``
streams NDJSON and loads (no messages) or unloads (no messages, ``keep_alive: 0``) a model;
``/api/ps`` lists loaded models with ``size`` and ``size_vram``; ``/api/tags`` lists installed
ones; ``/api/show`` describes one; errors are ``{"error": "..."}`` with a status (404 for an
unknown model). Anthropic follows the Messages streaming reference
(docs.anthropic.com/en/docs/build-with-claude/streaming): named SSE events from
``message_start`` to ``message_stop``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from httpfake import FakeServer, Reply, fake_server, json_reply, ndjson, sse_event

__all__ = ["FakeModel", "OllamaFake", "anthropic_stream", "ollama_stream"]

NDJSON = {"Content-Type": "application/x-ndjson"}


@dataclass
class FakeModel:
    """An installed Ollama model: how big it is and how much of it the fake puts in VRAM."""

    size: int = 4_000_000_000
    size_vram: int = 4_000_000_000
    ctx: int = 8192
    family: str = "gemma3"
    quantization: str = "Q4_K_M"


def ollama_stream(pieces: list[str], thinking: list[str] | None = None, eval_count: int = 40,
                  done_reason: str = "stop") -> list[Any]:
    """The NDJSON lines of one streamed chat answer, final figures included (nanoseconds)."""
    lines = [ndjson({"message": {"role": "assistant", "content": "", "thinking": t},
                     "done": False}) for t in thinking or []]
    lines += [ndjson({"message": {"role": "assistant", "content": p}, "done": False})
              for p in pieces]
    lines.append(ndjson({"message": {"role": "assistant", "content": ""}, "done": True,
                         "done_reason": done_reason, "total_duration": 2_500_000_000,
                         "load_duration": 1_000_000, "prompt_eval_count": 26,
                         "prompt_eval_duration": 130_000_000, "eval_count": eval_count,
                         "eval_duration": 2_000_000_000}))
    return lines


def anthropic_stream(pieces: list[str], thinking: list[str] | None = None,
                     output_tokens: int = 30, stop_reason: str = "end_turn") -> list[Any]:
    """The SSE events of one streamed Messages answer, thinking block first when given."""
    events = [sse_event("message_start", {"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "content": [],
        "model": "claude-test", "stop_reason": None,
        "usage": {"input_tokens": 25, "output_tokens": 1}}})]
    index = 0
    if thinking:
        events.append(sse_event("content_block_start", {
            "type": "content_block_start", "index": 0,
            "content_block": {"type": "thinking", "thinking": ""}}))
        events += [sse_event("content_block_delta", {
            "type": "content_block_delta", "index": 0,
            "delta": {"type": "thinking_delta", "thinking": t}}) for t in thinking]
        events.append(sse_event("content_block_stop", {"type": "content_block_stop", "index": 0}))
        index = 1
    events.append(sse_event("content_block_start", {
        "type": "content_block_start", "index": index,
        "content_block": {"type": "text", "text": ""}}))
    events.append(sse_event("ping", {"type": "ping"}))
    events += [sse_event("content_block_delta", {
        "type": "content_block_delta", "index": index,
        "delta": {"type": "text_delta", "text": p}}) for p in pieces]
    events.append(sse_event("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(sse_event("message_delta", {
        "type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        "usage": {"output_tokens": output_tokens}}))
    events.append(sse_event("message_stop", {"type": "message_stop"}))
    return events


@dataclass
class OllamaFake:
    """An Ollama server's state: installed and loaded models, and what was asked of it."""

    installed: dict[str, FakeModel]
    chat: Callable[[dict[str, Any]], list[Any]] = lambda body: ollama_stream(["print('hi')\n"])
    loaded: list[str] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)

    def _missing(self, name: str) -> Reply | None:
        if name in self.installed:
            return None
        return json_reply({"error": f'model "{name}" not found, try pulling it first'}, 404)

    def routes(self) -> dict[str, Callable[[str, dict[str, Any]], Reply]]:
        return {"POST /api/chat": self._chat, "POST /api/show": self._show,
                "GET /api/ps": self._ps, "GET /api/tags": self._tags,
                "GET /api/version": lambda p, b: json_reply({"version": "0.0.0-fake"})}

    def _chat(self, path: str, body: dict[str, Any]) -> Reply:
        name = _full(body["model"])
        if missing := self._missing(name):
            return missing
        if not body.get("messages"):
            if body.get("keep_alive") == 0:
                self.log.append(("unload", name))
                self.loaded = [m for m in self.loaded if m != name]
                reason = "unload"
            else:
                self.log.append(("load", name))
                self.loaded = [*[m for m in self.loaded if m != name], name]
                reason = "load"
            return json_reply({"model": name, "message": {"role": "assistant", "content": ""},
                               "done_reason": reason, "done": True})
        self.log.append(("chat", name))
        return Reply(200, NDJSON, self.chat(body))

    def _show(self, path: str, body: dict[str, Any]) -> Reply:
        name = _full(body["model"])
        if missing := self._missing(name):
            return missing
        m = self.installed[name]
        return json_reply({"details": _details(m), "model_info": {
            "general.architecture": m.family, f"{m.family}.context_length": m.ctx}})

    def _ps(self, path: str, body: dict[str, Any]) -> Reply:
        return json_reply({"models": [
            {"name": n, "model": n, "size": self.installed[n].size,
             "size_vram": self.installed[n].size_vram, "details": _details(self.installed[n])}
            for n in self.loaded]})

    def _tags(self, path: str, body: dict[str, Any]) -> Reply:
        return json_reply({"models": [{"name": n, "size": m.size, "details": _details(m)}
                                      for n, m in self.installed.items()]})

    @contextmanager
    def serve(self) -> Iterator[FakeServer]:
        with fake_server(self.routes()) as server:
            yield server


def _full(name: str) -> str:
    return name if ":" in name else f"{name}:latest"


def _details(m: FakeModel) -> dict[str, Any]:
    return {"format": "gguf", "family": m.family, "families": [m.family],
            "parameter_size": "4.3B", "quantization_level": m.quantization}
