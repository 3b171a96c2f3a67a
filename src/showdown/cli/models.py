"""``showdown models``: the models showdown can see."""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["command"]


@click.command("models")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Config file (default: ./showdown.toml if present).")
@click.option("--ollama-url", help="Ollama server (default: $OLLAMA_HOST or 127.0.0.1:11434).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def command(config_path: Path | None, ollama_url: str | None, as_json: bool) -> None:
    """List the models showdown can see: Ollama's, GGUF files in gguf_dirs, configured ones."""
    from showdown.cli.output import console, note
    from showdown.config import find_config, load_config
    from showdown.inventory import survey
    from showdown.providers.registry import all_providers
    from showdown.records import to_dict
    from showdown.report.models import print_models

    found = survey(load_config(find_config(config_path, Path.cwd())), ollama_url)
    providers = all_providers()  # spec prefixes, plugins' included
    if as_json:
        click.echo(json.dumps({"models": [to_dict(m) for m in found.models],
                               "notes": found.notes, "providers": providers}, indent=2))
        return
    print_models(console, found.models)
    for line in found.notes:
        note(line)
    note(", ".join(f"{p}:" + ("" if m.startswith("showdown.") else f" (plugin {m})")
                   for p, m in providers.items()), "providers", "cyan")
