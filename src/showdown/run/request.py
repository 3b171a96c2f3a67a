"""What a user asks of a run, typed: the command line and ``showdown.api.run`` both fill it.

``None`` means "not given": the config file, then the defaults (``GenerationSettings`` for the
fair settings, each provider for its options) decide. ``PLAN_FLAGS`` names the command-line flag
of each field that shapes the plan, so a refusal can say which flag to drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_TASK", "PLAN_FLAGS", "RunRequest", "given_plan_flags"]

#: The task a run judges when none is named: the seed's own.
DEFAULT_TASK = "todo-cli"


#: The fields that shape a run's plan, and their command-line flags (in the order checked).
PLAN_FLAGS = {"models": "--model", "tasks": "--task", "task_dirs": "--task-dir",
              "config": "--config", "max_tokens": "--max-tokens", "ctx": "--ctx",
              "temperature": "--temperature", "seed": "--seed", "trials": "--trials",
              "case_limit": "--limit", "only_cases": "--problems", "round": "--round",
              "n_gpu_layers": "--n-gpu-layers", "llama_server": "--llama-server",
              "sets": "--set"}


@dataclass(frozen=True)
class RunRequest:
    """A run as asked for; empty or None fields are left to the config file and the defaults."""

    models: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    task_dirs: tuple[Path, ...] = ()
    config: Path | None = None
    max_tokens: int | None = None
    ctx: int | None = None
    temperature: float | None = None
    seed: int | None = None
    trials: int | None = None
    case_limit: int | None = None
    only_cases: tuple[str, ...] | None = None
    round: str | None = None
    n_gpu_layers: int | str | None = None
    llama_server: Path | None = None
    #: Sweeps (``KEY=V1,V2``): every model once per configuration, named by it.
    sets: tuple[str, ...] = ()
    # Not part of the plan: they may change between a run and its resumption.
    health_timeout_s: float | None = None
    idle_timeout_s: float | None = None
    #: A SQLite path or a postgresql:// URL (None: $SHOWDOWN_DB, else the default file).
    db: Path | str | None = None
    resume: str | None = None
    retry_failed: str | None = None
    #: Resume a run marked running on another host (that host's showdown died).
    take_over: bool = False
    allow_weak_isolation: bool = False
    #: Answers judged while the next streams (None: 1 for remote or all-in-VRAM models, else 0).
    judge_concurrency: int | None = None
    probe: bool = True
    write_report: bool = True
    #: A Ray cluster's address (``showdown.fleet``): the plan runs on its nodes.
    cluster: str | None = None
    #: ``MODEL=NODE`` placements on the cluster (over the config's ``node`` keys).
    nodes: tuple[str, ...] = ()

    @property
    def task_ids(self) -> tuple[str, ...]:
        return self.tasks or (DEFAULT_TASK,)

    def settings(self) -> dict[str, Any]:
        """The fair settings and the trial count given (for ``config.resolve``)."""
        names = ("max_tokens", "ctx", "temperature", "seed", "trials")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def options(self) -> dict[str, Any]:
        """The per-model options given, under their config-file keys."""
        given = {"n_gpu_layers": self.n_gpu_layers, "llama_server": self.llama_server,
                 "health_timeout_s": self.health_timeout_s, "idle_timeout_s": self.idle_timeout_s}
        return {k: v for k, v in given.items() if v is not None}


def given_plan_flags(request: RunRequest) -> list[str]:
    """The flags of the plan-shaping fields the request sets (a resumed run keeps its own)."""
    return [flag for name, flag in PLAN_FLAGS.items() if getattr(request, name) not in (None, ())]
