"""Filtered BM25 by document rows gives what filtering chunk ids one by one gave."""

from __future__ import annotations

from assistant import Assistant, SearchFilters
from assistant.retrieve import HybridRetriever

QUESTION = "integration of health and social care pioneers"


def test_document_masks_match_chunk_id_masks(bundled: Assistant) -> None:
    index = bundled.library.keywords()
    docs = sorted(index.doc_rows)
    wanted = set(docs[:2])
    by_ids = {cid for cid in index.chunk_ids if cid.split(":", 1)[0] in wanted}
    assert index.search(QUESTION, 10, allowed_docs=wanted) == index.search(QUESTION, 10, allowed=by_ids)
    assert all(cid.split(":", 1)[0] in wanted for cid, _ in index.search(QUESTION, 10, allowed_docs=wanted))
    assert index.search(QUESTION, 10, allowed_docs={"no-such-document"}) == []
    assert sum(len(rows) for rows in index.doc_rows.values()) == len(index.chunk_ids)


def test_filtered_bm25_retrieval_keeps_to_the_filter(bundled: Assistant) -> None:
    doc = sorted(bundled.library.keywords().doc_rows)[0]
    found = HybridRetriever(bundled.library, mode="bm25").search(QUESTION, 8, SearchFilters(doc_ids=[doc]))
    assert found and {s.chunk.doc_id for s in found} == {doc}
