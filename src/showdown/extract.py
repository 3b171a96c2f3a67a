"""Pure extraction: a model's answer text in, the program it wrote (and its reasoning) out.

Order matters: reasoning is removed first, so a draft inside ``<think>`` is never judged;
then fenced blocks are ranked so a shell usage example or an early draft loses to the program.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
from dataclasses import dataclass

from showdown.pyparse import MAX_SOURCE_CHARS, compiles

__all__ = ["CodeBlock", "Extraction", "extract_code", "split_reasoning"]

_THINK_TAGS = ("think", "thinking", "reasoning")
_PY_LANGS = {"python", "py", "python3", "py3", "pycon"}
_NOT_PY_LANGS = {
    "bash", "sh", "shell", "console", "zsh", "text", "txt", "plaintext", "sql", "json",
    "yaml", "toml", "ini", "output", "powershell", "cmd", "bat", "diff", "markdown", "md",
}
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s+([-*+]|\d+[.)])\s")
_CODE_START = re.compile(r"^(#!|import |from \S+ import |def |class |async def |@|if __name__)")
_PROGRAM_IMPORT = re.compile(r"^(import|from) ", re.MULTILINE)
_SHELL_LINE = re.compile(r"^(\$ |python3? \S+\.py|pip |\.?/\S+ )")
# Per tag name: either tag (group 1 is "/" for a closing one), the opening and the closing one.
_TAG_PATTERNS: dict[str, re.Pattern[str]] = {}
for _tag in _THINK_TAGS:
    _TAG_PATTERNS[_tag] = re.compile(rf"<(/?){_tag}>", re.IGNORECASE)
    _TAG_PATTERNS[f"<{_tag}>"] = re.compile(rf"<{_tag}>", re.IGNORECASE)
    _TAG_PATTERNS[f"</{_tag}>"] = re.compile(rf"</{_tag}>", re.IGNORECASE)
# Parsing costs about 0.5 s per MiB of code: a hostile answer with thousands of blocks, or
# megabytes of unfenced text, gets this many parse attempts and characters parsed, no more.
# An honest answer (at most a few blocks, tens of KB) never comes near either bound.
_PARSE_ATTEMPTS = 64
_PARSE_CHARS = 4 * MAX_SOURCE_CHARS
# Only the best few fenced blocks (by shape and length) are parsed to pick the program.
_RANKED_PARSES = 8


@dataclass(frozen=True)
class CodeBlock:
    """One fenced block as written in the answer."""

    language: str
    code: str
    terminated: bool
    index: int


@dataclass(frozen=True)
class Extraction:
    """The code chosen from an answer and how it was found."""

    code: str
    reasoning: str
    source: str  # "fence", "unfenced", "file" or "none"
    language: str = ""
    blocks: int = 0
    unterminated_fence: bool = False


def split_reasoning(text: str) -> tuple[str, str]:
    """Split an answer into (answer, reasoning) by removing ``<think>``-style blocks.

    Handles an orphan closing tag (servers that put the opening tag in the prompt template)
    and an opening tag never closed (generation cut off while still thinking). One pass over
    the text per tag name, so thousands of unclosed tags cost no more than one.
    """
    reasoning: list[str] = []
    for tag in _THINK_TAGS:
        text = _drop_pairs(text, tag, reasoning)
        closing = _TAG_PATTERNS[f"</{tag}>"].search(text)
        if closing:
            reasoning.append(text[: closing.start()])
            text = text[closing.end() :]
        opening = _TAG_PATTERNS[f"<{tag}>"].search(text)
        if opening:
            reasoning.append(text[opening.end() :])
            text = text[: opening.start()]
    return text.strip("\n"), "\n".join(r.strip() for r in reasoning if r.strip())


def _drop_pairs(text: str, tag: str, reasoning: list[str]) -> str:
    """``text`` without each ``<tag>…</tag>`` pair (the first closing tag after an opening one
    ends it); the pairs' contents go to ``reasoning``. Unpaired tags stay where they are."""
    kept: list[str] = []
    pos = 0
    opened: re.Match[str] | None = None
    for tag_match in _TAG_PATTERNS[tag].finditer(text):
        closing = bool(tag_match.group(1))
        if opened is None and not closing:
            opened = tag_match
        elif opened is not None and closing:
            kept.append(text[pos : opened.start()])
            reasoning.append(text[opened.end() : tag_match.start()])
            pos, opened = tag_match.end(), None
    kept.append(text[pos:])
    return "".join(kept)


def fenced_blocks(text: str) -> list[CodeBlock]:
    """Every fenced block in order; an unclosed last fence runs to the end of the text."""
    blocks: list[CodeBlock] = []
    pos = 0
    while (opening := _FENCE.search(text, pos)) is not None:
        fence, lang = opening.group(1), opening.group(2).lower()
        body_start = opening.end() + 1
        end = _closing_fence(fence[0], len(fence)).search(text, body_start)
        if end is None:
            blocks.append(CodeBlock(lang, text[body_start:], False, len(blocks)))
            break
        blocks.append(CodeBlock(lang, text[body_start : end.start()], True, len(blocks)))
        pos = end.end()
    return blocks


