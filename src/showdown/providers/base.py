"""The provider contract: one streaming method in, one Generation record out.

Backends differ only in the class that speaks their protocol. ``open``/``close`` bracket a
model's turn (start a server, preload, unload); ``stream`` never raises for the model's or the
server's failures: those are recorded in ``Generation.error`` with whatever arrived first.
"""

from __future__ import annotations

import re
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
    "answer_offset",
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

    def healthy(self) -> bool:
        """False when what ``open`` started has died, so it must be opened again, not reused."""
        return True

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
    first_reasoning: float | None = None
    first_answer: float | None = None
    chunks: int = 0
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    #: (answer length after the chunk, when it came) per answer chunk: finds where an answer
    #: that follows ``<think>…</think>`` in the same text began.
    marks: list[tuple[int, float]] = field(default_factory=list)
    _length: int = 0

    def token(self, text: str = "", reasoning: str = "", progress: Progress | None = None,
              refusal: str = "") -> None:
        """Record a chunk that carries generated text (role-only chunks never get here)."""
        if not text and not reasoning and not refusal:
            return
        now = time.monotonic()
        if self.first_token is None:
            self.first_token = now
        if reasoning and self.first_reasoning is None:
            self.first_reasoning = now
        if (text or refusal) and self.first_answer is None:
            self.first_answer = now
        if text:
            self._length += len(text)
            self.marks.append((self._length, now))
            self.text.append(text)
        if reasoning:
            self.reasoning.append(reasoning)
        if refusal:
            self.refusal.append(refusal)
        self.last_token = now
        self.chunks += 1
        if progress is not None:
            progress(self.chunks, now - self.started)

    def finish(self, output_tokens: int | None, reasoning_tokens: int | None = None,
               **extra: Any) -> Generation:
        """The record: TTFTs, total, the rates from the server's token counts, text split.

        Reasoning tokens the server counted but never streamed (OpenAI's reasoning models)
        are left out of the visible rate, which only spans the time tokens were seen to
        arrive; they stay in the output tokens and the total rate.
        """
        raw = "".join(self.text)
        _, think = split_reasoning(raw)
        streamed = "".join(self.reasoning)
        reasoning = "\n".join(p for p in (streamed, think) if p)
        first_reasoning, first_answer = self.first_reasoning, self.first_answer
        if think:  # reasoning in tags: the answer began after them, the reasoning at once
            first_reasoning = _earliest(first_reasoning, self.marks[0][1] if self.marks else None)
            first_answer = self._answer_time(raw)
        hidden = reasoning_tokens if reasoning_tokens and not reasoning else 0
        visible = None if output_tokens is None else max(output_tokens - hidden, 0)
        ttft = _since(self.first_token, self.started)
        total = _since(self.last_token, self.started)
        total_rate = output_tokens / total if output_tokens and total else None
        return Generation(
            text=raw,
            reasoning=reasoning,
            ttft_s=_round(ttft),
            total_s=_round(total),
            output_tokens=output_tokens,
            tokens_per_s=_round(decode_rate(visible, ttft, total)),
            reasoning_tokens=reasoning_tokens,
            ttft_reasoning_s=_round(_since(first_reasoning, self.started)),
            ttft_answer_s=_round(_since(first_answer, self.started)),
            total_tokens_per_s=_round(total_rate),
            refusal="".join(self.refusal),
            **extra,
        )

    def _answer_time(self, raw: str) -> float | None:
        """When the first answer character after the reasoning tags arrived, if any did."""
        start = answer_offset(raw)
        if start is None:
            return None
        return next((when for end, when in self.marks if end > start), None)


def answer_offset(raw: str) -> int | None:
    """Where the answer starts in text that opens with reasoning in tags; None if it never does.

    Leading ``<think>…</think>`` blocks (also ``thinking``, ``reasoning``) and blank space are
    skipped, as is everything up to an orphan closing tag (a template that put the opening tag
    in the prompt); a block never closed means the text is all reasoning.
    """
    pos = 0
    orphan, opening = _CLOSING.search(raw), _OPENING.search(raw)
    if orphan and (opening is None or orphan.start() < opening.start()):
        pos = orphan.end()
    while True:
        pos += len(raw) - pos - len(raw[pos:].lstrip())
        block = _OPENING.match(raw, pos)
        if block is None:
            return pos if pos < len(raw) else None
        close = _CLOSING.search(raw, block.end())
        if close is None:
            return None
        pos = close.end()


_CLOSING = re.compile(r"</(?:think|thinking|reasoning)>", re.IGNORECASE)
_OPENING = re.compile(r"<(?:think|thinking|reasoning)>", re.IGNORECASE)


def _since(when: float | None, started: float) -> float | None:
    return None if when is None else when - started


def _earliest(a: float | None, b: float | None) -> float | None:
    return min((x for x in (a, b) if x is not None), default=None)


def decode_rate(tokens: int | None, ttft: float | None, total: float | None) -> float | None:
    """(tokens − 1) / (total − ttft): the first token's time belongs to the prompt, not decode."""
    if tokens is None or ttft is None or total is None or tokens < 2 or total <= ttft:
        return None
    return (tokens - 1) / (total - ttft)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
