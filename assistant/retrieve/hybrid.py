"""Hybrid retrieval: dense (Chroma) and BM25 candidate chunks, ranked again by their best answer
units, fused by reciprocal rank, weighted towards the documents the question names, diversified.

Dense alone misses exact names and figures that officers ask about; BM25 alone misses paraphrase;
on long documents both reward a passage that mentions the question's words here and there over
one with a sentence that answers it. So the candidates of both are ranked four ways (chunk
dense, chunk BM25, best unit by meaning, best unit by words: `units`), and RRF, which needs no
score calibration, fuses the four with weights chosen by measurement (README "How passages are
found"). A chunk of a document the question names ("according to the Medium Term Planning
Framework": `naming`) gains in proportion; when it names two or more, the best chunk of each
leads. The last places go to documents not yet represented, so a comparison is not answered
out of one document only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.index.library import Library
from assistant.models import Chunk, DocumentMeta, SearchFilters
from assistant.retrieve.naming import read_naming
from assistant.retrieve.units import UnitEvidence, unit_evidence

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass
class ScoredChunk:
    """A retrieved chunk with its fused score and the raw signals behind it."""

    chunk: Chunk
    score: float
    dense: float = 0.0
    keyword: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)
    units: UnitEvidence = field(default_factory=UnitEvidence)
    named: float = 0.0  # how clearly the question names its document, 0 to 1 (naming.read_naming)
    source: bool = False  # its document is the one the question asks about ("according to the Plan")


class HybridRetriever(BaseRetriever):
    """A LlamaIndex retriever over the library; `search` is the typed entry point."""

    def __init__(self, library: Library, mode: Mode | None = None, k: int | None = None) -> None:
        super().__init__()
        self.library = library
        self.settings = library.settings
        self.mode: Mode = mode or self.settings.retrieval
        self.k = k or self.settings.top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [
            NodeWithScore(node=TextNode(id_=s.chunk.chunk_id, text=s.chunk.text, metadata=s.chunk.model_dump(
                exclude={"text"})), score=s.score)
            for s in self.search(query_bundle.query_str, self.k)
        ]

    def search(
        self, question: str, k: int | None = None, filters: SearchFilters | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[ScoredChunk]:
        """The k best chunks for the question, most relevant first."""
        k = k or self.k
        n = max(self.settings.candidate_k, k)
        allowed = self._allowed_docs(filters)
        if allowed is not None and not allowed:
            return []
        lists: dict[str, list[tuple[str, float]]] = {}
        vector = query_vector
        if self.mode in ("hybrid", "dense"):
            if vector is None:
                vector = self.library.embedder.embed([question])[0]
            where = SearchFilters(doc_ids=sorted(allowed)) if allowed is not None else None
            lists["dense"] = self.library.vectors.query(vector, n, where)
        if self.mode in ("hybrid", "bm25"):
            lists["bm25"] = self.library.keywords().search(question, n, allowed_docs=allowed)
        fused = self._fuse(lists)
        chunks = {c.chunk_id: c for c in self.library.catalog.chunks(list(fused))}
        scored = []
        for cid, entry in fused.items():
            if cid in chunks:  # a vector the catalogue does not know (mid-ingest) is skipped
                entry.chunk = chunks[cid]
                scored.append(entry)
        named = self._read_naming(question, scored, allowed)
        if self.mode != "hybrid":
            scored.sort(key=lambda s: s.score, reverse=True)
            return scored[:k]
        assert vector is not None
        self._rank_by_units(question, vector, scored)
        for entry in scored:
            entry.score *= 1.0 + self.settings.named_document_boost * entry.named
        scored.sort(key=lambda s: s.score, reverse=True)
        return diversify(named_first(scored, named), k)

    def _rank_by_units(self, question: str, vector: np.ndarray, scored: list[ScoredChunk]) -> None:
        """Add each chunk's ranks by its best unit, by meaning and by words, to its fused score."""
        weights = self.library.keywords().weights(question)
        titles = {d: m.title for d, m in self.library.metas().items()}
        dense = {s.chunk.chunk_id: s.dense for s in scored if "dense" in s.ranks}
        evidence = unit_evidence(self.library, [s.chunk for s in scored], vector, weights, titles, dense)
        for entry in scored:
            entry.units = evidence.get(entry.chunk.chunk_id, UnitEvidence())
        rankings = {
            "unit_dense": (self.settings.unit_dense_weight, lambda s: s.units.dense),
            "unit_lexical": (self.settings.unit_lexical_weight, lambda s: s.units.lexical),
        }
        for name, (weight, key) in rankings.items():
            for rank, entry in enumerate(sorted(scored, key=key, reverse=True), start=1):
                entry.score += weight / (self.settings.rrf_k + rank)
                entry.ranks[name] = rank

    def _read_naming(self, question: str, scored: list[ScoredChunk], allowed: set[str] | None) -> list[str]:
        """Mark each chunk with how clearly the question names its document (the answerer reads it
        too); return the clearly named documents."""
        metas = self.library.metas()
        if allowed is not None:
            metas = {d: m for d, m in metas.items() if d in allowed}
        naming = read_naming(question, metas)
        for entry in scored:
            entry.named = naming.scores.get(entry.chunk.doc_id, 0.0)
            entry.source = entry.chunk.doc_id in naming.sources
        return naming.outright

    def _fuse(self, lists: dict[str, list[tuple[str, float]]]) -> dict[str, ScoredChunk]:
        weights = {"dense": self.settings.dense_weight, "bm25": self.settings.bm25_weight}
        fused: dict[str, ScoredChunk] = {}
        for name, ranked in lists.items():
            for rank, (cid, raw) in enumerate(ranked, start=1):
                entry = fused.setdefault(cid, ScoredChunk(chunk=None, score=0.0))  # type: ignore[arg-type]
                entry.score += weights[name] / (self.settings.rrf_k + rank)
                entry.ranks[name] = rank
                if name == "dense":
                    entry.dense = raw
                else:
                    entry.keyword = raw
        return fused

    def _allowed_docs(self, filters: SearchFilters | None) -> set[str] | None:
        """Documents that pass the filters, by the catalogue's metadata (so an officer's edit of a
        publisher or date counts at once), for both Chroma and BM25. Documents, not chunk ids:
        listing every allowed chunk id cost a pass over the whole library on each filtered question."""
        if filters is None or not filters.active:
            return None
        return {d for d, meta in self.library.metas().items() if matches(meta, filters)}


