"""Terminal, Markdown, JSON and CSV renderings of the same fixture report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from reportdata import RUNS, result, two_rounds, verdict
from rich.console import Console

from showdown.report import FORMATS, render, write_report
from showdown.report.terminal import print_performance, print_quality


def test_markdown_has_the_seeds_tables_per_round() -> None:
    md = render(two_rounds(), RUNS, "md")
    assert md.startswith("# Model showdown: Round 1 vs Round 2\n")
    for heading in ("## Performance", "### Performance — Round 2", "## Quality", "## Style comparison",
                    "## Speed tiers", "### Wholly in VRAM", "### Unknown (not recorded)",
                    "## Leaderboard", "### Between rounds", "## By the numbers"):
        assert f"\n{heading}\n" in md
    assert "| Model | Samples | TTFT | Total Time | Output Tokens | Tok/s | Load | Lines | Peak VRAM " \
        "| J/token |" in md
    assert "\n## Context\n" in md and "max tokens 16,384, ctx 16,384, temperature 0, seed 42" in md
    assert "| Gemma 4 27B | 3 | 3.92s (3.50s–4.40s) | 11.77s (11.00s–13.10s) | 1,966 | " \
        "167.1 (160.0–170.0) | 5.00s | 24 | 20.0 GB | 2.5 |" in md
    assert "| Kimi K2 1T | — | Yes | 10/10 | 6/7 | 94 |" in md
    # The failed generation is not a sample and scores nothing: it is listed apart.
    assert "| DeepSeek R1 14B | 1 (1 failed) | Yes | 10/10 | 7/7 | 100 |" in md
    assert "\n## Did not run\n" in md and "| connection reset by peer |" in md
    assert "| 1 | Gemma 4 27B | Round 2 | 9.6 GB | 167.1 (160.0–170.0) | 100 |" in md
    assert "| 4 | Sonnet 4.6 | Round 1 | Cloud | 104.2 | 100 |" in md
    assert "| Sonnet 4.6 | Round 1 | 8.00s | 104.2 |" in md  # cloud tier: no size recorded, no column
    assert "- 167.1 tok/s from Gemma 4 27B in Round 2 — fastest perfect-scoring model" in md


def test_markdown_round1_table_drops_columns_nothing_measured() -> None:
    md = render(two_rounds(), RUNS, "md")
    round1 = md.split("### Performance — Round 1\n")[1].split("###")[0]
    assert "| Model | TTFT | Total Time | Output Tokens | Tok/s | Lines |" in round1


def test_markdown_escapes_pipes_in_names() -> None:
    md = render([result(RUNS[1], "a|b", judged=verdict(100))], RUNS, "md")
    assert "| a\\|b |" in md


def test_terminal_text_and_the_run_commands_two_tables() -> None:
    text = render(two_rounds(), RUNS, "terminal")
    assert "Performance — Round 2" in text and "Leaderboard" in text
    assert "\x1b[" not in text  # plain text for files and pipes
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, color_system=None)
    one_run = [r for r in two_rounds() if r.run_id == "run-r2"]
    print_performance(console, one_run)
    print_quality(console, one_run)
    out = buffer.getvalue()
    assert "Performance" in out and "Quality" in out and "— Round" not in out
    assert "167.1" in out and "160.0–170.0" in out and "Kimi K2 1T" in out


def test_json_holds_every_table() -> None:
    data = json.loads(render(two_rounds(), RUNS, "json"))
    assert data["rounds"] == ["Round 1", "Round 2"]
    gemma = next(r for r in data["performance"] if r["model"] == "Gemma 4 27B")
    assert gemma["tokens_per_s"] == {"value": 167.1, "lo": 160.0, "hi": 170.0, "n": 3,
                                     "p90": None, "ci_low": None, "ci_high": None}
    assert {f["key"]: f["text"] for f in data["numbers"]}["perfect_scores"] == "6 perfect scores"
    assert data["failed"][0]["reason"] == "connection reset by peer"
    assert data["context"][0]["settings"] == "max tokens 4,096, ctx 8,192, temperature 0, seed 42"
    assert [r["model"] for r in data["leaderboard"]][:2] == ["Gemma 4 27B", "Qwen 3.5 MoE 35B"]
    assert data["style"] and data["tiers"] and data["changes"] and data["trials"]


def test_csv_is_one_row_per_round_model_task() -> None:
    rows = list(csv.DictReader(io.StringIO(render(two_rounds(), RUNS, "csv"))))
    assert len(rows) == 10
    gemma = next(r for r in rows if r["model"] == "Gemma 4 27B")
    assert (gemma["tokens_per_s"], gemma["tokens_per_s_min"], gemma["tokens_per_s_max"]) == (
        "167.1", "160.0", "170.0")
    assert gemma["leaderboard_rank"] == "1" and gemma["placement"] == "vram"
    deepseek = next(r for r in rows if r["model"] == "DeepSeek R1 14B")
    assert (deepseek["failed"], deepseek["score"], deepseek["placement"]) == ("1", "100.0", "unknown")
    assert gemma["settings"] == "max tokens 16,384, ctx 16,384, temperature 0, seed 42"
    assert deepseek["diagnoses"] == "" and deepseek["size_bytes"] == ""
    qwen1 = next(r for r in rows if r["model"] == "Qwen 3.5 MoE 35B" and r["round"] == "Round 1")
    assert qwen1["leaderboard_rank"] == ""  # its best result is Round 2's
    assert deepseek["third_party_imports"] == "colorama"


def test_every_format_renders_and_unknown_formats_are_refused(tmp_path: Path) -> None:
    for fmt in FORMATS:
        path = write_report(two_rounds(), RUNS, fmt, tmp_path / "out" / f"report.{fmt}")
        assert path.read_text(encoding="utf-8").strip()
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render(two_rounds(), RUNS, "pdf")


def test_style_says_when_code_did_not_parse() -> None:
    broken = verdict(0, (1, 10), (0, 7), code="def broken(:\n", syntax_ok=False)
    results = [result(RUNS[1], "Tiny", trial=t, judged=broken) for t in (1, 2)]
    md = render(results, RUNS, "md")
    style = md.split("## Style comparison")[1].split("## ")[0]
    assert "| Model | Parsed |" in style  # nothing parsed, so no counts and no imports
    assert "| Tiny | 0/2 |" in style


def test_html_score_cells_carry_the_bootstrap_interval() -> None:
    mixed = [result(RUNS[1], "M", trial=i, judged=verdict(100 if i % 2 else 0))
             for i in range(1, 3)]
    page = render(mixed, RUNS, "html")
    assert 'title="mean of 2 trials; 95% bootstrap interval 0–100"' in page
