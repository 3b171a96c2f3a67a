"""Judging spread over a Ray cluster against one process: 500 HumanEval judgings both ways.

The answers are HumanEval's canonical solutions as a model's fenced reply, and every fifth
one wrong (its body replaced by ``pass``), so the verdicts are checked too: the same number
must pass both ways. Both sides call the one judging function ``showdown run --cluster`` uses
(``showdown.fleet.work.judge``: the task's judge in bubblewrap): here in a loop in one
process, there as Ray tasks placed as the fleet places them (``placement.judge_options``,
round-robin over the nodes with the sandbox) on a local cluster of a head and two workers,
one CPU each, in a private network namespace with only loopback (tests/raycluster.py, as the
cluster tests start it). A third figure is the cost of a Ray task alone: the same number of
tasks doing nothing, so ``overhead per task`` is what Ray adds to each judging.

On a machine with few cores the three nodes share them: the figures say so (``cores``), and
the ratio, not the absolute rate, is what carries to a real fleet of separate machines.
Needs root (ip netns).

    python benchmarks/bench_cluster.py [--n 500]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from raycluster import ENV, LocalCluster, cluster_problem  # noqa: E402

from showdown.fleet import work  # noqa: E402
from showdown.records import Generation  # noqa: E402
from showdown.tasks import find_task  # noqa: E402
from showdown.tasks.function import FunctionTask  # noqa: E402

__all__ = ["main"]


def answers(n: int) -> list[tuple[str, Generation, bool]]:
    """``n`` (case, answer, should pass): canonical solutions, every fifth made wrong."""
    task = find_task("humaneval")
    assert isinstance(task, FunctionTask)
    cases = list(task.problems)
    made = []
    for i in range(n):
        problem = task.problem(cases[i % len(cases)])
        wrong = i % 5 == 4
        body = "    pass\n" if wrong else problem.canonical_solution
        text = f"```python\n{problem.prompt}{body}```"
        made.append((problem.task_id, Generation(text=text, finish_reason="stop"), not wrong))
    return made


def passed(verdict: object) -> bool:
    return getattr(verdict, "score", 0) == 100


def local_loop(n: int) -> dict[str, float]:
    """The judgings one after another in this process."""
    items = answers(n)
    work.judge("humaneval", [], items[0][0], items[0][1], False)  # warm: task load, bwrap probe
    started = time.monotonic()
    ok = sum(passed(work.judge("humaneval", [], case, gen, False)[0]) for case, gen, _ in items)
    return {"seconds": time.monotonic() - started, "passed": ok,
            "expected": sum(e for _, _, e in items)}


def on_cluster(address: str, n: int) -> dict[str, float]:
    """Run inside the namespace: the judgings as the fleet's Ray tasks, then as many no-ops."""
    import ray

    from showdown.fleet.connect import connect, live_nodes
    from showdown.fleet.driver import _remotes
    from showdown.fleet.placement import judge_options

    connect(address)
    nodes = [node.id for node in live_nodes(ray)]
    judge = _remotes(ray)[1]
    items = answers(n)
    # Warm every node's worker (task load, bwrap probe), as a run's first judgings would.
    ray.get([judge.options(**judge_options(node)).remote("humaneval", [], items[0][0],
                                                         items[0][1], False)
             for node in nodes for _ in range(2)])
    started = time.monotonic()
    refs = [judge.options(**judge_options(nodes[i % len(nodes)])).remote(
        "humaneval", [], case, gen, False) for i, (case, gen, _) in enumerate(items)]
    verdicts = ray.get(refs)
    seconds = time.monotonic() - started
    used = len({node for _, node in verdicts})

    @ray.remote(num_cpus=1)
    def nothing(case: str, gen: Generation) -> None:
        return None

    ray.get([nothing.remote(c, g) for c, g, _ in items[:20]])
    started = time.monotonic()
    ray.get([nothing.options(**judge_options(nodes[i % len(nodes)])).remote(case, gen)
             for i, (case, gen, _) in enumerate(items)])
    noop = time.monotonic() - started
    return {"seconds": seconds, "passed": sum(passed(v) for v, _ in verdicts),
            "nodes": len(nodes), "nodes_used": used, "noop_seconds": noop}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="judgings each way (500)")
    parser.add_argument("--driver", metavar="ADDRESS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.driver:  # the half that runs inside the namespace
        print(json.dumps(on_cluster(args.driver, args.n)))
        return
    if (problem := cluster_problem()) is not None:
        raise SystemExit(f"cannot start a local cluster: {problem}")
    cluster = LocalCluster(f"sdbench{os.getpid()}")
    try:
        cluster.start_head()
        cluster.add_node("node-a")
        cluster.add_node("node-b")
        done = subprocess.run(cluster.command([sys.executable, __file__, "--n", str(args.n),
                                               "--driver", cluster.address]),
                              capture_output=True, text=True, env=ENV, timeout=1800)
    finally:
        cluster.down()
    if done.returncode != 0:
        raise SystemExit(f"the cluster half failed: {done.stderr[-3000:]}")
    remote = json.loads(done.stdout.strip().splitlines()[-1])
    local = local_loop(args.n)
    n = args.n
    print(f"{n} HumanEval judgings ({local['expected']:.0f} should pass), "
          f"cores on this machine: {os.cpu_count()}")
    print(f"  one process, in a loop:   {local['seconds']:7.1f} s  {n / local['seconds']:6.1f} "
          f"tasks/s  {1000 * local['seconds'] / n:6.1f} ms each  passed {local['passed']:.0f}")
    print(f"  Ray cluster ({remote['nodes']:.0f} nodes, 1 CPU each, {remote['nodes_used']:.0f} "
          f"judged): {remote['seconds']:7.1f} s  {n / remote['seconds']:6.1f} tasks/s  "
          f"passed {remote['passed']:.0f}")
    print(f"  Ray tasks doing nothing:  {remote['noop_seconds']:7.1f} s  "
          f"{n / remote['noop_seconds']:6.1f} tasks/s: overhead per task "
          f"{1000 * remote['noop_seconds'] / n:.1f} ms")
    print(f"  cluster / one process: {local['seconds'] / remote['seconds']:.2f}x the rate "
          f"(the nodes share {os.cpu_count()} cores here; separate machines add theirs)")
    if local["passed"] != remote["passed"] or local["passed"] != local["expected"]:
        raise SystemExit("the verdicts differ: see the passed counts above")


if __name__ == "__main__":
    main()
