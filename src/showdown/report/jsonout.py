"""The JSON shapes showdown prints (``score --json``, ``run --json``)."""

from __future__ import annotations

from typing import Any

from showdown.records import Result, Verdict, to_dict

__all__ = ["result_json", "verdict_json"]


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """One judged answer: counts, every check and test, score, diagnoses and the code."""
    return {
        "task": verdict.task,
        "syntax_ok": verdict.syntax_ok,
        "features": {
            "passed": verdict.features_passed,
            "total": len(verdict.features),
            "checks": [to_dict(c) for c in verdict.features],
        },
        "functional": {
            "passed": verdict.functional_passed,
            "total": len(verdict.functional),
            "tests": [to_dict(t) for t in verdict.functional],
        },
        "score": verdict.score,
        "diagnoses": [to_dict(d) for d in verdict.diagnoses],
        "code_lines": verdict.code_lines,
        "isolation": verdict.isolation,
        "seed": verdict.seed,
        "code": verdict.code,
    }


def result_json(result: Result) -> dict[str, Any]:
    """One (model, task, trial) result: timings, settings and the verdict's fields."""
    gen = result.generation
    row: dict[str, Any] = {
        "run_id": result.run_id,
        "model": result.model,
        "spec": result.spec,
        "task": result.task,
        "trial": result.trial,
        "started_at": result.started_at,
        "ttft_s": gen.ttft_s,
        "total_s": gen.total_s,
        "output_tokens": gen.output_tokens,
        "prompt_tokens": gen.prompt_tokens,
        "tokens_per_s": gen.tokens_per_s,
        "load_s": gen.load_s,
        "finish_reason": gen.finish_reason,
        "server_tokens_per_s": gen.server_tokens_per_s,
        "server_timings": gen.server_timings,
        "error": gen.error,
        "settings": to_dict(result.settings),
        "model_info": result.model_info,
        "telemetry": result.telemetry,
        "host": result.host,
        "answer": gen.text,
        "reasoning": gen.reasoning,
    }
    if result.verdict is not None:
        row |= verdict_json(result.verdict)
    return row
