"""Judging beside generation: a run's wall time with judging inline against judging on a worker.

A local OpenAI-compatible server (tests/httpfake.py, the wire format of
https://platform.openai.com/docs/api-reference/chat-streaming) streams a known-good todo-cli
answer over a set time, standing in for a model that runs elsewhere (a remote API, or a GPU);
showdown judges each answer in the real sandbox. The stream is timed to last about as long as
one judging (measured first, in the same run), the case where overlap matters most. Inline, the
wall time is about the sum of generation and judging; pipelined, about the larger of the two
(plus one judging or generation at the ends).

    python benchmarks/bench_pipeline.py [--answers 6] [--stream-s S] [--allow-weak-isolation]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from httpfake import Reply, Sleep, fake_server, sse, sse_done  # noqa: E402

from showdown.judge import judge_answer  # noqa: E402
from showdown.providers import parse_spec  # noqa: E402
from showdown.records import GenerationSettings  # noqa: E402
from showdown.runner import RunPlan, benchmark  # noqa: E402
from showdown.sandbox import Sandbox, default_sandbox  # noqa: E402
from showdown.store import Store  # noqa: E402
from showdown.tasks import Answer, find_task  # noqa: E402
from showdown.tasks.loader import BUILTIN_DIR  # noqa: E402

__all__ = ["main"]

CLEAN = (ROOT / "examples" / "answers" / "clean.md").read_text()
CHUNKS = 40


def judging_s(sandbox: Sandbox, runs: int = 2) -> float:
    """Seconds one judging of the clean answer takes here (the best of ``runs``)."""
    task = find_task("todo-cli")
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        verdict = judge_answer(task, Answer(CLEAN, "stop"), sandbox, "todo-cli")
        best = min(best, time.perf_counter() - started)
        assert verdict.score == 100, verdict.diagnoses
    return best


def streamer(stream_s: float) -> Any:
    """A route streaming the clean answer in ``CHUNKS`` pieces over ``stream_s`` seconds."""
    size = -(-len(CLEAN) // CHUNKS)

    def reply(path: str, body: dict[str, Any]) -> Reply:
        steps: list[Any] = []
        for i in range(0, len(CLEAN), size):
            steps += [Sleep(stream_s / CHUNKS),
                      sse({"choices": [{"delta": {"content": CLEAN[i:i + size]}}]})]
        steps += [sse({"choices": [{"delta": {}, "finish_reason": "stop"}]}),
                  sse({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 300}}),
                  sse_done()]
        return Reply(steps=steps)

    return reply


def timed_run(url: str, answers: int, workers: int, sandbox: Sandbox,
              folder: Path) -> tuple[float, float]:
    """(wall seconds, Σ generation seconds) of one run of ``answers`` trials."""
    plan = RunPlan([parse_spec(f"remote=openai-compat:{url}/v1#m")], [find_task("todo-cli")],
                   GenerationSettings(max_tokens=1024, ctx=4096), trials=answers, warmup=False,
                   judge_concurrency=workers)
    store = Store(folder / f"pipeline-{workers}.db")
    started = time.perf_counter()
    _, results = benchmark(plan, store, sandbox)
    wall = time.perf_counter() - started
    assert len(results) == answers and all(r.verdict and r.verdict.score == 100 for r in results)
    return wall, sum(r.generation.total_s or 0.0 for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=6)
    parser.add_argument("--stream-s", type=float, help="seconds each answer streams "
                        "(default: one judging's time, measured here)")
    parser.add_argument("--allow-weak-isolation", action="store_true")
    args = parser.parse_args()
    sandbox = default_sandbox(allow_weak=args.allow_weak_isolation, hide=[BUILTIN_DIR])
    judge_s = judging_s(sandbox)
    stream_s = args.stream_s or judge_s
    print(f"sandbox {sandbox.isolation}; one judging {judge_s:.2f} s; each answer streams "
          f"{stream_s:.2f} s; {args.answers} answers")
    with tempfile.TemporaryDirectory() as tmp, fake_server(
            {"POST /v1/chat/completions": streamer(stream_s)}) as server:
        inline, gen_inline = timed_run(server.url, args.answers, 0, sandbox, Path(tmp))
        piped, gen_piped = timed_run(server.url, args.answers, 1, sandbox, Path(tmp))
    judged = inline - gen_inline  # judging and storing, as the inline run spent them
    print(f"inline     wall {inline:6.2f} s   Σ generation {gen_inline:6.2f} s   "
          f"Σ judging+storing {judged:6.2f} s   (sum {gen_inline + judged:6.2f} s)")
    print(f"pipelined  wall {piped:6.2f} s   Σ generation {gen_piped:6.2f} s   "
          f"max(Σ gen, Σ judge) {max(gen_piped, judged):6.2f} s")
    print(f"pipelined / inline wall: {piped / inline:.2f}x; pipelined / max(Σ gen, Σ judge): "
          f"{piped / max(gen_piped, judged):.2f}x (1.0 = perfect overlap; one answer's judging "
          f"or generation is always outside it)")


if __name__ == "__main__":
    main()
