"""``openai:MODEL``: OpenAI's own chat-completions API (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``).

The OpenAI-compatible stream with what OpenAI's API wants besides: ``max_completion_tokens``,
no temperature for its reasoning models, and one retry without a setting a 400 names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from showdown.providers.openai_compat import OpenAICompatOptions, OpenAICompatProvider
from showdown.providers.options import BaseURL
from showdown.providers.registry import register
from showdown.providers.spec import ModelSpec

__all__ = ["OPENAI_BASE_URL", "OpenAIOptions", "OpenAIProvider", "reasoning_model"]

OPENAI_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class OpenAIOptions(BaseURL, OpenAICompatOptions):
    """``openai-compat``'s options plus a base URL (a gateway or a proxy)."""


@register
class OpenAIProvider(OpenAICompatProvider):
    """A model behind OpenAI's API (placement: cloud)."""

    PREFIX = "openai"
    Options = OpenAIOptions
    TOKEN_PARAM = "max_completion_tokens"
    # A model the reasoning rule misses gets one more try without a setting its 400 names.
    DROP_REJECTED = True
    KEY_ENV = "OPENAI_API_KEY"
    SERVER = "openai"

    def __init__(self, name: str, spec: str, model: str, options: OpenAIOptions | None = None) -> None:
        options = options or OpenAIOptions()
        super().__init__(name, spec, None, model, options)
        self._url_option = options.base_url

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> OpenAIProvider:
        return cls(cls.label(spec), spec.spec, spec.target, OpenAIOptions.parse(spec.options, cls.PREFIX))

    def endpoint(self, env: Mapping[str, str]) -> str:
        return self._url_option or env.get("OPENAI_BASE_URL") or OPENAI_BASE_URL

    def unsent(self) -> dict[str, str]:
        not_sent = {"ctx": "the context window is fixed by the model"}
        if reasoning_model(self.model):
            not_sent["temperature"] = ("OpenAI's reasoning models (o-series, gpt-5) accept only "
                                       "their default temperature")
        return not_sent

    def where(self) -> dict[str, str]:
        return {"placement": "cloud"}


def reasoning_model(model: str) -> bool:
    """OpenAI's reasoning models, which refuse any temperature but their default (HTTP 400).

    The rule, from OpenAI's reasoning-models guide: the o-series (o1, o3, o4-mini, …) and the
    gpt-5 family, except the ``-chat`` variants, which are not reasoning models.
    """
    name = model.rsplit("/", 1)[-1].lower()
    return bool(re.match(r"(o[1-9]|gpt-5)(\b|[-.])", name)) and "-chat" not in name
