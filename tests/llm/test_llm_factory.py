"""Backends are chosen by settings; building one contacts nothing."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.llm.backends import LLMNotConfigured, make_llm

pytest.importorskip("llama_index.llms.openai_like", reason="the llm extra is not installed")


def test_no_backend_means_no_llm() -> None:
    assert make_llm(Settings(llm_backend="none")) is None


def test_an_openai_compatible_server() -> None:
    from llama_index.llms.openai_like import OpenAILike

    llm = make_llm(Settings(llm_backend="openai", llm_base_url="http://127.0.0.1:11434/v1", llm_model="qwen2.5:7b"))
    assert isinstance(llm, OpenAILike)
    assert llm.api_base == "http://127.0.0.1:11434/v1" and llm.model == "qwen2.5:7b"
    assert llm.metadata.is_chat_model and llm.temperature == 0.0


def test_azure_openai() -> None:
    from llama_index.llms.azure_openai import AzureOpenAI

    llm = make_llm(Settings(
        llm_backend="azure", llm_base_url="https://example-resource.openai.azure.com/", llm_api_key="k",
        llm_api_version="2024-10-21", azure_deployment="policy-gpt4o", llm_model="gpt-4o",
    ))
    assert isinstance(llm, AzureOpenAI) and llm.engine == "policy-gpt4o"


@pytest.mark.parametrize(("overrides", "needs"), [
    ({"llm_backend": "openai", "llm_model": "m"}, "LLM_BASE_URL"),
    ({"llm_backend": "azure", "llm_base_url": "https://x.openai.azure.com/", "llm_api_key": "k"}, "AZURE_DEPLOYMENT"),
    ({"llm_backend": "azure", "llm_base_url": "https://x.openai.azure.com/", "llm_api_key": "k",
      "azure_deployment": "d", "llm_api_version": "2024-10-21", "llm_model": "my-custom-name"}, "not an OpenAI model"),
])
def test_missing_settings_are_named(overrides: dict[str, str], needs: str) -> None:
    with pytest.raises(LLMNotConfigured, match=needs):
        make_llm(Settings(**overrides))  # type: ignore[arg-type]
