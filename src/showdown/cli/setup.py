"""``showdown setup``: fetch the bundled model and find or build llama-server."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("setup")
@click.option("--llama-server", type=click.Path(path_type=Path), help="Use this llama-server.")
def command(llama_server: Path | None) -> None:
    """Fetch the bundled model and find or build llama-server (cached; safe to re-run)."""
    from showdown.cli.output import note
    from showdown.errors import FetchError
    from showdown.fetch import ensure_bundled_model, ensure_llama_server

    def say(message: str) -> None:
        note(message, "setup", "cyan")

    try:
        model = ensure_bundled_model(say)
        server = ensure_llama_server(llama_server, say)
    except FetchError as exc:  # the network or the build: not the user's input
        raise FetchError(str(exc), exit_code=1) from exc
    say(f"model  {model}")
    say(f"server {server}")
