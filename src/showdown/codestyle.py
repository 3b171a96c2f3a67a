"""Pure style metrics of extracted code, read from its AST: how each model writes.

Worked out once when an answer is judged and stored with its verdict (``Verdict.style``), so
a report of many results does not parse and tokenise every answer again.
"""

from __future__ import annotations

import ast
import hashlib
import io
import sys
import tokenize
from collections.abc import Iterable, Sequence

from showdown.pyparse import parse
from showdown.records import StyleMetrics

__all__ = ["StyleMetrics", "code_digest", "style_metrics"]

_Def = ast.FunctionDef | ast.AsyncFunctionDef


def style_metrics(code: str) -> StyleMetrics | None:
    """The style counts of ``code``; None when it does not parse as Python."""
    tree = parse(code)
    if not isinstance(tree, ast.Module):
        return None
    nodes = list(ast.walk(tree))
    defs = [n for n in nodes if isinstance(n, _Def)]
    classes = [n for n in nodes if isinstance(n, ast.ClassDef)]
    documented = [n for n in (*defs, *classes) if ast.get_docstring(n) is not None]
    hinted, slots = _hint_slots(defs)
    return StyleMetrics(
        lines=sum(1 for line in code.splitlines() if line.strip()),
        functions=len(defs),
        classes=len(classes),
        docstring_share=_share(len(documented), len(defs) + len(classes)),
        type_hint_share=_share(hinted, slots),
        try_blocks=sum(isinstance(n, ast.Try | ast.TryStar) and bool(n.handlers) for n in nodes),
        with_blocks=sum(isinstance(n, ast.With | ast.AsyncWith) for n in nodes),
        third_party=_third_party(nodes),
        comment_density=_comment_density(code),
        code_sha256=code_digest(code),
    )


def code_digest(code: str) -> str:
    """A short digest of code (lone surrogates from a hostile answer kept as they are)."""
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _hint_slots(defs: Sequence[ast.FunctionDef | ast.AsyncFunctionDef]) -> tuple[int, int]:
    """(annotated, annotatable): every parameter but self/cls, and every return."""
    hinted = slots = 0
    for node in defs:
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        params = [p for p in params if p.arg not in ("self", "cls")]
        slots += len(params) + 1
        hinted += sum(p.annotation is not None for p in params) + (node.returns is not None)
    return hinted, slots


def _third_party(nodes: Iterable[ast.AST]) -> tuple[str, ...]:
    """Top-level modules imported that are not in this Python's standard library."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return tuple(sorted(n for n in names if n not in sys.stdlib_module_names))


def _comment_density(code: str) -> float:
    """Comments per non-blank line (a trailing comment counts as one)."""
    non_blank = sum(1 for line in code.splitlines() if line.strip())
    comments = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            comments += tok.type == tokenize.COMMENT
    except (tokenize.TokenError, SyntaxError):
        pass  # the AST parsed, so this is only a tokenizer corner case: keep what was counted
    return comments / non_blank if non_blank else 0.0
