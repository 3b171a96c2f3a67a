"""Pure style metrics of extracted code, read from its AST: how each model writes.

The seed's "Style comparison" was written by hand ("context managers everywhere", "the only
model that imported an external library"); these are the counts behind such sentences, so a
reader can check them.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from showdown.pyparse import parse
from showdown.report.groups import Group
from showdown.report.spread import Spread, mean_spread, median_spread

__all__ = ["StyleMetrics", "StyleRow", "style_metrics", "style_rows"]

_Def = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class StyleMetrics:
    """Style counts of one piece of code (None shares where nothing could carry one)."""

    lines: int
    functions: int
    classes: int
    docstring_share: float | None
    type_hint_share: float | None
    try_blocks: int
    with_blocks: int
    third_party: tuple[str, ...]
    comment_density: float


@dataclass(frozen=True)
class StyleRow:
    """A model's style on one task in one round, over the code of every judged trial."""

    round: str
    model: str
    task: str
    samples: int
    unparsed: int
    lines: Spread | None
    functions: Spread | None
    classes: Spread | None
    docstring_share: Spread | None
    type_hint_share: Spread | None
    try_blocks: Spread | None
    with_blocks: Spread | None
    third_party: tuple[str, ...]
    comment_density: Spread | None


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
    )


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


def style_rows(groups: Iterable[Group]) -> list[StyleRow]:
    """One style row per group that has any judged code (counts median, shares mean)."""
    rows = []
    for group in groups:
        codes = [r.verdict.code for r in group.results if r.verdict is not None and r.verdict.code]
        if not codes:
            continue
        parsed = [m for m in map(style_metrics, codes) if m is not None]
        rows.append(StyleRow(
            round=group.round, model=group.model, task=group.task, samples=len(codes),
            unparsed=len(codes) - len(parsed),
            lines=median_spread(m.lines for m in parsed),
            functions=median_spread(m.functions for m in parsed),
            classes=median_spread(m.classes for m in parsed),
            docstring_share=mean_spread(m.docstring_share for m in parsed),
            type_hint_share=mean_spread(m.type_hint_share for m in parsed),
            try_blocks=median_spread(m.try_blocks for m in parsed),
            with_blocks=median_spread(m.with_blocks for m in parsed),
            third_party=tuple(sorted({name for m in parsed for name in m.third_party})),
            comment_density=mean_spread(m.comment_density for m in parsed),
        ))
    return rows