def matches(meta: DocumentMeta, filters: SearchFilters) -> bool:
    """Does a document pass the filters? The one definition: Chroma is given the doc ids it allows."""
    year = meta.year or 0
    return (
        (not filters.doc_ids or meta.doc_id in filters.doc_ids)
        and (not filters.publishers or meta.publisher in filters.publishers)
        and (not filters.year_from or year >= filters.year_from)
        and (not filters.year_to or year <= filters.year_to)
    )


def named_first(ranked: list[ScoredChunk], named: list[str]) -> list[ScoredChunk]:
    """When a question clearly names two or more documents ("do the BMC review and the
    guidelines agree..."), the best chunk of each leads, in ranked order; else the ranking as is."""
    if len(named) < 2:
        return ranked
    wanted, firsts = set(named), []
    for entry in ranked:
        if entry.chunk.doc_id in wanted:
            firsts.append(entry)
            wanted.discard(entry.chunk.doc_id)
    return firsts + [s for s in ranked if s not in firsts]


def diversify(ranked: list[ScoredChunk], k: int, reserve: int = 2) -> list[ScoredChunk]:
    """The top k - reserve chunks by score, then the best chunk of each document not yet
    represented (up to `reserve`), then the rest by score: a comparison question sees several
    documents, while the head of the ranking (what recall@5 measures) is left as fused."""
    head = ranked[: max(k - reserve, 1)]
    docs = {s.chunk.doc_id for s in head}
    extra: list[ScoredChunk] = []
    for candidate in ranked[len(head) :]:
        if len(extra) < reserve and candidate.chunk.doc_id not in docs:
            extra.append(candidate)
            docs.add(candidate.chunk.doc_id)
    rest = [s for s in ranked[len(head) :] if s not in extra]
    return (head + extra + rest)[:k]
