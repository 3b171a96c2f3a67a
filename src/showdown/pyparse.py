"""Parsing untrusted Python without ever raising: every way the parser can fail is "does not compile".

The model under test writes the code, so the parser is fed hostile input. Beyond ``SyntaxError``
it raises ``ValueError`` (lone surrogates), ``RecursionError`` (``1 + 1 + …`` a few thousand
terms long) and ``MemoryError`` (``- - - …``: the parser's own stack overflows). Code that
Python's parser cannot take is code that cannot run, so all of them mean "does not compile"
here, with a message saying which. Every place showdown parses model-written code goes through
``parse``; nothing else calls ``ast.parse`` on it.

Code longer than ``MAX_SOURCE_CHARS`` is not parsed at all: parsing costs about 0.5 s and
130 MB of memory per MiB of source, and no answer to a coding prompt is that long (a
16,384-token answer is about 64 KB).
"""

from __future__ import annotations

import ast
import functools
import gc
from dataclasses import dataclass

__all__ = ["MAX_SOURCE_CHARS", "ParseFailure", "compiles", "forget", "parse"]

# The same bound as the judge's answer size (showdown.judge.MAX_ANSWER_CHARS): 1 MiB.
MAX_SOURCE_CHARS = 1 << 20


@dataclass(frozen=True)
class ParseFailure:
    """Why code does not compile: ``message`` for people, ``msg``/``lineno`` as the parser said.

    ``kind`` is "syntax" (a SyntaxError), "too_deep" (the parser ran out of recursion or
    stack), "invalid_text" (text Python cannot read, such as a lone surrogate) or "too_large".
    """

    kind: str
    message: str
    msg: str = ""
    lineno: int | None = None


@functools.lru_cache(maxsize=1)
def parse(code: str) -> ast.Module | ParseFailure:
    """The module's tree, or why it cannot be parsed; never raises on any text.

    The last result is kept: judging one answer asks about the same code several times
    (extraction, diagnosis, checks), and a hostile MiB takes seconds to parse. Callers must
    not change the tree; ``forget`` drops it once an answer is judged.
    """
    if len(code) > MAX_SOURCE_CHARS:
        return ParseFailure("too_large", f"too_large: {len(code):,} characters of code, over the "
                            f"{MAX_SOURCE_CHARS:,} showdown parses")
    collecting = gc.isenabled()
    # A MiB of code is a quarter of a million nodes; the cyclic collector would walk them again
    # and again as they are made (5x the parse's time). An AST holds no reference cycles.
    gc.disable()
    try:
        return ast.parse(code)
    except SyntaxError as exc:  # IndentationError and TabError too
        return ParseFailure("syntax", f"line {exc.lineno}: {exc.msg}", str(exc.msg), exc.lineno)
    except (RecursionError, MemoryError) as exc:
        return ParseFailure("too_deep", f"too_deep: nested too deeply for Python's parser "
                            f"({type(exc).__name__})")
    except (ValueError, OverflowError) as exc:
        return ParseFailure("invalid_text", _first_line(f"{type(exc).__name__}: {exc}"))
    finally:
        if collecting:
            gc.enable()


def forget() -> None:
    """Drop the kept tree (up to a few hundred MB for a MiB of code)."""
    parse.cache_clear()


def compiles(code: str) -> bool:
    """Whether ``code`` parses as Python (what ``parse`` returns a tree for)."""
    return isinstance(parse(code), ast.Module)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else text
