"""A model measured on several hosts gets one row per host, never one averaged row (a shared
PostgreSQL store, a fleet); one host, or the same hardware before and after hostnames were
recorded, keeps the model's own name."""

from __future__ import annotations

import dataclasses
from typing import Any

from reportdata import RUNS, result, verdict

from showdown.records import Result
from showdown.report.hosts import host_key, host_label, model_names
from showdown.report.rows import build_report

BOX = {"hostname": "box", "cpu_model": "Ryzen 9", "cpu_cores_logical": 32,
       "ram_bytes": 64 * 1024**3, "gpus": [{"name": "RTX 4090"}]}
MAC = {"hostname": "mac", "cpu_model": "Apple M3 Max", "cpu_cores_logical": 16,
       "ram_bytes": 128 * 1024**3, "gpus": None}


def on(host: dict[str, Any], r: Result) -> Result:
    return dataclasses.replace(r, host=host)


def test_one_model_on_two_hosts_is_two_rows_with_their_own_speed() -> None:
    r2 = RUNS[1]
    results = [on(BOX, result(r2, "Qwen", trial=1, tps=120.0, judged=verdict(90))),
               on(BOX, result(r2, "Qwen", trial=2, tps=110.0, judged=verdict(90))),
               on(MAC, result(r2, "Qwen", trial=1, tps=30.0, judged=verdict(60))),
               on(MAC, result(r2, "Other", trial=1, tps=50.0, judged=verdict(10)))]
    rep = build_report(results, RUNS)
    speeds = {p.model: p.tokens_per_s.value for p in rep.performance if p.tokens_per_s}
    assert speeds == {"Qwen @ box": 115.0, "Qwen @ mac": 30.0, "Other": 50.0}
    assert {q.model for q in rep.quality} == {"Qwen @ box", "Qwen @ mac", "Other"}
    assert rep.models == ("Other", "Qwen @ box", "Qwen @ mac")


def test_a_failed_generation_is_listed_under_its_host() -> None:
    r2 = RUNS[1]
    results = [on(BOX, result(r2, "Qwen", judged=verdict(90))),
               on(MAC, result(r2, "Qwen", trial=2, error="connection reset"))]
    rep = build_report(results, RUNS)
    assert [f.model for f in rep.failed] == ["Qwen @ mac"]
    (perf,) = rep.performance
    assert perf.model == "Qwen @ box" and perf.failed == 0


def test_same_hardware_with_and_without_a_hostname_is_one_host() -> None:
    old = {k: v for k, v in BOX.items() if k != "hostname"}  # stored before hostnames were
    r2 = RUNS[1]
    results = [on(old, result(r2, "Qwen", trial=1, judged=verdict(90))),
               on(BOX, result(r2, "Qwen", trial=2, judged=verdict(90)))]
    assert [p.model for p in build_report(results, RUNS).performance] == ["Qwen"]


def test_cluster_nodes_on_one_machine_are_different_hosts() -> None:
    a, b = {**BOX, "node": "node-a"}, {**BOX, "node": "node-b"}
    assert host_key(a) != host_key(b) and host_label(a) == "node-a"
    r2 = RUNS[1]
    names = model_names([on(a, result(r2, "M")), on(b, result(r2, "M", trial=2))])
    assert sorted(names.values()) == ["M @ node-a", "M @ node-b"]


def test_two_hosts_with_one_label_stay_apart() -> None:
    twin = {**MAC, "hostname": "box"}  # another machine that happens to share a hostname
    r2 = RUNS[1]
    names = model_names([on(BOX, result(r2, "M")), on(twin, result(r2, "M", trial=2))])
    assert sorted(names.values()) == ["M @ box", "M @ box #2"]


def test_label_falls_back_to_gpu_then_cpu() -> None:
    assert host_label({"gpus": [{"name": "H100"}], "cpu_model": "Xeon"}) == "H100"
    assert host_label({"cpu_model": "Xeon"}) == "Xeon"
    assert host_label({}) == "unknown host"


def test_two_machines_started_with_one_resource_name_are_two_hosts() -> None:
    """A 4090 box and an H100 box both started with ``--resources '{"gpu": 1}'``."""
    h100 = {"hostname": "rented", "cpu_model": "Xeon", "cpu_cores_logical": 64,
            "ram_bytes": 512 * 1024**3, "gpus": [{"name": "H100"}], "node": "gpu"}
    assert host_key({**BOX, "node": "gpu"}) != host_key(h100)


def test_a_host_with_impossible_figures_still_gets_a_key() -> None:
    assert host_key({"ram_bytes": float("inf"), "cpu_model": "x"}).startswith("x|")


def _speed(run_id: str, host: dict[str, Any], tg: float) -> dict[str, Any]:
    return {"run_id": run_id, "started_at": "2026-11-30T10:00:00+00:00", "model": "Qwen",
            "spec": "llamacpp:q.gguf", "config": {}, "depth": 512, "gen": 32, "host": host,
            "samples": [{"prompt_n": 512, "pp_tokens_per_s": 900.0, "predicted_n": 32,
                         "tg_tokens_per_s": tg, "ttft_s": 0.5}]}


def test_speed_rows_of_one_model_on_two_hosts_are_shown_and_ranked_apart(tmp_path: Any) -> None:
    import json

    from click.testing import CliRunner

    from showdown.cli import cli
    from showdown.store import Store

    db = tmp_path / "s.db"
    store = Store(db)
    for run_id, host, tg in (("s1", BOX, 120.0), ("s2", MAC, 30.0)):
        store.save_speed(run_id, "2026-11-30T10:00:00+00:00", "Qwen", "default", 512,
                         _speed(run_id, host, tg))
    store.close()
    out = CliRunner().invoke(cli, ["speed", "--show", "--json", "--db", str(db)])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert sorted((r["model"], r["tg_tokens_per_s"]) for r in rows) == [("Qwen @ box", 120.0),
                                                                        ("Qwen @ mac", 30.0)]
