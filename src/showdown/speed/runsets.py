"""``showdown run --set``: one model per configuration, named by it, so results never merge.

Pure: each (model, configuration) becomes a spec whose display name carries the configuration
(``smol [threads=2]``) and whose options carry the flags, so results are stored, resumed and
ranked per configuration, and the Quality table shows whether a setting changed the code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from showdown.providers import ModelSpec, model_label
from showdown.providers.ollama import OllamaOptions
from showdown.providers.options import OptionError
from showdown.speed.plan import KEYS, OLLAMA_KEYS, Config, SweepError, config_label, server_args

__all__ = ["RUN_KEYS", "sweep_specs"]

#: Sweep key -> the Ollama option that carries it, where the names differ (``num_gpu`` is the
#: ``n_gpu_layers`` every backend's config takes).
_OLLAMA_OPTION = {"num_gpu": "n_gpu_layers"}

#: What ``run --set`` can vary per provider: every llama-server key (``ctx`` becomes the model's
#: own context in place of ``--ctx``), and the Ollama keys its Options take.
RUN_KEYS = {"llamacpp": list(KEYS),
            "ollama": [k for k in OLLAMA_KEYS
                       if _OLLAMA_OPTION.get(k, k) in OllamaOptions.fields()]}


def _ollama_options(spec: ModelSpec, config: Config) -> dict[str, object]:
    """The spec's options with each swept key set as the Ollama option it names, typed and
    checked by ``OllamaOptions`` itself."""
    options = dict(spec.options)
    for key, text in config.items():
        name = _OLLAMA_OPTION.get(key, key)
        try:
            options[name] = OllamaOptions.check(name, OllamaOptions.from_text(name, text))
        except OptionError as exc:
            raise SweepError(f"run --set {key}={text}: {exc}") from exc
    return options


def _options(spec: ModelSpec, config: Config) -> dict[str, object]:
    if spec.provider == "ollama":
        return _ollama_options(spec, config)
    options = dict(spec.options)
    for key in ("n_gpu_layers", "ctx"):  # the server's own arguments, not extra flags
        if key in config:
            options[key] = int(config[key])
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
                                f"({spec.provider}: takes {', '.join(allowed) or 'no --set'})")
            name = f"{model_label(spec)} [{config_label(config)}]"
            swept.append(dataclasses.replace(spec, name=name, options=_options(spec, config)))
    return swept
