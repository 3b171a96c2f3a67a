"""Judging beside generation: the same verdicts and stored results as judging inline, each
stored as it is judged, and a worker's failure raised in the run, never lost."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from httpfake import fake_server
from test_runner import plan_for, routes

from showdown.judging import JudgePool, judge_workers
from showdown.runner import benchmark
from showdown.sandbox import ProcessSandbox
from showdown.store import Store, StoreError


def test_overlap_by_default_only_where_the_model_is_off_the_cpu() -> None:
    assert judge_workers(None, remote=True, placement=None) == 1
    assert judge_workers(None, remote=False, placement="vram") == 1
    assert judge_workers(None, remote=False, placement="cloud") == 1
    for local in ("cpu", "partial", "unknown", None):
        assert judge_workers(None, remote=False, placement=local) == 0
    assert judge_workers(0, remote=True, placement="vram") == 0  # asked: inline
    assert judge_workers(3, remote=False, placement="cpu") == 3


def _keys_and_verdicts(store: Store) -> list[tuple[object, ...]]:
    return sorted((r.model, r.trial, r.verdict.score if r.verdict else None,
                   r.verdict.style if r.verdict else None, r.generation.error is None)
                  for r in store.results())


def test_pipelined_run_stores_the_same_results_as_an_inline_one(tmp_path: Path) -> None:
    stores = {}
    with fake_server(routes()) as server:
        for workers in (0, 1, 2):
            plan = plan_for(server.url, trials=3, names=("broken", "good"))
            plan.judge_concurrency = workers
            store = stores[workers] = Store(tmp_path / f"s{workers}.db")
            run, results = benchmark(plan, store, ProcessSandbox())
            assert run.status == "finished"
            assert sorted(store.done_keys(run.run_id)) == sorted(
                (r.model, r.task, r.case, r.trial) for r in results)
            assert len(results) == 6
    assert _keys_and_verdicts(stores[1]) == _keys_and_verdicts(stores[0])
    assert _keys_and_verdicts(stores[2]) == _keys_and_verdicts(stores[0])
    good = [r for r in stores[1].results() if r.model == "good"]
    assert [r.verdict.score for r in good if r.verdict] == [100, 100, 100]


def test_each_answer_is_judged_on_a_worker_in_order_and_stored_by_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    seen: list[tuple[int, str, bool]] = []

    def job(n: int) -> object:
        def run(worker_store: Store) -> None:
            seen.append((n, threading.current_thread().name, worker_store is not store))
        return run

    with JudgePool(1, store.reopen) as pool:
        for n in range(5):
            pool.submit(job(n))  # type: ignore[arg-type]
    assert [n for n, _, _ in seen] == list(range(5))
    assert all(name == "judge-0" and own for _, name, own in seen)


def test_a_workers_failure_is_raised_in_the_run_and_the_rest_dropped(tmp_path: Path) -> None:
    ran: list[int] = []

    def fails(store: Store) -> None:
        raise StoreError("the disk is full")

    pool = JudgePool(1, lambda: Store(tmp_path / "s.db"))
    pool.submit(fails)
    with pytest.raises(StoreError, match="disk is full"):
        for n in range(50):  # a later submit (or close) raises it
            pool.submit(lambda store, n=n: ran.append(n))
        pool.close()
    pool.close(raise_failure=False)  # already raised: closing again is quiet
    assert ran == []  # nothing after the failure was judged as if the store were fine
    with pytest.raises(ValueError):
        JudgePool(0, lambda: Store(tmp_path / "s.db"))
