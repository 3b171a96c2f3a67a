"""``run --set``: the Quality table says whether a setting changed the code, answer by answer.

Pure over hand-built groups, then through ``showdown report`` on a real SQLite store, where
the tables are built from lean records (the code itself left out): the digest stored with the
style counts must carry the comparison.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from showdown.cli import cli
from showdown.codestyle import style_metrics
from showdown.records import Generation, GenerationSettings, Result, RunInfo, Verdict
from showdown.report.codechange import code_changes, config_family
from showdown.report.groups import Group
from showdown.store import Store

A = "import sys\n\nprint(sys.argv)\n"
B = "import sys\n\nprint(len(sys.argv))\n"


def _result(model: str, code: str, trial: int = 1, styled: bool = True) -> Result:
    verdict = Verdict("todo-cli", True, score=50, code=code)
    verdict.style = style_metrics(code) if styled else None
    return Result("run-1", model, "llamacpp:x.gguf", "todo-cli", trial, GenerationSettings(),
                  Generation(text=f"```python\n{code}```\n"), verdict,
                  "2026-01-01T00:00:00+00:00")


def _group(model: str, *codes: str, styled: bool = True) -> Group:
    return Group("", model, "todo-cli",
                 tuple(_result(model, c, i + 1, styled) for i, c in enumerate(codes)))


def test_the_configuration_is_read_from_the_name_run_set_gives() -> None:
    assert config_family("smol [cache_type_k=q8_0 threads=2]") == (
        "smol", "cache_type_k=q8_0 threads=2")
    assert config_family("smol") == ("smol", "default")
    assert config_family("Model [beta]") == ("Model [beta]", "default")  # not a configuration


def test_each_configuration_against_the_default_answer_by_answer() -> None:
    changes = code_changes([
        _group("smol", A, A), _group("smol [threads=2]", A, A),
        _group("smol [cache_type_k=q4_0]", A, B),
        _group("other", B)])  # alone: nothing to compare, nothing said
    assert changes == {("", "smol", "todo-cli"): "reference",
                       ("", "smol [threads=2]", "todo-cli"): "same as default",
                       ("", "smol [cache_type_k=q4_0]", "todo-cli"): "changed in 1 of 2 vs default"}


def test_without_the_default_the_first_configuration_is_the_reference() -> None:
    changes = code_changes([_group("smol [cache_type_k=q8_0]", B),
                            _group("smol [cache_type_k=f16]", A)])
    assert changes[("", "smol [cache_type_k=f16]", "todo-cli")] == "reference"
    assert changes[("", "smol [cache_type_k=q8_0]", "todo-cli")] == (
        "changed in 1 of 1 vs cache_type_k=f16")


def test_code_that_does_not_parse_is_compared_by_the_code_itself() -> None:
    broken = "def f(:\n"
    assert style_metrics(broken) is None
    changes = code_changes([_group("smol", broken, styled=False),
                            _group("smol [threads=2]", broken, styled=False)])
    assert changes[("", "smol [threads=2]", "todo-cli")] == "same as default"


def test_report_shows_the_code_column_from_a_store_read_lean(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    store = Store(db)
    names = ["smol", "smol [threads=2]", "smol [cache_type_k=q4_0]"]
    store.save_run(RunInfo("run-1", "2026-01-01T00:00:00+00:00", GenerationSettings(),
                           status="finished", models=names, tasks=["todo-cli"]))
    store.save_results([_result("smol", A), _result("smol [threads=2]", A),
                        _result("smol [cache_type_k=q4_0]", B)])
    store.close()
    md = CliRunner().invoke(cli, ["report", "--db", str(db), "-f", "md"])
    assert md.exit_code == 0, md.output
    quality = md.stdout[md.stdout.index("## Quality"):md.stdout.index("## Style")]
    assert "| Model | Syntax | Score | Code |" in quality
    assert "| smol [threads=2] | Yes | 50 | same as default |" in quality
    assert "| smol [cache_type_k=q4_0] | Yes | 50 | changed in 1 of 1 vs default |" in quality
    data = json.loads(CliRunner().invoke(cli, ["report", "--db", str(db), "-f", "json"]).stdout)
    assert {q["model"]: q["code_change"] for q in data["quality"]} == {
        "smol": "reference", "smol [threads=2]": "same as default",
        "smol [cache_type_k=q4_0]": "changed in 1 of 1 vs default"}
    rows = csv.DictReader(io.StringIO(
        CliRunner().invoke(cli, ["report", "--db", str(db), "-f", "csv"]).stdout))
    assert {r["model"]: r["code_change"] for r in rows}["smol [threads=2]"] == "same as default"
