"""``showdown.toml``: the models to run, their per-model options and the run's fair settings.

One file (``./showdown.toml`` or ``--config PATH``) so a leaderboard can be re-run as it was;
the command line overrides it. Every mistake is one line naming the file, the key and what is
expected. The format is documented by the commented example in ``examples/showdown.toml``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from showdown.errors import ConfigError
from showdown.providers import ModelSpec, OptionError, ProviderError, parse_spec
from showdown.providers.registry import applicable, options_of
from showdown.records import GenerationSettings
from showdown.validate import Check, check, table
from showdown.validate import is_int as _is_int
from showdown.validate import is_number as _is_number
from showdown.validate import is_str_list as _is_str_list

__all__ = ["CONFIG_FILE", "NODE_KEY", "Config", "ConfigError", "RunSettings", "find_config", "load_config",
           "parse_config", "resolve"]

CONFIG_FILE = "showdown.toml"
#: A model's cluster node (``showdown run --cluster``): kept with its options, not the backend's.
NODE_KEY = "node"


_SETTINGS: dict[str, Check] = {
    "max_tokens": (lambda v: _is_int(v) and v > 0, "a whole number above 0"),
    "ctx": (lambda v: _is_int(v) and v > 0, "a whole number above 0"),
    "temperature": (lambda v: _is_number(v) and v >= 0, "a number, 0 or more"),
    "seed": (_is_int, "a whole number"),
    "trials": (lambda v: _is_int(v) and v >= 1, "a whole number, 1 or more"),
}


@dataclass(frozen=True)
class Config:
    """A parsed config file: models with their options, run settings it sets, GGUF folders."""

    path: Path | None = None
    models: tuple[ModelSpec, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    gguf_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RunSettings:
    """What a run ends up with once the command line, the file and the defaults are merged."""

    specs: list[ModelSpec]
    settings: GenerationSettings
    trials: int


def find_config(explicit: Path | None, cwd: Path) -> Path | None:
    """``--config PATH`` (which must exist), else ``showdown.toml`` in the working folder."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such config file")
        return explicit
    default = cwd / CONFIG_FILE
    return default if default.is_file() else None


def load_config(path: Path | None) -> Config:
    """Read and check a config file (no file: an empty config)."""
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_config(data, path)


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Check a decoded config; relative paths in it are relative to the file's folder."""
    unknown = sorted(set(data) - {"settings", "models", "gguf_dirs"})
    if unknown:
        raise ConfigError(f"{path}: {unknown[0]}: unknown key; expected settings, models "
                          "or gguf_dirs")
    settings = _table(data.get("settings", {}), path, "settings")
    for key, value in settings.items():
        _check(_SETTINGS, key, value, path, "settings")
    dirs = data.get("gguf_dirs", [])
    if not _is_str_list(dirs):
        raise ConfigError(f"{path}: gguf_dirs: expected a list of folder paths, got {dirs!r}")
    models = data.get("models", [])
    if not isinstance(models, list):
        raise ConfigError(f"{path}: models: expected [[models]] tables, got {models!r}")
    base = path.parent
    return Config(path, tuple(_model(m, i, path) for i, m in enumerate(models)), settings,
                  tuple(_resolve_path(d, base) for d in dirs))


def _model(entry: Any, index: int, path: Path) -> ModelSpec:
    where = f"models[{index}]"
    entry = _table(entry, path, where)
    spec_text = entry.get("spec")
    if not isinstance(spec_text, str) or not spec_text:
        raise ConfigError(f"{path}: {where}.spec: expected a model spec such as "
                          f"\"ollama:gemma3:12b\", got {spec_text!r}")
    try:
        spec = parse_spec(spec_text)
    except ProviderError as exc:
        raise ConfigError(f"{path}: {where}.spec: {exc}") from exc
    name = entry.get("name", spec.name)
    if not isinstance(name, str):
        raise ConfigError(f"{path}: {where}.name: expected a display name (a string), got {name!r}")
    options = {k: v for k, v in entry.items() if k not in ("spec", "name")}
    node = options.get(NODE_KEY, "")
    if not isinstance(node, str) or (NODE_KEY in options and not node.strip()):
        raise ConfigError(f"{path}: {where}.{NODE_KEY}: expected the name of a Ray resource a "
                          f"cluster node was started with, e.g. \"gpu-box\", got {node!r}")
    try:  # the provider's own Options: the same rules as for the command line
        options_of(spec.provider).parse({k: v for k, v in options.items() if k != NODE_KEY},
                                        spec.provider)
    except OptionError as exc:
        raise ConfigError(f"{path}: {where}.{exc}") from exc
    return _anchor(dataclasses.replace(spec, name=name, options=options), path.parent)


def _anchor(spec: ModelSpec, base: Path) -> ModelSpec:
    """Files named in the config are found from the config's folder, wherever showdown runs."""
    options = dict(spec.options)
    if "llama_server" in options:
        options["llama_server"] = str(_resolve_path(options["llama_server"], base))
    if spec.provider != "llamacpp":
        return dataclasses.replace(spec, options=options)
    target = str(_resolve_path(spec.target, base))
    return dataclasses.replace(spec, target=target, spec=f"llamacpp:{target}", options=options)


def _resolve_path(text: str, base: Path) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _table(value: Any, path: Path, where: str) -> dict[str, Any]:
    return table(value, f"{path}: {where}", ConfigError)


def _check(checks: Mapping[str, Check], key: str, value: Any, path: Path, where: str) -> None:
    check(checks, key, value, f"{path}: {where}", ConfigError)


def resolve(config: Config, models: Sequence[str], settings: Mapping[str, Any],
            options: Mapping[str, Any]) -> RunSettings:
    """Command line over file over defaults.

    ``models``, ``settings`` and ``options`` hold only what the command line actually gave. A
    ``--model`` naming a configured entry (by display name or spec) takes that entry with its
    options; any other is parsed as a spec. No models anywhere: an empty list (the caller picks).
    """
    entries = {key: m for m in config.models for key in (m.name, m.spec) if key}
    specs = [entries[m] if m in entries else parse_spec(m) for m in models] or list(config.models)
    specs = [dataclasses.replace(s, options={**s.options, **applicable(s.provider, options)})
             for s in specs]
    merged = {**dataclasses.asdict(GenerationSettings()), "trials": 1, **config.settings,
              **settings}
    return RunSettings(specs, GenerationSettings(int(merged["max_tokens"]), int(merged["ctx"]),
                                                 float(merged["temperature"]),
                                                 int(merged["seed"])), int(merged["trials"]))
