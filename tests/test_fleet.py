"""``showdown run --cluster`` without a cluster: placement rules, addresses, the config's
``node`` key, what is stored for a resume, the report's node labels, and every refusal before
anything runs (one line, exit 2, nothing stored). The cluster itself: test_fleet_cluster.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_plan import closed_port, refused

from showdown.cli import cli
from showdown.config import parse_config
from showdown.errors import ConfigError, PlanError
from showdown.fleet.connect import ClusterError, Node, split_address
from showdown.fleet.placement import (
    check_placement,
    custom_resources,
    node_name,
    parse_node_flags,
    turn_options,
)
from showdown.providers import parse_spec
from showdown.records import Generation, GenerationSettings, Result, RunInfo, RunOptions
from showdown.report.context import context_rows, host_text
from showdown.run.session import split_nodes
from showdown.runner import RunPlan, new_run, plan_from_run


def test_custom_resources_are_the_named_ones_and_name_the_node() -> None:
    resources = {"CPU": 4.0, "GPU": 1.0, "memory": 1e9, "object_store_memory": 1e8,
                 "node:127.0.0.1": 1.0, "node:__internal_head__": 1.0,
                 "accelerator_type:H100": 1.0, "gpu-box": 1.0, "big": 2.0}
    assert custom_resources(resources) == ("big", "gpu-box")
    assert node_name("abcdef0123", "10.0.0.5", ("big", "gpu-box")) == "big+gpu-box"
    assert node_name("abcdef0123", "10.0.0.5", ()) == "10.0.0.5 (abcdef01)"


def test_node_flags_name_a_model_of_the_run() -> None:
    labels = ["A", "B=x"]
    assert parse_node_flags(["A=node-a", "B=x=node-b"], labels) == {"A": "node-a",
                                                                    "B=x": "node-b"}
    with pytest.raises(PlanError, match="expected MODEL=NODE"):
        parse_node_flags(["node-a"], labels)
    with pytest.raises(PlanError, match=r"no model named 'C' in this run \(models: A, B=x\)"):
        parse_node_flags(["C=node-a"], labels)


def test_a_model_placed_on_a_node_no_live_node_offers_is_refused() -> None:
    live = [Node("1", "127.0.0.1", ("head",), "head"),
            Node("2", "127.0.0.1", ("node-a",), "node-a")]
    check_placement({"A": "node-a"}, live)
    with pytest.raises(PlanError, match=r"'gpu-box'.*named resources: head, node-a.*"
                                        r"--resources '\{\"gpu-box\": 1\}'"):
        check_placement({"A": "node-a", "B": "gpu-box"}, live)


def test_a_turn_takes_one_unit_of_its_node_and_is_never_retried_by_ray() -> None:
    assert turn_options("gpu-box") == {"num_cpus": 1, "max_retries": 0,
                                       "resources": {"gpu-box": 1}}
    assert turn_options(None) == {"num_cpus": 1, "max_retries": 0}


@pytest.mark.parametrize("address, expected", [
    ("auto", None), ("127.0.0.1:6390", ("127.0.0.1", 6390)),
    ("ray://head.lan:10001", ("head.lan", 10001)), ("[::1]:6379", ("::1", 6379))])
def test_addresses(address: str, expected: tuple[str, int] | None) -> None:
    assert split_address(address) == expected


@pytest.mark.parametrize("address", ["head", "http://head:8265", "head:0", "head:port", ":6379"])
def test_bad_addresses_say_what_is_expected(address: str) -> None:
    with pytest.raises(ClusterError, match="expected auto, HOST:PORT"):
        split_address(address)


def test_the_config_places_a_model_and_the_plan_takes_it_out_of_its_options(
        tmp_path: Path) -> None:
    config = parse_config({"models": [
        {"spec": "ollama:qwen3:8b", "name": "Qwen", "node": "gpu-box", "keep_alive": "5m"},
        {"spec": "ollama:gemma3:12b"}]}, tmp_path / "showdown.toml")
    specs, nodes = split_nodes(list(config.models))
    assert nodes == {"Qwen": "gpu-box"}
    assert [s.options for s in specs] == [{"keep_alive": "5m"}, {}]
    for bad in (3, "", " "):
        with pytest.raises(ConfigError, match=r"models\[0\]\.node: expected the name of a Ray "):
            parse_config({"models": [{"spec": "ollama:x", "node": bad}]}, tmp_path / "s.toml")


def test_placement_is_stored_with_the_run_so_a_resume_places_models_alike() -> None:
    specs = [parse_spec("A=ollama:a"), parse_spec("B=ollama:b"), parse_spec("C=ollama:c")]
    plan = RunPlan(specs, [], GenerationSettings(), nodes={"A": "node-a", "C": "node-c"})
    run = new_run(plan)
    assert run.options.nodes == ["node-a", "", "node-c"]
    assert plan_from_run(run).nodes == {"A": "node-a", "C": "node-c"}
    older = RunInfo("r", "t", GenerationSettings(), models=["A=ollama:a"],
                    options=RunOptions([{}]))  # stored before placement existed
    assert plan_from_run(older).nodes == {}


def _result(model: str, node: str | None) -> Result:
    host = {"cpu_model": "Xeon", "cpu_cores_logical": 2, "gpus": [], "os": "Linux"}
    if node:
        host |= {"node": node, "node_id": "ab" * 28, "ray_resources": [node]}
    return Result("r1", model, "ollama:x", "humaneval", 1, GenerationSettings(),
                  Generation(text="x"), None, "t", host=host, case="HumanEval/0")


def test_reports_name_the_node_each_result_ran_on() -> None:
    assert host_text(_result("A", "node-a").host).startswith("node node-a: Xeon (2 threads)")
    assert host_text(_result("A", None).host).startswith("Xeon (2 threads)")
    run = RunInfo("r1", "t", GenerationSettings(), host={"cpu_model": "Driver CPU"})
    results = [_result("A", "node-a"), _result("B", "node-b"), _result("B2", "node-b")]
    (row,) = context_rows(results, [run])
    assert "node node-a: Xeon" in row.host and "(A)" in row.host
    assert "node node-b: Xeon" in row.host and "(B, B2)" in row.host
    assert "Driver CPU" not in row.host
    (local,) = context_rows([_result("A", None)], [run])
    assert local.host.startswith("Driver CPU")


def test_refusals_before_anything_runs(tmp_path: Path, bundled_model: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    model = ["-m", f"A=llamacpp:{bundled_model}", "--task", "humaneval", "--problems", "0"]
    line = refused(tmp_path, *model, "--node", "A=node-a")
    assert "--node places a model on a cluster node; add --cluster ADDRESS" in line
    line = refused(tmp_path, *model, "--cluster", "http://head:8265")
    assert "expected auto, HOST:PORT" in line
    port = closed_port()  # loopback, nothing listening: refused at once, not after Ray's minutes
    line = refused(tmp_path, *model, "--cluster", f"127.0.0.1:{port}")
    assert f"nothing answers at 127.0.0.1:{port}" in line and "ray start --head" in line
    line = refused(tmp_path, *model, "--cluster", "127.0.0.1:6390", "--node", "Z=node-a")
    assert "no model named 'Z'" in line
    monkeypatch.setitem(sys.modules, "ray", None)  # as if ray were not installed
    line = refused(tmp_path, *model, "--cluster", "127.0.0.1:6390")
    assert line == ("error: --cluster needs Ray, which is not installed here: "
                    "pip install 'showdown[cluster]'")
    assert CliRunner().invoke(cli, ["run", "--help"]).output.count("--cluster") == 2
