"""The context a speed measurement reads: real Python source, cut to an exact token count.

Coding assistants read repositories, so the prompt is code, not lorem ipsum: standard-library
modules read at run time. Each repetition starts with a unique comment, so no prefix cache can
recognise it even where ``cache_prompt: false`` were ignored.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import pathlib
import typing
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["CORPUS_MODULES", "corpus_text", "prompt_tokens"]

CORPUS_MODULES = (inspect, typing, argparse, dataclasses, pathlib)

Tokenize = Callable[[str], list[int]]


def corpus_text() -> str:
    """The standard-library sources, one after another, each under its file name."""
    parts = []
    for module in CORPUS_MODULES:
        path = Path(module.__file__ or "")
        parts.append(f"# file: {path.name}\n{path.read_text(encoding='utf-8')}")
    return "\n".join(parts)


def prompt_tokens(corpus: Sequence[int], depth: int, tokenize: Tokenize) -> list[int]:
    """``depth`` tokens: a unique comment, then the corpus (repeated if it is short), exactly cut.

    Depth 0 has no context: one token stands in, since a server needs a prompt to start from.
    """
    if depth == 0:
        return list(corpus[:1])
    nonce = tokenize(f"# measurement {uuid.uuid4().hex}\n")
    tokens = list(nonce)
    while len(tokens) < depth:
        tokens.extend(corpus[: depth - len(tokens)])
    return tokens[:depth]