@functools.lru_cache(maxsize=64)
def _closing_fence(char: str, length: int) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*{re.escape(char)}{{{length},}}[ \t]*$", re.MULTILINE)


def extract_code(answer: str) -> Extraction:
    """Choose the program in an answer: reasoning dropped, then the best Python block.

    Time and memory grow linearly with the answer; parsing, the one costly step, is bounded
    per answer (see ``_ParseBudget``).
    """
    text, reasoning = split_reasoning(answer)
    blocks = fenced_blocks(text)
    candidates = [b for b in blocks if _could_be_python(b)]
    budget = _ParseBudget()
    if candidates:
        best = _best_block(candidates, budget)
        return Extraction(
            code=best.code.rstrip() + "\n",
            reasoning=reasoning,
            source="fence",
            language=best.language or "python",
            blocks=len(blocks),
            unterminated_fence=not best.terminated,
        )
    unfenced = _unfenced_code(text, budget) if not blocks else ""
    if unfenced:
        return Extraction(unfenced, reasoning, "unfenced", "python", 0)
    return Extraction("", reasoning, "none", "", len(blocks))


def _could_be_python(block: CodeBlock) -> bool:
    if block.language in _PY_LANGS:
        return True
    if block.language in _NOT_PY_LANGS or block.language:
        return False
    return not _looks_like_shell(block.code) and bool(block.code.strip())


def _looks_like_shell(code: str) -> bool:
    lines = [ln.strip() for ln in code.splitlines() if ln.strip()]
    shellish = sum(1 for ln in lines if _SHELL_LINE.match(ln))
    return bool(lines) and shellish * 2 >= len(lines)


@dataclass
class _ParseBudget:
    """Parse attempts left for one answer; once spent, further code counts as not parsing."""

    attempts: int = _PARSE_ATTEMPTS
    chars: int = _PARSE_CHARS

    def spend(self, size: int) -> bool:
        """Count one attempt at ``size`` characters; whether it may go ahead."""
        self.attempts -= 1
        if self.attempts < 0 or size > min(self.chars, MAX_SOURCE_CHARS):
            return False
        self.chars -= size
        return True

    def parses(self, code: str) -> bool:
        return self.spend(len(code)) and compiles(code)


def _shape(block: CodeBlock) -> tuple[bool, int, int]:
    """Is it a whole program (imports and a def), how many lines, where: longer and later win."""
    code = block.code
    program = bool(_PROGRAM_IMPORT.search(code)) and "def " in code
    return (program, len(code.splitlines()), block.index)


def _best_block(candidates: list[CodeBlock], budget: _ParseBudget) -> CodeBlock:
    """The best-shaped block that parses, else the best-shaped one.

    Ranking by (parses, shape) needs a parse of every block; only the best few by shape are
    parsed, which picks the same block whenever an answer has that few (every real one).
    """
    if len(candidates) == 1:
        return candidates[0]  # nothing to choose between: no parse needed
    ranked = heapq.nlargest(_RANKED_PARSES, candidates, key=_shape)
    return next((b for b in ranked if budget.parses(b.code)), ranked[0])


def _unfenced_code(text: str, budget: _ParseBudget) -> str:
    """Code written without fences: the span from the first code-looking line that parses."""
    if text.strip() and _CODE_START.search(text.lstrip()) and budget.parses(text):
        return text.strip("\n") + "\n"
    lines = text.splitlines()
    starts = [i for i, ln in enumerate(lines) if _CODE_START.match(ln)]
    ends = [0, *itertools.accumulate(map(len, lines))]  # ends[i] + i: where line i starts
    # Bounded search: trailing prose is usually a few lines, so a few ends per start suffice.
    for start in starts[:5]:
        if _has_indented(lines[starts[0] : start]):
            break  # Starting later would drop code, hiding its syntax error.
        for end in range(len(lines), max(start, len(lines) - 50), -1):
            if _has_indented(lines[end:]) or budget.attempts <= 0:
                break  # Only prose may be trimmed from the end, never an indented body.
            # The size first: joining megabytes only to find them over budget costs as much.
            if budget.spend(ends[end] - ends[start] + end - start - 1):
                chunk = "\n".join(lines[start:end])
                if compiles(chunk):
                    return chunk.strip("\n") + "\n"
    if starts:
        # Nothing parses: still return the code so the judge can say why (syntax, truncation).
        return "\n".join(lines[starts[0] :]).strip("\n") + "\n"
    return ""


def _has_indented(lines: list[str]) -> bool:
    """Whether any line is indented like code (prose around code indents only list items)."""
    return any(ln[:1] in (" ", "\t") and ln.strip() and not _LIST_ITEM.match(ln) for ln in lines)
