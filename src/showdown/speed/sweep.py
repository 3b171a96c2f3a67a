"""A speed sweep: every model x configuration, checked up front, then measured depth by depth.

Checks first (unknown provider, unreadable GGUF, a depth past the trained context): nothing is
started or saved when one fails. Then, before each configuration, the GGUF fit prediction says
whether it fits; one predicted not to is skipped with the reason unless ``force``.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from showdown.fetch import FetchError, ensure_llama_server
from showdown.hardware.assess import assess_info
from showdown.hardware.fit import gib
from showdown.hardware.gguf_meta import GgufError, GgufInfo, read_gguf
from showdown.hardware.host import host_fingerprint
from showdown.providers import ModelSpec, ProviderError, make_provider
from showdown.providers.llamacpp import LlamaCppProvider
from showdown.providers.ollama import OllamaProvider
from showdown.speed.measure import ServerSetup, measure_config
from showdown.speed.ollama import OllamaSpeedError, measure_ollama, ollama_trained
from showdown.speed.plan import Config, SweepError, config_label, default_ctx, keys_problem, too_deep
from showdown.speed.records import SpeedRow

__all__ = ["Skip", "SpeedPlan", "Target", "fit_problem", "plan_speed", "run_speed"]

Say = Callable[[str], None]


@dataclass
class Target:
    """One model to measure: a GGUF file showdown serves, or a model on an Ollama server."""

    label: str
    spec: str
    provider: LlamaCppProvider | OllamaProvider
    info: GgufInfo | None  # None for Ollama: its files are the server's
    trained: int | None


@dataclass
class SpeedPlan:
    """Everything a sweep will do, known before anything starts."""

    targets: list[Target]
    configs: list[Config]
    depths: list[int]
    gen: int
    repetitions: int
    vram_gib: float | None = None
    force: bool = False


@dataclass
class Skip:
    """A configuration not measured, and why."""

    model: str
    config: Config
    why: str


@dataclass
class Outcome:
    rows: list[SpeedRow] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def _target(spec: ModelSpec) -> Target:
    if spec.provider not in ("llamacpp", "ollama"):
        raise SweepError(f"model spec {spec.spec!r}: speed measures llamacpp:PATH.gguf (a "
                        "llama-server showdown manages) and ollama:NAME models; give one of those")
    try:
        provider = make_provider(spec)
        if isinstance(provider, OllamaProvider):
            trained = ollama_trained(provider.endpoint(os.environ), provider.model)
            return Target(provider.name, spec.spec, provider, None, trained)
        assert isinstance(provider, LlamaCppProvider)
        info = read_gguf(provider.model_path)
    except (ProviderError, OllamaSpeedError) as exc:
        raise SweepError(str(exc)) from exc
    except GgufError as exc:
        raise SweepError(f"model spec {spec.spec!r}: {exc}") from exc
    return Target(provider.name, spec.spec, provider, info, info.context_length)


def plan_speed(specs: Sequence[ModelSpec], configs: list[Config], depths: list[int], gen: int,
               repetitions: int, vram_gib: float | None = None, force: bool = False) -> SpeedPlan:
    """Check everything that can be checked without a server; SweepError says what is wrong."""
    targets = [_target(s) for s in specs]
    for target in targets:
        for config in configs:
            if why := keys_problem(config, target.spec.partition(":")[0]):
                raise SweepError(why)
            given = config.get("ctx") or config.get("num_ctx")
            ctx = int(given) if given else None
            if why := too_deep(depths, gen, target.trained, ctx, target.label):
                raise SweepError(why)
    return SpeedPlan(targets, configs, depths, gen, repetitions, vram_gib, force)


def _ctx(plan: SpeedPlan, target: Target, config: Config) -> int:
    if given := config.get("ctx") or config.get("num_ctx"):
        return int(given)
    return default_ctx(plan.depths, plan.gen, target.trained)


def fit_problem(info: GgufInfo, config: Config, ctx: int, n_gpu_layers: int | None,
                vram_gib: float | None) -> str | None:
    """Why this configuration is predicted not to fit (VRAM for its GPU layers, or RAM), or None."""
    report = assess_info(info, vram_gib, ctx)
    p = report.prediction
    if n_gpu_layers is not None and report.vram_source != "none" and n_gpu_layers > p.n_gpu_layers:
        return (f"n_gpu_layers={n_gpu_layers} but only {p.n_gpu_layers} fit in "
                f"{report.vram_note} with ctx {ctx}: {p.why}")
    need = p.cpu_bytes + p.kv_bytes
    if need > report.ram_bytes:
        return (f"needs about {gib(need)} of RAM for weights and a {ctx}-token KV cache, more "
                f"than the {gib(report.ram_bytes)} here")
    return None


def _layers(provider: LlamaCppProvider, config: Config) -> int | None:
    """The GPU layers asked for (config, then the model's option), or None for "auto"."""
    if "n_gpu_layers" in config:
        return int(config["n_gpu_layers"])
    chosen = provider.options.n_gpu_layers
    return None if chosen == "auto" else chosen


def _measure_llamacpp(plan: SpeedPlan, target: Target, provider: LlamaCppProvider, binary: Path,
                      config: Config, rows: list[SpeedRow], say: Say) -> str | None:
    """Measure one configuration, or say why it is skipped (predicted not to fit)."""
    assert target.info is not None
    ctx = _ctx(plan, target, config)
    layers = _layers(provider, config)
    why = fit_problem(target.info, config, ctx, layers, plan.vram_gib)
    if why and not plan.force:
        return why
    if layers is None:
        layers = assess_info(target.info, plan.vram_gib, ctx).prediction.n_gpu_layers
    opts = provider.options
    setup = ServerSetup(binary, provider.model_path, ctx, layers, opts.server_args, config,
                        opts.health_timeout_s)
    measure_config(setup, rows, plan.repetitions, say)
    return None


def _binary(target: Target, say: Say) -> Path | None:
    if not isinstance(target.provider, LlamaCppProvider):
        return None
    try:
        return ensure_llama_server(target.provider.llama_server, say=say)
    except FetchError as exc:
        raise SweepError(str(exc)) from exc


def run_speed(plan: SpeedPlan, save: Callable[[SpeedRow], None], say: Say) -> Outcome:
    """Measure every (model, configuration) that fits; each row is saved as soon as it is done."""
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    outcome = Outcome()
    host = host_fingerprint()
    for target in plan.targets:
        binary, provider = _binary(target, say), target.provider
        for config in plan.configs:
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            rows = [SpeedRow(run_id, now, target.label, target.spec, dict(config), d, plan.gen,
                             host=host) for d in plan.depths]
            if isinstance(provider, OllamaProvider):
                say(f"{target.label} [{config_label(config)}]: Ollama places layers itself, "
                    "so there is no fit prediction to check")
                measure_ollama(provider.endpoint(os.environ), provider.model, config,
                               _ctx(plan, target, config), rows, plan.repetitions)
            else:
                assert binary is not None
                if why := _measure_llamacpp(plan, target, provider, binary, config, rows, say):
                    outcome.skipped.append(Skip(target.label, config, why))
                    say(f"skipped {target.label} [{config_label(config)}]: {why}")
                    continue
            for row in rows:
                save(row)
            outcome.rows.extend(rows)
    return outcome
