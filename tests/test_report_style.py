"""Style metrics from the AST of extracted code (the seed's "how each model writes")."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from reportdata import DEEPSEEK_CODE, GEMMA_CODE, KIMI_CODE, RUNS, result, verdict

from showdown.report.groups import group_results
from showdown.report.style import style_metrics, style_rows
from showdown.store import Store


def test_documented_typed_defensive_code() -> None:
    m = style_metrics(GEMMA_CODE)
    assert m is not None
    assert (m.functions, m.classes) == (3, 1)
    assert m.docstring_share == 1.0  # the class and all three functions
    assert m.type_hint_share == 1.0  # path, db, title and three returns
    assert m.try_blocks == 1  # try/finally has no handler, so it is no try/except
    assert m.with_blocks == 0
    assert m.third_party == ()
    assert m.lines == 24
    assert m.comment_density == pytest.approx(1 / 24)


def test_context_managers_and_no_hints() -> None:
    m = style_metrics(KIMI_CODE)
    assert m is not None
    assert (m.functions, m.with_blocks, m.try_blocks) == (2, 2, 0)
    assert m.type_hint_share == 0.0 and m.docstring_share == 0.0


def test_third_party_imports_are_those_outside_the_standard_library() -> None:
    m = style_metrics(DEEPSEEK_CODE)
    assert m is not None and m.third_party == ("colorama",)
    code = ("import os.path\nimport numpy.linalg as la\nfrom . import sibling\n"
            "from __future__ import annotations\n")
    m = style_metrics(code)
    assert m is not None and m.third_party == ("numpy",)


def test_comments_are_tokens_not_hashes_in_strings() -> None:
    m = style_metrics('x = "# not a comment"\ny = 2  # a comment\n')
    assert m is not None and m.comment_density == 0.5


def test_shares_are_none_where_nothing_could_carry_them() -> None:
    m = style_metrics("print('hi')\n")
    assert m is not None
    assert m.docstring_share is None and m.type_hint_share is None and m.functions == 0


def test_self_and_cls_are_not_counted_as_unhinted() -> None:
    m = style_metrics("class A:\n    def f(self, x: int) -> int:\n        return x\n")
    assert m is not None and m.type_hint_share == 1.0


def test_code_that_does_not_parse_has_no_metrics() -> None:
    assert style_metrics("def broken(:\n") is None


def test_rows_aggregate_trials_and_count_unparsed_code() -> None:
    r2 = RUNS[1]
    results = [result(r2, "M", trial=1, judged=verdict(100, code=KIMI_CODE)),
               result(r2, "M", trial=2, judged=verdict(100, code=GEMMA_CODE)),
               result(r2, "M", trial=3, judged=verdict(0, code="def broken(:\n", syntax_ok=False)),
               result(r2, "M", trial=4, error="timed out")]
    (row,) = style_rows(group_results(results, RUNS))
    assert (row.samples, row.unparsed) == (3, 1)
    assert row.with_blocks is not None and (row.with_blocks.lo, row.with_blocks.hi) == (0, 2)
    assert row.lines is not None and row.lines.value == (9 + 24) / 2
    assert row.docstring_share is not None and row.docstring_share.value == 0.5


def test_a_model_with_no_judged_code_has_no_style_row() -> None:
    results = [result(RUNS[1], "M", error="connection refused")]
    assert style_rows(group_results(results, RUNS)) == []


def test_stored_counts_are_used_and_old_results_fall_back_to_the_code(tmp_path: Path) -> None:
    r2 = RUNS[1]
    fresh = verdict(100, code=GEMMA_CODE)
    fresh.style = dataclasses.replace(style_metrics(KIMI_CODE) or pytest.fail("no metrics"),
                                      lines=999)  # not what the code says: proves it is read
    store = Store(tmp_path / "s.db")
    for run in RUNS:
        store.save_run(run)
    store.save_results([result(r2, "M", trial=1, judged=fresh),
                        result(r2, "M", trial=2, judged=verdict(100, code=KIMI_CODE))])
    stored = store.results()
    assert stored[0].verdict is not None and stored[0].verdict.style == fresh.style
    assert isinstance(stored[0].verdict.style.third_party, tuple)  # JSON list back to a tuple
    assert stored[1].verdict is not None and stored[1].verdict.style is None  # stored before
    (row,) = style_rows(group_results(stored, RUNS))
    assert row.lines is not None and (row.lines.lo, row.lines.hi) == (9, 999)
