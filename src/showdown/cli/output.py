"""Where the commands print: tables on stdout, messages and progress on stderr, one-line errors."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from rich.console import Console
from rich.text import Text

from showdown.safetext import visible

__all__ = ["console", "err", "fail", "note", "say"]


def _width() -> int | None:
    """The terminal's width; for a file or pipe, $COLUMNS if set, else 160 (rich would assume 80
    and wrap tables nobody has to fit on a screen)."""
    if sys.stdout.isatty():
        return None
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else 160


console = Console(width=_width())
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit."""
    # soft_wrap: rich would otherwise break a long path over several lines at 80 columns.
    err.print(Text("error: ", style="bold red") + Text(visible(message, one_line=True)),
              highlight=False, soft_wrap=True)
    sys.exit(code)


def note(message: str, label: str = "note", style: str = "yellow") -> None:
    """One line of information on stderr (never markup: it may quote a model or a path)."""
    err.print(Text(f"{label}: ", style=style) + Text(visible(message, one_line=True)),
              highlight=False, soft_wrap=True)


def say(message: str) -> None:
    """One plain line on stderr (a path, a run id: never markup, never wrapped)."""
    err.print(message, highlight=False, soft_wrap=True, markup=False)
