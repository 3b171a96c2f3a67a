"""Live progress for long runs: which model, what phase, tokens so far and their rate."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.text import Text

from showdown.records import Result

__all__ = ["RunDisplay"]


class RunDisplay:
    """A one-line live status on stderr plus a line per finished result."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.model = ""
        self.text = ""
        self.live = Live(Text(""), console=console, refresh_per_second=8, transient=True)

    def __enter__(self) -> RunDisplay:
        self.live.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.live.__exit__(kind, exc, tb)

    def phase(self, model: str, text: str) -> None:
        self.model, self.text = model, text
        self.live.update(Text.assemble((model, "bold cyan"), f"  {text}…"))

    def progress(self, chunks: int, elapsed_s: float) -> None:
        # Streamed chunks, shown as approximate tokens: the recorded count comes from the server.
        rate = chunks / elapsed_s if elapsed_s > 0 else 0.0
        self.live.update(Text.assemble((self.model, "bold cyan"), f"  {self.text}  ",
                                       (f"~{chunks} tokens, {rate:.1f} tok/s, {elapsed_s:.1f} s",
                                        "green")))

    def result(self, result: Result) -> None:
        gen, verdict = result.generation, result.verdict
        case = f" {result.case}" if result.case and result.case != result.task else ""
        head = f"[bold]{result.model}[/] {result.task}{case} #{result.trial}:"
        if gen.error and not gen.text:
            self.console.print(f"{head} [red]error[/] {gen.error}", highlight=False,
                               soft_wrap=True)
            return
        score = f"score {verdict.score}" if verdict else "not judged"
        rate = f"{gen.tokens_per_s:.1f} tok/s" if gen.tokens_per_s else "tok/s n/a"
        warn = f" [yellow]({gen.error})[/]" if gen.error else ""
        self.console.print(f"{head} {score}, {gen.output_tokens} tokens, {rate}{warn}",
                           highlight=False, soft_wrap=True)
