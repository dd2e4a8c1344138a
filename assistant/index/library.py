"""The indexed library: catalogue, vectors, keyword index and embedder, opened lazily together."""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.index.bm25 import KeywordIndex
from assistant.index.catalog import Catalog
from assistant.index.embedder import Embedder, SentenceTransformerEmbedder
from assistant.index.unit_cache import UnitCache
from assistant.index.vectors import VectorStore, chroma_client
from assistant.models import AnswerUnit, DocumentMeta, DocumentStructure


class Library:
    """Everything under one data folder (or one Chroma server), shared by ingest and retrieval."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._custom = embedder is not None
        self._lock = threading.Lock()
        self._keywords: KeywordIndex | None = None
        self._metas: tuple[int, dict[str, DocumentMeta]] | None = None
        self._structures: tuple[int, dict[str, DocumentStructure]] = (-1, {})

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.settings.data_dir)

    @cached_property
    def vectors(self) -> VectorStore:
        url = self.settings.chroma_url
        client = chroma_client(self.settings.data_dir, url)
        return VectorStore(client, self.settings.chroma_collection, server=url)

    @cached_property
    def unit_cache(self) -> UnitCache:
        return UnitCache(self.catalog, self.settings.unit_cache_units)

    def units_within(self, spans: list[tuple[str, int, int]]) -> list[tuple[AnswerUnit, np.ndarray]]:
        """The answer units (with their vectors) overlapping any (doc_id, start, end) span, in
        document order: retrieval and the answerer read them here, from memory after first use."""
        return self.unit_cache.units_within(spans)

    @property
    def custom_embedder(self) -> bool:
        """Was the embedder handed in (a test's, the benchmark's) rather than made from the settings?"""
        return self._custom

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def keyword_folder(self) -> Path:
        return self.settings.data_dir / "bm25"

    def keywords(self) -> KeywordIndex:
        """The BM25 index for the catalogue as it is now (rebuilt if another process changed it)."""
        with self._lock:
            generation = self.catalog.generation()
            if self._keywords is None or self._keywords.generation != generation:
                self._keywords = KeywordIndex.load_or_build(self.catalog, self.keyword_folder)
            return self._keywords

    def save_keywords(self) -> None:
        """Rebuild and save the BM25 index unless the saved one matches the catalogue."""
        if not KeywordIndex.is_saved(self.catalog, self.keyword_folder):
            self.keywords()

    def metas(self) -> dict[str, DocumentMeta]:
        """Document metadata by doc_id, cached per catalogue generation."""
        generation = self.catalog.generation()
        if self._metas is None or self._metas[0] != generation:
            self._metas = (generation, {d.meta.doc_id: d.meta for d in self.catalog.documents()})
        return self._metas[1]

    def structure(self, doc_id: str) -> DocumentStructure:
        """The blocks and page map of a document's reading text, cached per catalogue generation."""
        generation = self.catalog.generation()
        if self._structures[0] != generation:
            self._structures = (generation, {})
        cache = self._structures[1]
        if doc_id not in cache:
            cache[doc_id] = self.catalog.structure(doc_id)
        return cache[doc_id]


def make_embedder(settings: Settings) -> Embedder:
    """The embedding model run by the configured backend (PyTorch, or ONNX Runtime fp32/int8)."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(
            settings.embedding_model, batch_size=settings.embed_batch_size, threads=settings.embed_threads
        )
    from assistant.index.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(
        settings.embedding_model, settings.embed_batch_size, cache_dir=settings.data_dir / "models",
        precision="int8" if settings.embedding_backend == "onnx-int8" else "fp32",
    )
