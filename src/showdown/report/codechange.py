"""Whether a ``run --set`` setting changed the code: each configuration's answers against the
default configuration's, answer by answer.

Pure. ``run --set`` names a configuration's model ``NAME [key=value ...]`` and the bare name is
the default; every configuration gets the same prompt, seed per trial and temperature, so where
a setting changes nothing (threads, batch size) the code comes back identical, and where it
changes the arithmetic (a quantised KV cache) it may not. Answers are matched by case and trial
and compared by the digest of their extracted code (``StyleMetrics.code_sha256``, worked out
when the answer was judged; from the code itself for results stored before).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from showdown.codestyle import code_digest
from showdown.records import Result
from showdown.report.groups import Group

__all__ = ["code_changes", "config_family", "result_digest"]

#: ``NAME [k=v k=v]``, as ``showdown.speed.runsets`` names a configuration.
_CONFIGURED = re.compile(r"^(?P<base>.+) \[(?P<config>[a-z_]+=\S+(?: [a-z_]+=\S+)*)\]$")


def config_family(model: str) -> tuple[str, str]:
    """(base name, configuration label): ``("smol", "threads=2")``, ``("smol", "default")``
    for a name that carries no configuration."""
    match = _CONFIGURED.match(model)
    return (match["base"], match["config"]) if match else (model, "default")


def result_digest(result: Result) -> str | None:
    """The digest of the result's extracted code, or None where nothing was judged or the code
    is no longer at hand."""
    verdict = result.verdict
    if verdict is None:
        return None
    if verdict.style is not None and verdict.style.code_sha256 is not None:
        return verdict.style.code_sha256
    if verdict.code or verdict.style is None:  # code kept (or there was none to keep)
        return code_digest(verdict.code)
    return None  # stored before digests, and read lean: the code was left out


def _by_answer(group: Group) -> dict[tuple[str, int], str]:
    return {(r.case, r.trial): d for r in group.results if (d := result_digest(r)) is not None}


def code_changes(groups: Iterable[Group]) -> dict[tuple[str, str, str], str]:
    """(round, model, task) -> what the Quality table says of its code, for each model of a
    family of two or more configurations (same base name, round and task): "same as default",
    "changed in 2 of 3 vs default", or "reference" on the one compared with — the default
    configuration, else the first configuration by name."""
    groups = list(groups)
    families: dict[tuple[str, str, str], dict[str, Group]] = {}
    for g in groups:
        base, label = config_family(g.model)
        families.setdefault((g.round, base, g.task), {})[label] = g
    out: dict[tuple[str, str, str], str] = {}
    for (round_, _base, task), members in families.items():
        if len(members) < 2:
            continue
        ref_label = "default" if "default" in members else min(members)
        reference = members[ref_label]
        theirs = _by_answer(reference)
        out[(round_, reference.model, task)] = "reference"
        for g in members.values():
            if g is reference:
                continue
            mine = _by_answer(g)
            common = [k for k in mine if k in theirs]
            if not common:
                continue
            changed = sum(mine[k] != theirs[k] for k in common)
            out[(round_, g.model, task)] = (f"same as {ref_label}" if not changed else
                                            f"changed in {changed} of {len(common)} vs "
                                            f"{ref_label}")
    return out
