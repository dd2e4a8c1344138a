"""Chunk vectors in Chroma: embedded under the data folder, or a Chroma server when configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.config import force_offline
from assistant.models import Chunk, DocumentMeta, SearchFilters

COLLECTION = "policy_chunks"


class ChromaUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached."""


def chroma_client(data_dir: Path, url: str | None) -> Any:
    """A PersistentClient under data_dir, or an HttpClient for `url` (server mode)."""
    force_offline()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                ssl=parsed.scheme == "https", settings=chroma_settings,
            )
        except Exception as err:
            raise ChromaUnavailable(f"cannot reach the Chroma server at {url}: {err}") from err
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=chroma_settings)


class VectorStore:
    """One Chroma collection of chunk vectors; metadata carries what filters need."""

    def __init__(self, client: Any, collection: str = COLLECTION) -> None:
        self.collection = client.get_or_create_collection(
            collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray, meta: DocumentMeta) -> None:
        for i in range(0, len(chunks), 1000):
            batch = chunks[i : i + 1000]
            self.collection.upsert(
                ids=[c.chunk_id for c in batch],
                embeddings=vectors[i : i + 1000],
                metadatas=[_metadata(c, meta) for c in batch],
            )

    def delete_document(self, doc_id: str, keep: set[str] | None = None) -> None:
        """Delete a document's vectors, except the chunk ids in `keep`."""
        found = self.collection.get(where={"doc_id": doc_id}, include=[])["ids"]
        stale = [i for i in found if not keep or i not in keep]
        self.delete(stale)

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i : i + 1000])

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def count(self) -> int:
        return int(self.collection.count())

    def query(self, vector: np.ndarray, k: int, filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest chunks that pass the filters."""
        k = min(k, self.count())
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=k, where=chroma_where(filters), include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]


def _metadata(chunk: Chunk, meta: DocumentMeta) -> dict[str, str | int]:
    return {
        "doc_id": chunk.doc_id,
        "publisher": meta.publisher,
        "year": meta.year or 0,
        "section": chunk.section,
    }


def chroma_where(filters: SearchFilters | None) -> dict[str, Any] | None:
    """SearchFilters as a Chroma `where` clause."""
    if filters is None or not filters.active:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.doc_ids:
        clauses.append({"doc_id": {"$in": filters.doc_ids}})
    if filters.publishers:
        clauses.append({"publisher": {"$in": filters.publishers}})
    if filters.year_from:
        clauses.append({"year": {"$gte": filters.year_from}})
    if filters.year_to:
        clauses.append({"year": {"$lte": filters.year_to}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
