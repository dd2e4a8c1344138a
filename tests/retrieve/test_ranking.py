"""How hybrid retrieval ranks: by each passage's best answer unit as well as the passage as a
whole, towards the documents a question names, and with each of two named documents leading."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import HashingEmbedder

from assistant.config import Settings
from assistant.index.library import Library
from assistant.ingest.pipeline import ingest
from assistant.models import Chunk
from assistant.retrieve import HybridRetriever, ScoredChunk
from assistant.retrieve.hybrid import named_first
from assistant.retrieve.units import unit_evidence

FILLER = "Local partners meet every month to review progress across the area. " * 3

DOCS = {
    "workforce-plan.md": "# Workforce Plan for Northshire\n\n"
    + FILLER + "\n\nThe plan recruits 400 community nurses by March 2027.\n\n" + FILLER,
    "estates-review.md": "# Estates Review of Southshire\n\n"
    + FILLER + "\n\nThe review closes two community hospitals and recruits no nurses.\n\n" + FILLER,
}


@pytest.fixture
def library(tmp_path: Path) -> Library:
    folder = tmp_path / "library"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text)
    lib = Library(Settings(data_dir=tmp_path / "data"), HashingEmbedder())
    ingest(lib, [folder])
    return lib


def _chunk(chunk_id: str, doc_id: str) -> ScoredChunk:
    return ScoredChunk(Chunk(chunk_id=chunk_id, doc_id=doc_id, position=0, start=0, end=1, text="x", section="article"), 0.0)


def test_with_two_documents_named_the_best_passage_of_each_leads() -> None:
    ranked = [_chunk("a1", "a"), _chunk("a2", "a"), _chunk("c1", "c"), _chunk("b1", "b")]
    assert [s.chunk.chunk_id for s in named_first(ranked, ["a", "b"])] == ["a1", "b1", "a2", "c1"]
    assert named_first(ranked, ["b"]) == ranked  # one named document is weighted, not moved


def test_a_question_naming_both_documents_sees_both_at_the_top(library: Library) -> None:
    found = HybridRetriever(library).search(
        "How many nurses do the Northshire Workforce Plan and the Southshire Estates Review recruit?", 4)
    assert {s.chunk.doc_id for s in found[:2]} == set(library.metas())
    assert all(s.named == 1.0 for s in found[:2])


def test_every_passage_carries_its_best_units_scores(library: Library) -> None:
    found = HybridRetriever(library).search("How many community nurses will be recruited by March 2027?", 4)
    best = found[0]
    assert best.chunk.doc_id == "workforce-plan" and "400 community nurses" in best.chunk.text
    assert best.units.lexical > 0.5 and best.units.dense > 0
    assert {"unit_dense", "unit_lexical", "bm25"} <= set(best.ranks)


def test_a_passage_without_units_is_scored_by_its_own_text(library: Library) -> None:
    heading_only = Chunk(chunk_id="workforce-plan:x:99", doc_id="workforce-plan", position=99, start=10**6,
                         end=10**6 + 30, text="Workforce Plan for Northshire", section="article")
    weights = {"northshir": 1.0, "nurs": 1.0}
    vector = library.embedder.embed(["Northshire nurses"])[0]
    evidence = unit_evidence(library.catalog, [heading_only], vector, weights, {}, {heading_only.chunk_id: 0.3})
    assert evidence[heading_only.chunk_id].lexical == 0.5
    assert evidence[heading_only.chunk_id].dense == 0.3
