"""Judging beside generation: answer k is judged on worker threads while answer k+1 streams.

Judging runs the model's code in the sandbox, which takes CPU time; where the model does not
run on the same cores (a remote API, or a model wholly in VRAM) that time can overlap the next
generation instead of adding to the run. Answers wait in a bounded queue (as many as there are
workers), so a slow judge holds generation back rather than letting answers pile up in memory.
Each worker stores what it judged at once, through its own connection to the store (a SQLite
connection belongs to the thread that opened it; ``Store.reopen`` makes one of any kind).
Signals reach only the main thread, so a worker's write is never cut short by Ctrl-C; ``close``
judges and stores what was queued, even when a Ctrl-C arrives while it waits.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType

from showdown.store import Store

__all__ = ["OVERLAP_PLACEMENTS", "JudgePool", "judge_workers"]

#: Where a model runs off the CPU cores judging uses (see ``report.groups.PLACEMENTS``).
OVERLAP_PLACEMENTS = frozenset({"vram", "cloud"})

#: How often an idle worker looks whether the pool is closing.
_POLL_S = 0.05

#: One answer's judging and storing, given the worker's own store.
Job = Callable[[Store], None]


def judge_workers(requested: int | None, remote: bool, placement: object) -> int:
    """How many answers to judge beside generation: as ``--judge-concurrency`` asked, else one
    where the model runs elsewhere (remote, or wholly in VRAM) and none (judge inline) for a
    local model on the CPU, whose speed judging would disturb."""
    if requested is not None:
        return requested
    return 1 if remote or placement in OVERLAP_PLACEMENTS else 0


class JudgePool:
    """``workers`` threads judging submitted answers in order; ``submit`` waits while the queue
    is full. A job's failure (the store gone, the sandbox broken) stops the pool and is raised
    in the main thread at the next ``submit`` or at ``close``."""

    def __init__(self, workers: int, open_store: Callable[[], Store]) -> None:
        if workers < 1:
            raise ValueError(f"a judging pool needs at least one worker, not {workers}")
        self.open_store = open_store
        self._jobs: queue.Queue[Job] = queue.Queue(maxsize=workers)
        self._closing = False
        self._failure: BaseException | None = None
        self._raised = False
        self._done = [threading.Event() for _ in range(workers)]
        for i, done in enumerate(self._done):
            threading.Thread(target=self._work, args=(done,), name=f"judge-{i}").start()

    def __enter__(self) -> JudgePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(raise_failure=exc is None)

    def submit(self, job: Job) -> None:
        """Queue one answer's judging (waiting for room); first raise any earlier failure."""
        self._raise()
        self._jobs.put(job)

    def close(self, raise_failure: bool = True) -> None:
        """Judge and store everything queued, stop the workers, then raise a failure if any
        (unless the caller is already on its way out with an exception of its own).

        A Ctrl-C while waiting here does not cut the wait short: what was measured is judged
        and stored first (later signals are ignored by then), and the Ctrl-C raised after.
        """
        self._closing = True
        stopped: BaseException | None = None
        # Not Thread.join: a join cut short by a signal marks a running thread stopped
        # (CPython's bpo-45274 handling), and the wait would end early.
        for done in self._done:
            while not done.is_set():
                try:
                    done.wait()
                except BaseException as exc:  # Interrupted: keep waiting, then raise it
                    stopped = stopped or exc
        if stopped is not None:
            raise stopped
        if raise_failure:
            self._raise()

    def _raise(self) -> None:
        """Raise the failure once; the pool stays failed (later jobs are still dropped)."""
        if self._failure is not None and not self._raised:
            self._raised = True
            raise self._failure

    def _next(self) -> Job | None:
        """The next queued job; None once the queue is empty and the pool is closing, or at
        once if the main thread has ended without closing it (judging while the interpreter
        shuts down would leave sandboxes half cleaned: those answers are judged on resume)."""
        while threading.main_thread().is_alive():
            try:
                return self._jobs.get(timeout=_POLL_S)
            except queue.Empty:
                if self._closing:
                    return None
        return None

    def _work(self, done: threading.Event) -> None:
        store: Store | None = None
        try:
            while (job := self._next()) is not None:
                if self._failure is not None:
                    continue  # after a failure the rest is dropped, as an inline run would stop
                try:
                    store = store or self.open_store()
                    job(store)
                except BaseException as exc:  # handed to the main thread, never lost here
                    self._failure = self._failure or exc
        finally:
            if store is not None:
                store.close()
            done.set()
