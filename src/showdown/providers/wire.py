"""Reading a streamed body: lines as the wire formats define them, and server-sent events.

Both SSE (WHATWG HTML §9.2.5, "Parsing an event stream") and NDJSON end a line at CR, LF or
CRLF only. Python's ``str.splitlines`` — and so httpx's ``iter_lines`` — also ends one at
U+2028, U+2029, U+0085 and a few controls, which servers write raw inside JSON strings: a
program with one U+2028 in a comment would arrive cut in two. So lines are split here, over
raw bytes, with UTF-8 decoded incrementally (a character may straddle two network chunks, and
so may a CRLF).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from typing import NamedTuple

__all__ = ["Event", "iter_events", "iter_lines", "iter_sse"]


def iter_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The lines of a UTF-8 byte stream, ended by CR, LF or CRLF only (terminators dropped).

    Bytes that are not UTF-8 become U+FFFD rather than an exception: a garbled byte is the
    server's fault and shows up in the text, the stream goes on.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")("replace")  # a leading BOM is dropped
    tail: list[str] = []  # pieces of the line not ended yet
    after_cr = False  # the previous piece ended in CR: a leading LF now completes a CRLF
    for chunk in chunks:
        text = decoder.decode(chunk)
        if not text:
            continue
        if after_cr and text[0] == "\n":
            text = text[1:]
        after_cr = text.endswith("\r")
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in text:
            tail.append(text)
            continue
        lines = text.split("\n")
        tail.append(lines[0])
        yield "".join(tail)
        yield from lines[1:-1]
        tail = [lines[-1]] if lines[-1] else []
    rest = decoder.decode(b"", final=True)
    if rest:
        tail.append(rest)
    if tail:
        yield "".join(tail)


class Event(NamedTuple):
    """One server-sent event: its type (``message`` unless named) and its data."""

    kind: str
    data: str


def iter_events(lines: Iterable[str]) -> Iterator[Event]:
    """Server-sent events from lines, dispatched at each blank line.

    Per the SSE spec: ``data`` lines join with LF, ``event`` names the type, comments (``:``)
    and unknown fields are ignored, one space after the colon is dropped. One exception: a
    line ``error: {...}`` — what older llama-server wrote when a streamed request failed — is
    an ``error`` event of its own, since ignoring it would turn a failure into a success.
    """
    kind, data = "", list[str]()
    for line in lines:
        if line.startswith("data:"):  # nearly every line: the fast path
            data.append(line[6:] if line.startswith(" ", 5) else line[5:])
            continue
        if not line:
            if data:
                yield Event(kind or "message", "\n".join(data))
            kind, data = "", []
            continue
        name, colon, value = line.partition(":")
        if not colon:
            value = ""
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            kind = value
        elif name == "error":
            yield Event("error", value)
    if data:
        yield Event(kind or "message", "\n".join(data))


def iter_sse(lines: Iterable[str]) -> Iterator[str]:
    """Just the ``data`` of each event (multi-line data joined)."""
    for event in iter_events(lines):
        yield event.data
