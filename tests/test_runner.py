"""The run loop against a local OpenAI-compatible server: results judged, stored, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from httpfake import DROP, Reply, fake_server, sse, sse_done

from showdown.codestyle import style_metrics
from showdown.providers import parse_spec
from showdown.records import GenerationSettings
from showdown.runner import RunPlan, benchmark, plan_from_run
from showdown.sandbox import ProcessSandbox
from showdown.store import Store
from showdown.tasks import find_task

ROOT = Path(__file__).resolve().parent.parent
CLEAN = (ROOT / "examples" / "answers" / "clean.md").read_text()


def answer_stream(text: str) -> Reply:
    steps: list[Any] = [sse({"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]})]
    for i in range(0, len(text), 200):
        steps.append(sse({"choices": [{"delta": {"content": text[i:i + 200]},
                                        "finish_reason": None}]}))
    steps += [sse({"choices": [{"delta": {}, "finish_reason": "stop"}]}),
              sse({"choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": 400}}),
              sse_done()]
    return Reply(steps=steps)


def plan_for(url: str, trials: int = 1, names: tuple[str, ...] = ("good",)) -> RunPlan:
    specs = [parse_spec(f"{n}=openai-compat:{url}/{n}/v1#m") for n in names]
    return RunPlan(specs, [find_task("todo-cli")], GenerationSettings(max_tokens=512, ctx=2048),
                   trials=trials, warmup=False)


def routes() -> dict[str, Any]:
    return {
        "POST /good/v1/chat/completions": lambda p, b: answer_stream(CLEAN),
        "POST /broken/v1/chat/completions": lambda p, b: Reply(steps=[
            sse({"choices": [{"delta": {"content": "```python\nimport sqlite3\ndef add("}}]}), DROP]),
    }


def test_run_measures_judges_and_stores_every_trial(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with fake_server(routes()) as server:
        run, results = benchmark(plan_for(server.url, trials=2), store, ProcessSandbox())
    assert run.status == "finished"
    assert [(r.model, r.trial) for r in results] == [("good", 1), ("good", 2)]
    first = results[0]
    assert first.verdict is not None and first.verdict.score == 100
    assert first.generation.output_tokens == 400 and first.generation.tokens_per_s is not None
    assert first.settings.max_tokens == 512 and first.settings.ctx == 2048
    # Each trial samples with its own seed, recorded with it and sent on the wire.
    assert [r.settings.seed for r in results] == [42, 43]
    assert [body["seed"] for _, _, body in server.requests] == [42, 43]
    assert store.results(run_ids=[run.run_id]) == results
    # Style counts are worked out once, when judged, and stored with the verdict.
    assert first.verdict.style == style_metrics(first.verdict.code) is not None
    # A server showdown did not start: no process to watch, said plainly rather than zeros.
    assert first.telemetry["proc_cpu_s"] is None
    assert "no server process" in first.telemetry["unavailable"]["proc_cpu_s"]
    assert first.telemetry["joules_per_token"] is None
    assert store.run(run.run_id) is not None


def test_a_failing_model_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with fake_server(routes()) as server:
        _, results = benchmark(plan_for(server.url, names=("broken", "good")), store,
                               ProcessSandbox())
    broken, good = results
    assert broken.generation.error is not None
    assert broken.generation.text.startswith("```python")  # what arrived is kept
    # A server failure mid-answer is a failed generation, never scored as the model's code.
    assert broken.verdict is None
    assert good.verdict is not None and good.verdict.score == 100


def test_dead_server_is_an_error_result_not_a_crash(tmp_path: Path) -> None:
    with fake_server({}) as server:
        url = server.url
    _, results = benchmark(plan_for(url), Store(tmp_path / "s.db"), ProcessSandbox())
    assert results[0].verdict is None
    assert results[0].generation.error is not None
    assert "connection failed" in results[0].generation.error


def test_resume_redoes_only_what_is_missing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with fake_server(routes()) as server:
        run, _ = benchmark(plan_for(server.url, trials=1), store, ProcessSandbox())
        # Pretend the run was cut short after trial 1 of 3, then finish it.
        run.trials, run.status = 3, "interrupted"
        store.save_run(run)
        again = store.last_unfinished()
        assert again is not None and again.run_id == run.run_id
        resumed, rest = benchmark(plan_from_run(again), store, ProcessSandbox(), resume=again)
    assert resumed.run_id == run.run_id and resumed.status == "finished"
    assert [r.trial for r in rest] == [2, 3]
    keys = [(r.model, r.task, r.case, r.trial) for r in store.results(run_ids=[run.run_id])]
    assert sorted(keys) == [("good", "todo-cli", "todo-cli", n) for n in (1, 2, 3)]
    assert store.last_unfinished() is None


def test_repo_and_function_tasks_run_end_to_end(tmp_path: Path) -> None:
    """`showdown run --task feature-in-repo --task humaneval --limit 2` against a local server:
    a correct repo answer scores 100; HumanEval problems are cases, each its own result."""
    repo_answer = (ROOT / "tests" / "fixtures" / "repo_answers" / "feature-in-repo.md").read_text()

    def reply(path: str, body: dict[str, Any]) -> Reply:
        prompt = body["messages"][-1]["content"]
        if "def " in prompt and "bookmarks" not in prompt:  # a HumanEval problem
            return answer_stream("```python\ndef wrong():\n    return None\n```")
        return answer_stream(repo_answer)

    with fake_server({"POST /good/v1/chat/completions": reply}) as server:
        plan = plan_for(server.url)
        plan.tasks = [find_task("feature-in-repo"), find_task("humaneval")]
        plan.case_limit = 2
        _, results = benchmark(plan, Store(tmp_path / "s.db"), ProcessSandbox())
    by_case = {(r.task, r.case): r for r in results}
    assert set(by_case) == {("feature-in-repo", "feature-in-repo"), ("humaneval", "HumanEval/0"),
                            ("humaneval", "HumanEval/1")}
    repo = by_case[("feature-in-repo", "feature-in-repo")].verdict
    assert repo is not None and repo.score == 100
    for case in ("HumanEval/0", "HumanEval/1"):
        verdict = by_case[("humaneval", case)].verdict
        assert verdict is not None and verdict.score == 0


def test_one_load_is_reported_once_not_per_trial(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from showdown.providers.base import Provider
    from showdown.providers.registry import PROVIDERS
    from showdown.providers.spec import ModelSpec
    from showdown.records import Generation

    class Loads(Provider):
        PREFIX = "loads"

        @classmethod
        def from_spec(cls, spec: ModelSpec) -> Provider:
            return cls("m", spec.spec)

        def open(self, settings: GenerationSettings) -> GenerationSettings:
            self.load_s = 1.5
            return settings

        def stream(self, request: Any, progress: Any = None) -> Generation:
            return Generation(text="no code here", load_s=self.load_s)

    monkeypatch.setitem(PROVIDERS, "loads", Loads)
    plan = RunPlan([parse_spec("loads:x")], [find_task("todo-cli")], GenerationSettings(),
                   trials=3, warmup=False)
    _, results = benchmark(plan, Store(tmp_path / "s.db"), ProcessSandbox())
    assert [r.generation.load_s for r in results] == [1.5, None, None]


def test_out_of_tokens_while_reasoning_is_judged_truncated_and_a_refusal_is_said(
        tmp_path: Path) -> None:
    """Neither is a failed generation: both are the model's own result (issue #14, items 4, 8)."""
    thinking = Reply(steps=[
        sse({"choices": [{"delta": {"reasoning_content": "let me think"}, "finish_reason": None}]}),
        sse({"choices": [{"delta": {}, "finish_reason": "length"}]}), sse_done()])
    refusal = Reply(steps=[
        sse({"choices": [{"delta": {"refusal": "I can't help with that."}, "finish_reason": None}]}),
        sse({"choices": [{"delta": {}, "finish_reason": "stop"}]}), sse_done()])
    routes = {"POST /thinker/v1/chat/completions": lambda p, b: thinking,
              "POST /refuser/v1/chat/completions": lambda p, b: refusal}
    with fake_server(routes) as server:
        _, (thinker, refuser) = benchmark(plan_for(server.url, names=("thinker", "refuser")),
                                          Store(tmp_path / "s.db"), ProcessSandbox())
    assert thinker.generation.error is None and thinker.generation.reasoning == "let me think"
    assert thinker.verdict is not None and thinker.verdict.score == 0
    assert "truncated" in {d.code for d in thinker.verdict.diagnoses}
    assert refuser.generation.refusal == "I can't help with that." and refuser.verdict is not None
    assert refuser.verdict.diagnoses[0].code == "refused"
    assert "I can't help with that." in refuser.verdict.diagnoses[0].message
