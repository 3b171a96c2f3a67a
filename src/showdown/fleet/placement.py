"""Pure: which node each model's turn may run on, and what Ray is asked for to put it there.

A model is placed by name: ``node = "gpu-box"`` in its ``[[models]]`` table, or ``--node
LABEL=gpu-box`` on the command line, matched to a Ray custom resource that node was started
with (``ray start --resources '{"gpu-box": 1}'``). A turn takes one unit of it, so turns on one
node run one after another (two models on one GPU would disturb each other's timings) while
turns on different nodes run at once. A model with no node runs on any node with a free CPU.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from showdown.errors import PlanError

if TYPE_CHECKING:
    from showdown.fleet.connect import Node

__all__ = ["check_placement", "custom_resources", "judge_options", "node_name",
           "parse_node_flags", "turn_options"]

#: Resources every Ray node has; the rest were given by the user (``--resources``).
_BUILTIN = frozenset({"CPU", "GPU", "memory", "object_store_memory"})


def custom_resources(resources: Mapping[str, float]) -> tuple[str, ...]:
    """The resources a node was started with by name (not CPU, memory or Ray's own)."""
    return tuple(sorted(k for k in resources if k not in _BUILTIN
                        and not k.startswith(("node:", "accelerator_type:"))))


def node_name(node_id: str, address: str, custom: Sequence[str]) -> str:
    """What results are labelled with: the node's resources (unique per node on one machine),
    else its address and the start of its id."""
    return "+".join(custom) if custom else f"{address} ({node_id[:8]})"


def parse_node_flags(flags: Iterable[str], labels: Sequence[str]) -> dict[str, str]:
    """``--node LABEL=NODE`` values as {label: node}; a bad form or an unknown model is a
    PlanError naming the models there are."""
    placed: dict[str, str] = {}
    for flag in flags:
        label, sep, node = flag.rpartition("=")
        if not sep or not label.strip() or not node.strip():
            raise PlanError(f"--node {flag!r}: expected MODEL=NODE, e.g. --node 'Qwen=gpu-box'")
        if label.strip() not in labels:
            raise PlanError(f"--node {flag!r}: no model named {label.strip()!r} in this run "
                            f"(models: {', '.join(labels)})")
        placed[label.strip()] = node.strip()
    return placed


def check_placement(nodes: Mapping[str, str], live: Sequence[Node]) -> None:
    """Refuse a model placed on a node no live node of the cluster provides."""
    offered = {r for n in live for r in n.resources}
    for label, node in nodes.items():
        if node not in offered:
            there = ", ".join(sorted(offered)) or "none"
            raise PlanError(f"model {label!r} is placed on node {node!r}, but no live node of "
                            f"the cluster has that resource (named resources: {there}); start "
                            f"one with: ray start --address HEAD:PORT --resources "
                            f"'{{\"{node}\": 1}}'")


def turn_options(node: str | None) -> dict[str, Any]:
    """Ray task options of a model's turn: one unit of its node's resource and one CPU (kept
    from judging, which would disturb a model on the CPU); no retry (a lost turn is redone by
    ``--resume``, not twice by Ray)."""
    options: dict[str, Any] = {"num_cpus": 1, "max_retries": 0}
    if node:
        options["resources"] = {node: 1}
    return options


def judge_options(node_id: str) -> dict[str, Any]:
    """Ray task options of one judging: on ``node_id`` (a node with the sandbox) and nowhere
    else, since another node may have no sandbox; a lost node fails it (the run then ends
    not finished and ``--resume`` measures that answer again)."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    return {"num_cpus": 1, "max_retries": 0,
            "scheduling_strategy": NodeAffinitySchedulingStrategy(node_id, soft=False)}
