"""How model-written Python is started in the sandbox: the standard library only, fairly.

``python -S`` keeps whatever is installed beside showdown out of reach (the prompts ask for the
standard library), but it also drops the ``exit``/``quit`` builtins that ``site`` adds, and
programs call ``exit(1)`` all the time. A one-line launcher puts them back, then runs the
script as ``__main__`` exactly as ``python script.py`` would.
"""

from __future__ import annotations

import sys

__all__ = ["LAUNCHER", "python_argv", "script_args"]

LAUNCHER = (
    "import builtins, runpy, sys, _sitebuiltins as s; "
    "builtins.exit = s.Quitter('exit', 'Ctrl-D (i.e. EOF)'); "
    "builtins.quit = s.Quitter('quit', 'Ctrl-D (i.e. EOF)'); "
    "sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def python_argv(script: str, *args: str) -> list[str]:
    """The command that runs ``script`` with ``args`` under the standard library only."""
    return [sys.executable, "-S", "-c", LAUNCHER, script, *args]


def script_args(argv: list[str]) -> list[str]:
    """The part of a command a user would type after ``python``: the script and its arguments."""
    if len(argv) >= 4 and argv[2:4] == ["-c", LAUNCHER]:
        return argv[4:]
    args = argv[1:]
    while args and args[0].startswith("-"):
        args = args[1:]
    return args or argv
