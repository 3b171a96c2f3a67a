"""One tree of errors a user can act on: each carries a one-line message and an exit code.

The command line catches ``ShowdownError`` once and prints ``error: <message>``, exiting with
``exit_code``; the Python API raises the same classes. A program under test failing is data (a
verdict), never one of these; a bug in showdown is any other exception.

    ShowdownError                 a user-facing message + an exit code (2: fix the input)
    ├── ConfigError               showdown.toml cannot be used (file, key, what is expected)
    ├── TaskError                 a task is unknown, or its folder or task.toml is broken
    ├── PlanError                 the run's plan cannot run as given (ranges, flags, specs)
    ├── SelectionError            a report's filters match nothing, or an id is ambiguous
    ├── StoreError                the SQLite store cannot be opened, read or written
    ├── FetchError                a download or a llama-server build failed
    ├── GgufError                 a file is not a GGUF model showdown can read
    ├── SandboxUnavailable        no sandbox can run untrusted code here
    ├── ServerError               a managed llama-server cannot be started
    ├── Nothing                   nothing to do (a finished run to resume): exit code 0
    └── ProviderError             a model spec or backend problem (showdown.providers.base)

``ConfigError``, ``TaskError``, ``PlanError`` and ``SelectionError`` are also ``ValueError``s, and
``StoreError``, ``FetchError``, ``SandboxUnavailable``, ``ServerError`` and ``ProviderError``
``RuntimeError``s, as they were before the tree, so older ``except`` clauses still hold.
"""

from __future__ import annotations

__all__ = ["ConfigError", "FetchError", "GgufError", "Nothing", "PlanError", "SandboxUnavailable",
           "SelectionError", "ServerError", "ShowdownError", "StoreError", "TaskError"]


class ShowdownError(Exception):
    """Something the user can fix or should know, said in one line; ``exit_code`` for the CLI."""

    exit_code: int = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(ShowdownError, ValueError):
    """The config file cannot be used (the message names the file, the key and what is expected)."""


class TaskError(ShowdownError, ValueError):
    """A task folder or task file is broken (the message names the file and the key)."""


class PlanError(ShowdownError, ValueError):
    """The plan cannot run as given (the message says what is wrong and how to fix it)."""


class SelectionError(ShowdownError, ValueError):
    """Nothing (or something unknown) was selected; the message says what the store holds."""


class StoreError(ShowdownError, RuntimeError):
    """The store cannot be opened or written (the message says where and what to do)."""


class FetchError(ShowdownError, RuntimeError):
    """A download or build failed (the message says what to do instead)."""


class GgufError(ShowdownError):
    """The path is missing, is not a GGUF file, or a split model is incomplete."""


class SandboxUnavailable(ShowdownError, RuntimeError):
    """The isolation asked for cannot run on this machine (the message says why and what to do)."""


class ServerError(ShowdownError, RuntimeError):
    """The server would not start or died (the message holds the log's last lines)."""


class Nothing(ShowdownError):
    """Nothing to do (a finished run to resume, no failed results to retry): one line, exit 0."""

    exit_code = 0
