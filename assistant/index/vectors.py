"""Chunk vectors in Chroma: embedded under the data folder, or a Chroma server when configured."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
    """A PersistentClient under data_dir, or an HttpClient for `url` (server mode).

    In server mode nothing is written under data_dir/chroma: the catalogue and BM25 stay local,
    the vectors live in the server. The client checks the server on creation, so a wrong URL
    fails here with a clear message rather than on the first question.
    """
    force_offline()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        host, port, ssl = parse_server_url(url)
        try:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
        except Exception as err:
            raise ChromaUnavailable(f"cannot reach the Chroma server at {url}: {err}") from err
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=chroma_settings)


def parse_server_url(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of http://host:port; the port defaults to Chroma's 8000 (443 for https)."""
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ChromaUnavailable(f"cannot reach the Chroma server at {url}: not an http(s)://host:port URL")
    ssl = parsed.scheme == "https"
    return parsed.hostname, parsed.port or (443 if ssl else 8000), ssl


@contextmanager
def _server_errors(where: str | None) -> Iterator[None]:
    """A server that goes away mid-session raises ChromaUnavailable, not a raw httpx error."""
    if where is None:
        yield
        return
    import httpx

    try:
        yield
    except (httpx.TransportError, ConnectionError) as err:
        raise ChromaUnavailable(f"cannot reach the Chroma server at {where}: {err}") from err


class VectorStore:
    """One Chroma collection of chunk vectors; metadata carries what filters need.

    `server` is the Chroma server URL in server mode (None when embedded): it names the server in
    the error raised if it stops answering.
    """

    def __init__(self, client: Any, collection: str = COLLECTION, server: str | None = None) -> None:
        self.server = server
        with _server_errors(server):
            self.collection = client.get_or_create_collection(
                collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray, meta: DocumentMeta) -> None:
        with _server_errors(self.server):
            for i in range(0, len(chunks), 1000):
                batch = chunks[i : i + 1000]
                self.collection.upsert(
                    ids=[c.chunk_id for c in batch],
                    embeddings=vectors[i : i + 1000],
                    metadatas=[_metadata(c, meta) for c in batch],
                )

    def update_document_meta(self, meta: DocumentMeta) -> None:
        """Bring a document's vector metadata in line with an edit of its publisher or date
        (filters read the catalogue, so a kill before this runs leaves answers right)."""
        with _server_errors(self.server):
            found = self.collection.get(where={"doc_id": meta.doc_id}, include=["metadatas"])
        ids = found["ids"]
        if ids:
            metadatas = [{**(m or {}), "publisher": meta.publisher, "year": meta.year or 0} for m in found["metadatas"]]
            with _server_errors(self.server):
                for i in range(0, len(ids), 1000):
                    self.collection.update(ids=ids[i : i + 1000], metadatas=metadatas[i : i + 1000])

    def delete_document(self, doc_id: str, keep: set[str] | None = None) -> None:
        """Delete a document's vectors, except the chunk ids in `keep`."""
        with _server_errors(self.server):
            found = self.collection.get(where={"doc_id": doc_id}, include=[])["ids"]
        stale = [i for i in found if not keep or i not in keep]
        self.delete(stale)

    def delete(self, ids: list[str]) -> None:
        with _server_errors(self.server):
            for i in range(0, len(ids), 1000):
                self.collection.delete(ids=ids[i : i + 1000])

    def ids(self) -> set[str]:
        with _server_errors(self.server):
            return set(self.collection.get(include=[])["ids"])

    def count(self) -> int:
        with _server_errors(self.server):
            return int(self.collection.count())

    def query(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest chunks that pass the filters."""
        k = min(k, self.count())
        if k <= 0:
            return []
        with _server_errors(self.server):
            result = self.collection.query(
                query_embeddings=[vector], n_results=k, where=chroma_where(filters), include=["distances"]
            )
        ids, distances = result["ids"][0], result["distances"][0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]


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
