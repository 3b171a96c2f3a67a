"""Pure extraction: a model's answer text in, the program it wrote (and its reasoning) out.

Order matters: reasoning is removed first, so a draft inside ``<think>`` is never judged;
then fenced blocks are ranked so a shell usage example or an early draft loses to the program.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

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
    and an opening tag never closed (generation cut off while still thinking).
    """
    reasoning: list[str] = []
    for tag in _THINK_TAGS:
        paired = re.compile(rf"<{tag}>(.*?)</{tag}>", re.DOTALL | re.IGNORECASE)
        reasoning += [m.group(1) for m in paired.finditer(text)]
        text = paired.sub("", text)
        closing = re.search(rf"</{tag}>", text, re.IGNORECASE)
        if closing:
            reasoning.append(text[: closing.start()])
            text = text[closing.end() :]
        opening = re.search(rf"<{tag}>", text, re.IGNORECASE)
        if opening:
            reasoning.append(text[opening.end() :])
            text = text[: opening.start()]
    return text.strip("\n"), "\n".join(r.strip() for r in reasoning if r.strip())


def fenced_blocks(text: str) -> list[CodeBlock]:
    """Every fenced block in order; an unclosed last fence runs to the end of the text."""
    blocks: list[CodeBlock] = []
    pos = 0
    while (opening := _FENCE.search(text, pos)) is not None:
        fence, lang = opening.group(1), opening.group(2).lower()
        body_start = opening.end() + 1
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
        end = closing.search(text, body_start)
        if end is None:
            blocks.append(CodeBlock(lang, text[body_start:], False, len(blocks)))
            break
        blocks.append(CodeBlock(lang, text[body_start : end.start()], True, len(blocks)))
        pos = end.end()
    return blocks


def extract_code(answer: str) -> Extraction:
    """Choose the program in an answer: reasoning dropped, then the best Python block."""
    text, reasoning = split_reasoning(answer)
    blocks = fenced_blocks(text)
    candidates = [b for b in blocks if _could_be_python(b)]
    if candidates:
        best = max(candidates, key=_rank)
        return Extraction(
            code=best.code.rstrip() + "\n",
            reasoning=reasoning,
            source="fence",
            language=best.language or "python",
            blocks=len(blocks),
            unterminated_fence=not best.terminated,
        )
    unfenced = _unfenced_code(text) if not blocks else ""
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
    shellish = [ln for ln in lines if re.match(r"^(\$ |python3? \S+\.py|pip |\.?/\S+ )", ln)]
    return bool(lines) and len(shellish) * 2 >= len(lines)


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def _rank(block: CodeBlock) -> tuple[bool, bool, int, int]:
    """Prefer a block that parses, is a whole program, is longer; ties go to the later one."""
    code = block.code
    program = bool(re.search(r"^(import|from) ", code, re.M)) and "def " in code
    return (_parses(code), program, len(code.splitlines()), block.index)


def _unfenced_code(text: str) -> str:
    """Code written without fences: the span from the first code-looking line that parses."""
    if text.strip() and _parses(text) and _CODE_START.search(text.lstrip()):
        return text.strip("\n") + "\n"
    lines = text.splitlines()
    starts = [i for i, ln in enumerate(lines) if _CODE_START.match(ln)]
    # Bounded search: trailing prose is usually a few lines, so a few ends per start suffice.
    for start in starts[:5]:
        if _has_indented(lines[starts[0] : start]):
            break  # Starting later would drop code, hiding its syntax error.
        for end in range(len(lines), max(start, len(lines) - 50), -1):
            if _has_indented(lines[end:]):
                break  # Only prose may be trimmed from the end, never an indented body.
            chunk = "\n".join(lines[start:end])
            if _parses(chunk):
                return chunk.strip("\n") + "\n"
    if starts:
        # Nothing parses: still return the code so the judge can say why (syntax, truncation).
        return "\n".join(lines[starts[0] :]).strip("\n") + "\n"
    return ""


def _has_indented(lines: list[str]) -> bool:
    """Whether any line is indented like code (prose around code indents only list items)."""
    return any(ln[:1] in (" ", "\t") and ln.strip() and not _LIST_ITEM.match(ln) for ln in lines)
