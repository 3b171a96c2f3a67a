"""Progress for long runs: which model, what phase, tokens so far and their rate.

On a terminal a one-line live status; when stderr is a file or a pipe (CI logs, ``--json``
runs piped on), plain lines instead, so a long run is never silent and never a mess of
spinner frames. Model names and errors are untrusted text: shown escaped, never as markup.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.text import Text

from showdown.records import Result, result_id
from showdown.safetext import safe_text, visible

__all__ = ["PlainProgress", "RunDisplay", "progress_display"]


def _result_line(result: Result) -> Text:
    """One line per finished result: score, tokens and rate, or the error."""
    gen, verdict = result.generation, result.verdict
    case = f" {result.case}" if result.case and result.case != result.task else ""
    line = Text.assemble(safe_text(result.model, "bold", True),
                         safe_text(f" {result.task}{case} #{result.trial} [{result_id(result)}]:",
                                   one_line=True))
    if gen.error is not None:
        return line.append(" did not run ", style="red").append(visible(gen.error, True))
    score = f"score {verdict.score}" if verdict else "not judged"
    rate = f"{gen.tokens_per_s:.1f} tok/s" if gen.tokens_per_s else "tok/s n/a"
    return line.append(f" {score}, {gen.output_tokens} tokens, {rate}")


class _Status:
    """The live line's state; rich draws it at its own refresh rate, not once per chunk."""

    def __init__(self) -> None:
        self.model = ""
        self.text = ""
        self.chunks: int | None = None
        self.elapsed_s = 0.0

    def __rich__(self) -> Text:
        line = Text.assemble((self.model, "bold cyan"), f"  {self.text}")
        if self.chunks is None:
            return line.append("…")
        # Streamed chunks, shown as approximate tokens: the recorded count comes from the server.
        rate = self.chunks / self.elapsed_s if self.elapsed_s > 0 else 0.0
        return line.append(f"  ~{self.chunks} tokens, {rate:.1f} tok/s, {self.elapsed_s:.1f} s",
                           style="green")


class RunDisplay:
    """A one-line live status on stderr plus a line per finished result.

    A chunk only sets two numbers (the stream must not wait on the display); the line is
    drawn ``REFRESH_PER_SECOND`` times a second from them.
    """

    REFRESH_PER_SECOND = 8

    def __init__(self, console: Console) -> None:
        self.console = console
        self.status = _Status()
        self.live = Live(self.status, console=console, refresh_per_second=self.REFRESH_PER_SECOND,
                         transient=True)

    def __enter__(self) -> RunDisplay:
        self.live.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.live.__exit__(kind, exc, tb)

    def phase(self, model: str, text: str) -> None:
        status = self.status
        status.model, status.text = visible(model, True), visible(text, True)
        status.chunks = None

    def progress(self, chunks: int, elapsed_s: float) -> None:
        status = self.status
        status.elapsed_s = elapsed_s
        status.chunks = chunks

    def result(self, result: Result) -> None:
        self.console.print(_result_line(result), highlight=False, soft_wrap=True)


class PlainProgress:
    """Plain progress lines (no cursor movement) for a log file or a pipe: each phase, a
    heartbeat while a long answer streams, and a line per result."""

    def __init__(self, console: Console, every_s: float = 30.0) -> None:
        self.console = console
        self.every_s = every_s
        self.model = ""
        self.last = 0.0

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def _say(self, text: Text) -> None:
        self.console.print(text, highlight=False, soft_wrap=True)

    def phase(self, model: str, text: str) -> None:
        self.model, self.last = visible(model, True), time.monotonic()
        self._say(Text(f"{self.model}: {visible(text, True)}"))

    def progress(self, chunks: int, elapsed_s: float) -> None:
        if time.monotonic() - self.last >= self.every_s:
            self.last = time.monotonic()
            rate = chunks / elapsed_s if elapsed_s > 0 else 0.0
            self._say(Text(f"{self.model}: ~{chunks} tokens, {rate:.1f} tok/s, "
                           f"{elapsed_s:.0f} s so far"))

    def result(self, result: Result) -> None:
        self._say(_result_line(result))


def progress_display(console: Console, live: bool = True) -> RunDisplay | PlainProgress:
    """A live status on a terminal, plain lines anywhere else (or when ``live`` is False: the
    results go to a pipe or are JSON, so the whole session is likely being logged)."""
    return RunDisplay(console) if live and console.is_terminal else PlainProgress(console)
