"""Providers: one module per backend, each declaring its prefix, its options and how it builds
itself from a spec; registered by ``@register`` (plugins: the ``showdown.providers`` entry point).

What a provider module, built in or third-party, needs is importable from here.
"""

# The built-in backends register themselves (``@register``) as they are imported.
from showdown.providers import anthropic, llamacpp, ollama, openai, openai_compat
from showdown.providers.base import ChatRequest, Progress, Provider, ProviderError, StreamClock
from showdown.providers.options import (
    CommonOptions,
    OptionError,
    ProviderOptions,
    above,
    at_least,
    option,
)
from showdown.providers.registry import (
    make_provider,
    model_label,
    parse_spec,
    provider_class,
    register,
)
from showdown.providers.spec import ModelSpec

__all__ = ["ChatRequest", "CommonOptions", "ModelSpec", "OptionError", "Progress", "Provider",
           "ProviderError", "ProviderOptions", "StreamClock", "above", "anthropic", "at_least",
           "llamacpp", "make_provider", "model_label", "ollama", "openai", "openai_compat",
           "option", "parse_spec", "provider_class", "register"]
