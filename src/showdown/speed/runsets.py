"""``showdown run --set``: one model per configuration, named by it, so results never merge.

Pure: each (model, configuration) becomes a spec whose display name carries the configuration
(``smol [threads=2]``) and whose options carry the flags, so results are stored, resumed and
ranked per configuration, and the Quality table shows whether a setting changed the code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from showdown.providers import ModelSpec, model_label
from showdown.speed.plan import KEYS, Config, SweepError, config_label, server_args

__all__ = ["RUN_KEYS", "sweep_specs"]

#: What ``run --set`` can vary per provider. The context is the run's own ``--ctx`` (one for
#: all models, so answers stay comparable); Ollama's thread count is not a run option.
RUN_KEYS = {"llamacpp": [k for k in KEYS if k != "ctx"], "ollama": ["num_gpu"]}


def _options(spec: ModelSpec, config: Config) -> dict[str, object]:
    options = dict(spec.options)
    if spec.provider == "ollama":
        options["n_gpu_layers"] = int(config["num_gpu"]) if "num_gpu" in config else "auto"
        return options
    if "n_gpu_layers" in config:
        options["n_gpu_layers"] = int(config["n_gpu_layers"])
    existing = options.get("server_args")
    options["server_args"] = [*(existing if isinstance(existing, list) else []),
                              *server_args(config)]
    return options


def sweep_specs(specs: Sequence[ModelSpec], configs: Sequence[Config]) -> list[ModelSpec]:
    """Each spec once per configuration (unchanged when there is no sweep); SweepError if a key
    does not apply to a model's provider."""
    if list(configs) in ([], [{}]):
        return list(specs)
    swept = []
    for spec in specs:
        allowed = RUN_KEYS.get(spec.provider, [])
        for config in configs:
            if wrong := [k for k in config if k not in allowed]:
                raise SweepError(f"run --set {', '.join(wrong)} does not apply to {spec.spec} "
                                f"({spec.provider}: takes {', '.join(allowed) or 'no --set'}; "
                                "the context is --ctx)")
            name = f"{model_label(spec)} [{config_label(config)}]"
            swept.append(dataclasses.replace(spec, name=name, options=_options(spec, config)))
    return swept
