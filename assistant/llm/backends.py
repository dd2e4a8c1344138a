"""Which language model answers, chosen by settings.

Every backend is a LlamaIndex LLM, so the generative answerer never knows which one it talks
to. Integrations are imported inside the factory: with `llm_backend = "none"` (the default)
nothing network-bound is imported or contacted, and the `llm` extra need not be installed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from assistant.config import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

class LLMNotConfigured(ValueError):
    """Settings ask for a backend but leave out something it needs, or its package is missing."""


def make_llm(settings: Settings) -> LLM | None:
    """The configured LLM, or None when generative answers are off."""
    if settings.llm_backend == "none":
        return None
    if settings.llm_backend == "openai":
        return _openai_like(settings)
    return _azure(settings)


def _openai_like(settings: Settings) -> LLM:
    """Any server speaking the OpenAI chat API: Ollama, vLLM, llama.cpp, LM Studio, OpenAI itself."""
    if not settings.llm_base_url or not settings.llm_model:
        raise LLMNotConfigured(
            "llm_backend=openai needs POLICY_ASSISTANT_LLM_BASE_URL and POLICY_ASSISTANT_LLM_MODEL.")
    OpenAILike = _import("llama_index.llms.openai_like", "OpenAILike")
    llm: LLM = OpenAILike(
        model=settings.llm_model, api_base=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",  # local servers ignore it, the client insists
        is_chat_model=True, is_function_calling_model=False, context_window=settings.llm_context_window,
        max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature,
        timeout=settings.llm_timeout, max_retries=1,
    )
    return llm


def _azure(settings: Settings) -> LLM:
    """Azure OpenAI: an endpoint, a deployment name, an API version and a key."""
    missing = [name for name, value in (
        ("LLM_BASE_URL", settings.llm_base_url), ("AZURE_DEPLOYMENT", settings.azure_deployment),
        ("LLM_API_KEY", settings.llm_api_key), ("LLM_API_VERSION", settings.llm_api_version),
    ) if not value]
    if missing:
        needed = ", ".join(f"POLICY_ASSISTANT_{m}" for m in missing)
        raise LLMNotConfigured(f"llm_backend=azure needs {needed}.")
    AzureOpenAI = _import("llama_index.llms.azure_openai", "AzureOpenAI")
    llm: LLM = AzureOpenAI(
        engine=settings.azure_deployment, model=settings.llm_model or "gpt-4o-mini",
        azure_endpoint=settings.llm_base_url, api_key=settings.llm_api_key,
        api_version=settings.llm_api_version, max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature, timeout=settings.llm_timeout, max_retries=1,
    )
    try:  # the integration looks the model up in OpenAI's table: fail now, not on the first question
        llm.metadata  # noqa: B018
    except ValueError as err:
        raise LLMNotConfigured(
            f"POLICY_ASSISTANT_LLM_MODEL={settings.llm_model!r} is not an OpenAI model name; with Azure it names "
            "the model behind the deployment (e.g. gpt-4o-mini)."
        ) from err
    return llm


def _import(module: str, name: str) -> type:
    try:
        found: type = getattr(importlib.import_module(module), name)
        return found
    except ImportError as err:
        raise LLMNotConfigured(
            f"{module} is not installed: pip install 'policy-assistant[llm]' ({err})."
        ) from err
