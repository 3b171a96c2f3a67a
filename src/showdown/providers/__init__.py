"""Providers: one small class per backend protocol, one streaming method each."""

from showdown.providers.base import ChatRequest, Provider, ProviderError
from showdown.providers.registry import ModelSpec, make_provider, parse_spec

__all__ = ["ChatRequest", "ModelSpec", "Provider", "ProviderError", "make_provider", "parse_spec"]
