"""The provider contract: one streaming method in, one Generation record out.

Backends differ only in the class that speaks their protocol. ``open``/``close`` bracket a
model's turn (start a server, preload, unload); ``stream`` never raises for the model's or the
server's failures: those are recorded in ``Generation.error`` with whatever arrived first.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from showdown.extract import split_reasoning
from showdown.records import Generation, GenerationSettings

__all__ = [
    "ChatRequest",
    "Progress",
    "Provider",
    "ProviderError",
    "StreamClock",
]

#: Called as text arrives: (chunks received so far, seconds since the request started).
Progress = Callable[[int, float], None]


class ProviderError(RuntimeError):
    """A model cannot be used at all (bad spec, missing key, server won't start)."""


@dataclass(frozen=True)
class ChatRequest:
    """One user message and the fair settings it is sent with."""

    prompt: str
    settings: GenerationSettings
    system: str | None = None

    def messages(self) -> list[dict[str, str]]:
        msgs = [{"role": "system", "content": self.system}] if self.system else []
        return [*msgs, {"role": "user", "content": self.prompt}]


class Provider(ABC):
    """A model behind some protocol."""

    #: The model's display name and the spec it came from, as the user wrote them.
    name: str
    spec: str

    def __init__(self, name: str, spec: str) -> None:
        self.name, self.spec = name, spec
        self.load_s: float | None = None
        self.info: dict[str, Any] = {}

    @property
    def server_pid(self) -> int | None:
        """The local server process showdown started for this model, if any (for telemetry)."""
        return None

    @property
    def remote(self) -> bool:
        """True when the model runs on another machine, so local hardware says nothing of it."""
        return False

    def open(self, settings: GenerationSettings) -> GenerationSettings:
        """Make the model ready (load it), timing the load; returns the settings in effect."""
        return settings

    def close(self) -> None:  # noqa: B027 - optional hook: most backends hold nothing
        """Release what ``open`` took (stop a server, unload a model)."""

    @abstractmethod
    def stream(self, request: ChatRequest, progress: Progress | None = None) -> Generation:
        """Send one request, stream the answer while timing it, return the record."""


@dataclass
class StreamClock:
    """Monotonic timestamps and text of one streamed answer, turned into a Generation."""

    started: float = field(default_factory=time.monotonic)
    first_token: float | None = None
    last_token: float | None = None
    chunks: int = 0
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)

    def token(self, text: str = "", reasoning: str = "", progress: Progress | None = None) -> None:
        """Record a chunk that carries generated text (role-only chunks never get here)."""
        if not text and not reasoning:
            return
        now = time.monotonic()
        if self.first_token is None:
            self.first_token = now
        self.last_token = now
        self.chunks += 1
        self.text.append(text)
        self.reasoning.append(reasoning)
        if progress is not None:
            progress(self.chunks, now - self.started)

    def finish(self, output_tokens: int | None, **extra: Any) -> Generation:
        """The record: TTFT, total, decode rate from the server's token count, text split."""
        raw = "".join(self.text)
        _, think = split_reasoning(raw)
        reasoning = "\n".join(p for p in ("".join(self.reasoning), think) if p)
        ttft = None if self.first_token is None else self.first_token - self.started
        total = None if self.last_token is None else self.last_token - self.started
        return Generation(
            text=raw,
            reasoning=reasoning,
            ttft_s=_round(ttft),
            total_s=_round(total),
            output_tokens=output_tokens,
            tokens_per_s=_round(decode_rate(output_tokens, ttft, total)),
            **extra,
        )


def decode_rate(tokens: int | None, ttft: float | None, total: float | None) -> float | None:
    """(tokens − 1) / (total − ttft): the first token's time belongs to the prompt, not decode."""
    if tokens is None or ttft is None or total is None or tokens < 2 or total <= ttft:
        return None
    return (tokens - 1) / (total - ttft)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
