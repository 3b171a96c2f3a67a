"""The report's numbers from fixture results: two rounds, trials, a failed generation, placements."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from reportdata import RUNS, result, two_rounds, verdict

from showdown.records import RunInfo
from showdown.report.groups import MIXED, group_results
from showdown.report.rows import Report, build_report


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(two_rounds(), RUNS)


def _row(rows: tuple[Any, ...], model: str, round_: str = "Round 2") -> Any:
    return next(r for r in rows if r.model == model and r.round == round_)


def test_rounds_in_time_order_and_rows_per_round_model_task(report: Report) -> None:
    assert report.rounds == ("Round 1", "Round 2")
    assert report.tasks == ("todo-cli",)
    assert len(report.performance) == 4 + 6
    assert [r.round for r in report.performance] == ["Round 1"] * 4 + ["Round 2"] * 6


def test_speed_is_median_with_min_max_over_trials(report: Report) -> None:
    gemma = _row(report.performance, "Gemma 4 27B")
    assert gemma.samples == 3
    assert (gemma.tokens_per_s.value, gemma.tokens_per_s.lo, gemma.tokens_per_s.hi) == (167.1, 160.0, 170.0)
    assert gemma.ttft_s.value == 3.92 and gemma.total_s.value == 11.77
    assert gemma.peak_vram_bytes.value == 20e9 and gemma.joules_per_token.value == 2.5
    assert gemma.lines.value == 24


def test_performance_is_ordered_by_first_token_like_the_seed(report: Report) -> None:
    round2 = [r.model for r in report.performance if r.round == "Round 2"]
    assert round2 == ["Codestral 22B", "Devstral 24B", "Gemma 4 27B", "DeepSeek R1 14B",
                      "Qwen 3.5 MoE 35B", "Kimi K2 1T"]


def test_a_failed_generation_is_listed_apart_never_measured_or_scored(report: Report) -> None:
    # Issue #15: a result whose generation.error is set did not run: it is not a sample, does
    # not score 0 against the model, and is listed under "Did not run" with its reason.
    perf = _row(report.performance, "DeepSeek R1 14B")
    assert (perf.samples, perf.failed) == (1, 1)
    assert perf.tokens_per_s.n == 1
    quality = _row(report.quality, "DeepSeek R1 14B")
    assert (quality.judged, quality.syntax_ok, quality.failed) == (1, 1, 1)
    assert (quality.score.value, quality.score.lo, quality.score.hi) == (100.0, 100.0, 100.0)
    assert quality.diagnoses == ()
    (failed,) = report.failed
    assert (failed.model, failed.reason) == ("DeepSeek R1 14B", "connection reset by peer")
    board = [r for r in report.leaderboard if r.model == "DeepSeek R1 14B"]
    assert all("1 failed generation not counted" in r.note for r in board if r.round == "Round 2")


def test_quality_tallies_and_order(report: Report) -> None:
    codestral = _row(report.quality, "Codestral 22B")
    assert (codestral.features.passed, codestral.features.per_result) == (9, 10)
    assert (codestral.functional.passed, codestral.functional.per_result) == (7, 7)
    gemma = _row(report.quality, "Gemma 4 27B")
    assert (gemma.features.passed, gemma.features.total, gemma.features.results) == (30, 30, 3)
    scores = [r.score.value for r in report.quality if r.round == "Round 2"]
    assert scores == sorted(scores, reverse=True)
    qwen1 = _row(report.quality, "Qwen 3.5 MoE 35B", "Round 1")
    assert qwen1.syntax_ok == 0 and qwen1.diagnoses[0].code == "truncated"


def test_unknown_placement_is_its_own_tier_never_guessed(report: Report) -> None:
    assert _row(report.performance, "DeepSeek R1 14B").placement == "unknown"
    tiers = [(r.tier, r.model, r.round) for r in report.tiers]
    assert ("unknown", "DeepSeek R1 14B", "Round 2") in tiers
    assert ("partial", "Kimi K2 1T", "Round 2") in tiers
    assert [t for t, _, _ in tiers] == sorted((t for t, _, _ in tiers),
                                              key=["vram", "partial", "cpu", "cloud", "unknown"].index)
    vram = [(r.model, r.total_s.value) for r in report.tiers if r.tier == "vram"]
    assert [s for _, s in vram] == sorted(s for _, s in vram)
    kimi = _row(report.tiers, "Kimi K2 1T")
    assert kimi.size_bytes == 579_000_000_000


def test_placement_that_is_not_a_known_tier_reads_as_unknown() -> None:
    r2 = RUNS[1]
    odd = result(r2, "Odd", judged=verdict(100))
    odd.model_info["placement"] = "gpu-ish"
    assert build_report([odd], RUNS).performance[0].placement == "unknown"


def test_trials_that_ran_in_different_places_are_mixed_and_split_by_tier() -> None:
    r2 = RUNS[1]
    results = [result(r2, "M", trial=1, placement="vram", total=10.0, judged=verdict(100)),
               result(r2, "M", trial=2, placement="partial", total=90.0, judged=verdict(100))]
    rep = build_report(results, RUNS)
    assert rep.performance[0].placement == MIXED
    assert sorted((t.tier, t.total_s.value) for t in rep.tiers) == [("partial", 90.0),
                                                                    ("vram", 10.0)]


def test_leaderboard_keeps_each_models_best_round_ranked_by_score_then_speed(report: Report) -> None:
    board = [(r.rank, r.model, r.round) for r in report.leaderboard]
    # DeepSeek's failed trial did not run: it is ranked on the trial that did (and says so).
    assert board == [
        (1, "Gemma 4 27B", "Round 2"), (2, "Qwen 3.5 MoE 35B", "Round 2"),
        (3, "DeepSeek R1 14B", "Round 2"), (4, "Sonnet 4.6", "Round 1"),
        (5, "Opus 4.6", "Round 1"), (6, "Devstral 24B", "Round 2"),
        (7, "Codestral 22B", "Round 2"), (8, "Kimi K2 1T", "Round 2"),
    ]
    qwen = _row(report.leaderboard, "Qwen 3.5 MoE 35B")
    assert qwen.rounds == ("Round 1", "Round 2")
    assert qwen.score.value == 100 and qwen.tokens_per_s.value == 142.5  # not Round 1's 1,510


def test_ties_are_explained(report: Report) -> None:
    notes = {r.model: r.note for r in report.leaderboard}
    assert notes["Codestral 22B"] == "tied on score with Kimi K2 1T; ordered by tok/s"
    assert notes["Gemma 4 27B"] == "one of 6 tied on score; ordered by tok/s"
    assert notes["DeepSeek R1 14B"] == ("one of 6 tied on score; ordered by tok/s; "
                                        "1 failed generation not counted")


def test_exact_ties_share_a_rank_and_say_so() -> None:
    r2 = RUNS[1]
    results = [result(r2, name, tps=50.0, judged=verdict(100)) for name in ("A", "B")]
    results.append(result(r2, "C", tps=None, judged=verdict(100)))
    board = build_report(results, RUNS).leaderboard
    assert [(r.rank, r.model) for r in board] == [(1, "A"), (1, "B"), (3, "C")]
    assert board[0].note == "same score and tok/s as B: same rank; tied on score with C; " \
        "ordered by tok/s"
    assert board[2].note.endswith("no tok/s recorded, so ranked below those with one")


def test_between_rounds_says_what_changed(report: Report) -> None:
    changes = {c.model: c for c in report.changes}
    assert set(changes) == {"Codestral 22B", "Qwen 3.5 MoE 35B"}
    qwen = changes["Qwen 3.5 MoE 35B"]
    assert (qwen.before, qwen.after, qwen.score_before, qwen.score_after) == (
        "Round 1", "Round 2", 28.0, 100.0)
    assert (qwen.tokens_per_s_before, qwen.tokens_per_s_after) == (1510.0, 142.5)
    assert qwen.changes == ("max_tokens 4,096 → 16,384", "ctx 8,192 → 16,384")


def test_by_the_numbers_are_computed_from_the_selection(report: Report) -> None:
    figures = {f.key: f for f in report.numbers}
    assert figures["models"].value == 8 and figures["models"].text == \
        "8 models benchmarked across 2 rounds"
    assert figures["results"].value == 12  # the failed generation was not measured
    assert figures["failed_generations"].value == 1
    assert figures["perfect_scores"].value == 6
    assert figures["fastest_perfect_tokens_per_s"].text == \
        "167.1 tok/s from Gemma 4 27B in Round 2 — fastest perfect-scoring model"
    assert figures["speed_gap"].value == pytest.approx(1510.0 / 0.6)
    assert figures["slowest_ttft_s"].value == 68.9
    assert figures["longest_total_s"].text.startswith("1,140.94s (19 minutes) in total for Kimi")
    assert figures["longest_load_s"].value == 375.0
    assert figures["smallest_top_scorer_bytes"].value == 9.6e9
    assert (figures["models_vram"].value, figures["models_partial"].value,
            figures["models_cloud"].value, figures["models_unknown"].value) == (4, 1, 2, 1)
    assert figures["improved_between_rounds"].lead == "2 of 2"


def test_trial_series_only_for_cells_that_ran_more_than_once(report: Report) -> None:
    series = {t.model: t for t in report.trials}
    assert set(series) == {"Gemma 4 27B"}  # DeepSeek's second trial did not run
    assert series["Gemma 4 27B"].tokens_per_s == (167.1, 170.0, 160.0)


def test_runs_sharing_a_label_form_one_round_and_unlabelled_runs_are_named_by_id() -> None:
    r2 = RUNS[1]
    again = RunInfo("run-r2b", "2026-04-02T10:00:00+00:00", r2.settings, round="Round 2")
    bare = RunInfo("run-x", "2026-05-01T10:00:00+00:00", r2.settings)
    results = [result(r2, "A", judged=verdict(100)),
               dataclasses.replace(result(r2, "A", trial=2, judged=verdict(90)), run_id="run-r2b"),
               dataclasses.replace(result(r2, "B", judged=verdict(80)), run_id="run-x",
                                   started_at="2026-05-01T10:00:00+00:00")]
    groups = group_results(results, [*RUNS, again, bare])
    assert [(g.round, g.model, len(g.results)) for g in groups] == [("Round 2", "A", 2),
                                                                   ("run-x", "B", 1)]


def test_reads_what_llama_server_and_nvml_telemetry_record() -> None:
    r2 = RUNS[1]
    measured = result(r2, "Local", tokens=700, judged=verdict(100),
                      telemetry={"gpu_mem_used_peak_bytes": 5_000_000_000, "gpu_energy_j": 700.0})
    measured.model_info.update({"file_size": 135_000_000, "placement": "cpu"})
    blind = result(r2, "Remote", judged=verdict(100),
                   telemetry={"gpu_mem_used_peak_bytes": None, "gpu_energy_j": None,
                              "unavailable": {"gpu": "no NVML"}})
    rep = build_report([measured, blind], RUNS)
    local = _row(rep.performance, "Local")
    assert (local.size_bytes, local.placement) == (135_000_000, "cpu")
    assert local.peak_vram_bytes.value == 5e9 and local.joules_per_token.value == 1.0
    remote = _row(rep.performance, "Remote")
    assert remote.peak_vram_bytes is None and remote.joules_per_token is None  # unseen, not zero


def test_score_has_a_bootstrap_interval_and_speed_a_p90_with_enough_trials(report: Report) -> None:
    mixed = [result(RUNS[1], "M", trial=i, judged=verdict(100 if i % 2 else 0))
             for i in range(1, 5)]
    spread = build_report(mixed, RUNS).quality[0].score
    assert spread.ci_low is not None and spread.ci_high is not None
    assert 0.0 <= spread.ci_low <= 50.0 <= spread.ci_high <= 100.0
    gemma = _row(report.quality, "Gemma 4 27B").score
    assert (gemma.ci_low, gemma.ci_high) == (100.0, 100.0)
    assert _row(report.quality, "Kimi K2 1T").score.ci_low is None  # one trial: no interval
    many = [result(RUNS[1], "M", trial=i, tps=float(i), judged=verdict(100)) for i in range(1, 11)]
    speed = build_report(many, RUNS).performance[0].tokens_per_s
    assert (speed.value, speed.p90) == (5.5, pytest.approx(9.1))


def test_pass_at_k_over_cases_and_trials() -> None:
    """Two problems, three trials each: problem A passes 1 of 3, problem B 3 of 3."""
    from showdown.report.rows import pass_at

    run = RUNS[0]
    outcomes = {"A": [True, False, False], "B": [True, True, True]}
    results = [
        dataclasses.replace(result(run, "m", trial=n + 1, judged=verdict(100 if ok else 0,
                                                            functional=(1 if ok else 0, 1))),
                case=case)
        for case, oks in outcomes.items() for n, ok in enumerate(oks)
    ]
    # pass@1 = mean(1/3, 1); pass@3 = mean(1 - C(2,3)/C(3,3) = 1, 1) = 1.
    assert pass_at(results) == ((1, pytest.approx((1 / 3 + 1) / 2)), (3, 1.0))
    assert pass_at([r for r in results if r.case == "A"]) == ()  # one case: no pass@k


def test_models_that_all_failed_are_never_ranked_nor_measured() -> None:
    """Six unreachable models once all ranked "#1" with "6 generations measured"."""
    from showdown.report import render

    failed = [result(RUNS[1], f"Dead {i}", error="cannot reach http://127.0.0.1:9", tps=None,
                     ttft=None, total=None, tokens=None) for i in range(6)]
    rep = build_report(failed, RUNS)
    assert rep.leaderboard == () and rep.performance == () and rep.quality == ()
    assert len(rep.failed) == 6 and all("cannot reach" in f.reason for f in rep.failed)
    figures = {f.key: f.text for f in rep.numbers}
    assert figures["results"] == "0 generations measured, 0 judged"
    assert figures["failed_generations"].startswith("6 generations did not run")
    page = render(failed, RUNS, "html")
    assert "<h2>Charts</h2>" not in page and "<h2>Did not run</h2>" in page
    for fmt in ("md", "terminal"):
        text = render(failed, RUNS, fmt)
        assert "Did not run" in text and "Leaderboard" not in text.split("Did not run")[0]
