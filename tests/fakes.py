"""A small, deterministic stand-in for the embedding model, for the fast unit tests only.

Each word is hashed to a few dimensions of a 384-wide vector (MiniLM's width), so texts that share
words are close and the index, fusion and bookkeeping code run exactly as with the real model,
without loading it. Integration tests use the real all-MiniLM-L6-v2.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Bag of hashed words, L2-normalised; one 'token' per word."""

    name = "fake-hashing-embedder"
    max_tokens = 256

    def __init__(self, dimensions: int = 384) -> None:
        self.dimensions = dimensions
        self.embedded = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                for i in range(0, 8, 2):
                    out[row, int.from_bytes(digest[i : i + 2], "little") % self.dimensions] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))
