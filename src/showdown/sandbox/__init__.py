"""Run untrusted, model-written code: one ``exec`` contract, isolation chosen per machine."""

from showdown.sandbox.base import Limits, Sandbox, SandboxUnavailable
from showdown.sandbox.process import ProcessSandbox

__all__ = ["Limits", "ProcessSandbox", "Sandbox", "SandboxUnavailable", "default_sandbox"]


def default_sandbox() -> Sandbox:
    """The strongest isolation this machine offers."""
    return ProcessSandbox()
