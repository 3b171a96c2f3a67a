"""The live status line: drawn from counters at a fixed rate, not rebuilt per chunk."""

from __future__ import annotations

import io

from rich.console import Console

from showdown.ui import RunDisplay


def test_the_line_shows_the_latest_counts_when_drawn() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with RunDisplay(console) as display:
        display.phase("tiny\x1b[2J", "generating todo-cli (trial 1/1)")
        assert display.status.__rich__().plain == "tiny\\x1b[2J  generating todo-cli (trial 1/1)…"
        for n in range(1, 1001):  # a chunk sets numbers; nothing is drawn per chunk
            display.progress(n, n / 100)
        assert display.status.__rich__().plain == (
            "tiny\\x1b[2J  generating todo-cli (trial 1/1)  ~1000 tokens, 100.0 tok/s, 10.0 s")
        display.live.refresh()
        assert "~1000 tokens, 100.0 tok/s" in out.getvalue()
        display.phase("tiny", "judging todo-cli (trial 1)")  # a new phase drops the old counts
        assert display.status.__rich__().plain == "tiny  judging todo-cli (trial 1)…"
