"""The ``showdown`` command: one thin module per command, each parsing its arguments into a
typed request and calling one library function (``showdown.api`` and friends).

Every problem a user can act on is a ``ShowdownError``: caught here once, printed as one line,
exit code from the error. Heavy modules (the providers, the report, numpy, gguf, httpx) are
imported inside the commands, so ``showdown --help`` starts fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from showdown import __version__
from showdown.cli import (
    export,
    fit,
    import_,
    models,
    report,
    run,
    runs,
    score,
    setup,
    show,
    speed,
    tasks,
)
from showdown.errors import Nothing, ShowdownError

__all__ = ["cli", "main"]


class _Showdown(click.Group):
    """The command group: a ShowdownError from any command is one line and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Nothing as done:  # nothing to do: said plainly, exit 0
            from showdown.cli.output import say

            say(str(done))
            sys.exit(done.exit_code)
        except ShowdownError as exc:
            from showdown.cli.output import fail

            fail(str(exc), exc.exit_code)


@click.group(cls=_Showdown)
@click.version_option(__version__, prog_name="showdown")
def cli() -> None:
    """Which model should I run for coding on this hardware, how fast, and is its code good?"""


for _module in (score, setup, report, models, fit, tasks, run, runs, show, speed, export,
                import_):
    cli.add_command(_module.command)


def main() -> None:
    """Console-script entry point."""
    try:
        cli()
    except KeyboardInterrupt:  # Ctrl-C before a run has started: nothing to save or stop
        from showdown.cli.output import say

        say("interrupted")
        sys.exit(130)
