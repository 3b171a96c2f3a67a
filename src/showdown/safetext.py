"""Text from models and judged programs, made safe to show on a terminal.

Such text is never markup (``[/]`` must print as itself, not crash rich) and never reaches the
terminal raw: an escape sequence could clear the screen, retitle the window or hide a line.
Control characters, C1 controls and bidirectional overrides are shown as visible escapes
(``\\x1b``); ``--json`` and the store keep the exact text.
"""

from __future__ import annotations

import re

from rich.text import Text

__all__ = ["safe_text", "visible"]

# C0 controls except tab and newline, DEL, C1 controls, and the bidi/zero-width controls that
# reorder or hide what a reader sees.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, one_line: bool = False) -> str:
    """``text`` with every control character written out as an escape (newlines kept unless
    ``one_line``, which shows them as ``\\n`` so a table row stays one row)."""
    shown = _CONTROL.sub(_escape, str(text))
    shown = shown.replace("\t", "    ")
    return shown.replace("\n", "\\n") if one_line else shown


def safe_text(text: object, style: str = "", one_line: bool = False) -> Text:
    """A rich ``Text`` of untrusted text: never parsed as markup, controls escaped."""
    return Text(visible(text, one_line), style=style)
