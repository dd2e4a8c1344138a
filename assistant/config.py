"""All settings in one place: environment variables prefixed POLICY_ASSISTANT_, or a .env file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_KNOWLEDGE = PROJECT_ROOT / "knowledge"
PROMPTS_DIR = PROJECT_ROOT / "prompts"


def force_offline() -> None:
    """Nothing in this product may reach a model hub or phone home; set before heavy imports."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }.items():
        os.environ.setdefault(key, value)


def cpu_cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Settings(BaseSettings):
    """Every knob of the assistant; each field is POLICY_ASSISTANT_<NAME> in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="POLICY_ASSISTANT_", env_file=".env", extra="ignore"
    )

    # Where things live
    data_dir: Path = Field(Path(".data"), description="Index, catalogue, uploads, feedback.")
    knowledge_dir: Path = Field(BUNDLED_KNOWLEDGE, description="The default library to ingest.")
    prompts_dir: Path = Field(PROMPTS_DIR, description="Prompt and wording templates.")
    chroma_url: str | None = Field(
        None, description="Use a Chroma server (http://host:port) instead of the embedded store."
    )
    chroma_collection: str = Field(
        "policy_chunks", description="The Chroma collection; one per data dir when several share a server."
    )

    # Ingestion
    embedding_model: Path | None = Field(
        None, description="A local sentence-transformers folder; default: bundled MiniLM."
    )
    chunk_size: int = Field(250, description="Target chunk length in wordpieces.")
    chunk_overlap: int = Field(64, description="Overlap between chunks in wordpieces.")
    max_file_mb: float = Field(50.0, description="Files larger than this are skipped.")
    embed_batch_size: int = Field(32, description="Texts per embedding batch.")
    embed_threads: int = Field(1, description="CPU threads of the PyTorch embedding model while serving.")
    ingest_workers: int = Field(
        0, description="Encoding processes (one thread each) of a batch ingest (the `ingest` command, the server's "
        "first indexing): 0 = one per CPU core when there is more than ~200 KB to read, else in-process; "
        "1 = in-process. Uploads in the chat always encode on the serving thread.",
    )
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "torch", description="What runs the embedding model; ONNX exports are cached under data_dir/models. "
        "Changing it re-indexes (it is part of every document's content hash).",
    )

    # Retrieval and answering
    top_k: int = Field(10, description="Passages handed to the answerer.")
    candidate_k: int = Field(30, description="Candidates each retriever contributes to fusion.")
    unit_cache_units: int = Field(
        100_000, ge=1, description="Most answer units (with their vectors, ~3.5 KB each) kept in memory for answering; "
        "beyond it the documents least recently used are read from the catalogue again.",
    )
    rrf_k: int = Field(60, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(0.0, description="Weight of the chunks' dense ranking in fusion.")
    bm25_weight: float = Field(1.0, description="Weight of the chunks' BM25 ranking in fusion.")
    unit_dense_weight: float = Field(1.0, description="Weight of the ranking by each chunk's best answer unit by meaning.")
    unit_lexical_weight: float = Field(1.0, description="Weight of the ranking by each chunk's best answer unit by words.")
    named_document_boost: float = Field(0.5, description="Fused score gain of a chunk of a document the question names.")
    retrieval: Literal["hybrid", "dense", "bm25"] = Field("hybrid", description="Retrieval pipeline.")
    max_answer_sentences: int = Field(4, description="Most quoted passages in an extractive answer.")
    refusal_threshold: float = Field(0.2, description="Best sentence score below this refuses.")
    max_question_chars: int = Field(1000, description="Longer questions are refused with a message.")

    # Generative answers (off unless configured)
    llm_backend: Literal["none", "openai", "azure"] = Field("none", description="none, openai (any compatible server) or azure.")
    llm_base_url: str | None = Field(None, description="The server's /v1 URL, or the Azure endpoint.")
    llm_model: str | None = Field(None, description="Model name the server knows.")
    llm_api_key: str | None = Field(None, description="API key (local servers need none).")
    llm_api_version: str | None = Field(None, description="Azure API version, e.g. 2024-10-21.")
    azure_deployment: str | None = Field(None, description="Azure deployment name.")
    unsupported_sentences: Literal["drop", "mark"] = Field("drop", description="What the guard does with unsupported sentences.")
    llm_temperature: float = Field(0.0, description="Sampling temperature.")
    llm_max_tokens: int = Field(400, description="Longest generated answer, in tokens.")
    llm_timeout: float = Field(120.0, description="Seconds to wait for the model before giving up.")
    llm_context_window: int = Field(8192, description="The model's context window, in tokens.")
    llm_passages: int = Field(6, description="Retrieved passages given to the model as numbered sources.")
    guard_min_supported: float = Field(
        0.5, description="Below this share of supported sentences, fall back to the extractive answer."
    )

    # Answering under load (the chat and the JSON API share these slots)
    answer_workers: int = Field(0, description="Questions answered at once (0: one per CPU core).")
    answer_queue: int = Field(32, description="Questions that may wait for a free slot; beyond that, 'busy' at once.")
    answer_api_weight: int = Field(
        2, ge=1, description="When API and chat questions both wait, API questions are served this many times for each "
        "chat question (a program asks one question at a time and waits; neither face ever starves).",
    )
    answer_wait_seconds: float = Field(
        30.0, description="Longest wait for a free slot before 'busy' (HTTP 503 from the API, a message in the chat)."
    )

    # The web app
    host: str = Field("127.0.0.1", description="Address the chat listens on (loopback only by default).")
    port: int = Field(7860, description="Port of the chat and the JSON API.")
    auth_username: str | None = Field(None, description="With auth_password: a login for chat and API.")
    auth_password: str | None = Field(None, description="With auth_username: a login for chat and API.")

    @property
    def uploads_dir(self) -> Path:
        """Where the chat copies uploaded files before ingesting them."""
        return self.data_dir / "uploads"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
