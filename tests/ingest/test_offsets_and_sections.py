"""Chunks quote their document exactly, stay inside one labelled section, and fit the model."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import pytest

from assistant import Assistant
from assistant.config import BUNDLED_KNOWLEDGE
from assistant.index.embedder import SentenceTransformerEmbedder
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_file
from assistant.ingest.manifest import read_manifest
from assistant.ingest.sections import find_sections
from assistant.models import Chunk, Section


def _sections(bundled: Assistant, doc_id: str) -> list[Section]:
    entry = read_manifest(BUNDLED_KNOWLEDGE)[f"{doc_id}.txt"]
    return find_sections(bundled.document_text(doc_id), entry.section)


def _chunks_by_doc(bundled: Assistant) -> dict[str, list[Chunk]]:
    by_doc: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in bundled.library.catalog.chunks():
        by_doc[chunk.doc_id].append(chunk)
    return by_doc


def _chunk_containing(bundled: Assistant, doc_id: str, words: str) -> Chunk:
    return next(c for c in _chunks_by_doc(bundled)[doc_id] if words in c.text)


def test_every_chunk_of_the_bundled_library_is_an_exact_slice_of_its_document(bundled: Assistant) -> None:
    by_doc = _chunks_by_doc(bundled)
    assert len(by_doc) == 5
    for doc_id, chunks in by_doc.items():
        text = bundled.document_text(doc_id)
        for chunk in chunks:
            assert text[chunk.start : chunk.end] == chunk.text, chunk.chunk_id
            assert chunk.text.strip() == chunk.text and chunk.text


def test_no_chunk_crosses_a_section_boundary_and_each_carries_its_sections_label(bundled: Assistant) -> None:
    for doc_id, chunks in _chunks_by_doc(bundled).items():
        sections = _sections(bundled, doc_id)
        for chunk in chunks:
            home = [s for s in sections if s.start <= chunk.start and chunk.end <= s.end]
            assert len(home) == 1, f"{chunk.chunk_id} crosses a section boundary"
            assert (chunk.section, chunk.speaker) == (home[0].label, home[0].speaker), chunk.chunk_id


def test_the_documents_text_is_covered_by_its_chunks(bundled: Assistant) -> None:
    """Nothing the reader could ask about falls between two chunks (whitespace aside)."""
    for doc_id, chunks in _chunks_by_doc(bundled).items():
        text = bundled.document_text(doc_id)
        covered = bytearray(len(text))
        for chunk in chunks:
            covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
        missed = "".join(ch for ch, hit in zip(text, covered, strict=True) if not hit)
        assert missed.strip() == "", f"{doc_id} leaves text out of every chunk: {missed.strip()[:80]!r}"


def test_reader_comments_are_labelled_with_the_commenters_name(bundled: Assistant) -> None:
    doc = "002_f81a2e93510845b4"
    comments = [c for c in _chunks_by_doc(bundled)[doc] if c.section == "comment"]

    speakers = {"Brian Fisher", "Richard", "Simon Kirk", "Harvey Ward", "Karin Smyth"}
    assert {c.speaker for c in comments} == speakers
    simon = _chunk_containing(bundled, doc, "Commissioning is, or should be, more than just competitive")
    assert (simon.section, simon.speaker) == ("comment", "Simon Kirk")
    reply = _chunk_containing(bundled, doc, "Commissioning NHS style is a twenty year disaster story")
    assert (reply.section, reply.speaker) == ("comment", "Richard")
    article = _chunk_containing(bundled, doc, "free at the point of need")
    assert (article.section, article.speaker) == ("article", "")


def test_page_clutter_is_labelled_by_the_manifests_section_markers(bundled: Assistant) -> None:
    doc = "000_880d7357cb23477c"
    expected = {
        "Data is the key to creating thriving places": "teaser",
        "Michael Bracey is chief executive of Milton Keynes City Council": "author note",
        "Popular articles by Michael Bracey": "page furniture",
        "288,000": "article",
    }
    for words, label in expected.items():
        assert _chunk_containing(bundled, doc, words).section == label, words
    closed = _chunk_containing(bundled, "002_f81a2e93510845b4", "Comments are closed.")
    assert closed.section == "page furniture"


@pytest.mark.parametrize(("size", "overlap"), [(250, 64), (60, 16)])
def test_chunks_fit_the_size_and_overlap_but_always_move_forward(
    embedder: SentenceTransformerEmbedder, size: int, overlap: int
) -> None:
    path = BUNDLED_KNOWLEDGE / "002_f81a2e93510845b4.txt"
    loaded = load_file(path, 2**20)
    text = loaded.text
    sections = find_sections(text, read_manifest(BUNDLED_KNOWLEDGE)[path.name].section)

    chunks = chunk_document("d", "0" * 64, text, sections, embedder.count_tokens, size, overlap, loaded.structure)

    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert embedder.count_tokens(chunk.text) <= size, chunk.text[:60]
    for before, after in pairwise(chunks):
        assert before.start < after.start and before.end < after.end
        if after.start < before.end:  # shared text, within the overlap budget
            assert embedder.count_tokens(text[after.start : before.end]) <= overlap
    assert any(after.start < before.end for before, after in pairwise(chunks))


def test_a_long_run_of_figures_is_cut_to_fit_the_models_window(embedder: SentenceTransformerEmbedder) -> None:
    """A table row has no full stops; word-count cutting let it overflow the 256-token window."""
    row = "Budget 2025/26: " + " ".join(f"£{i},234.5m" for i in range(300)) + ". Totals follow."
    sections = [Section(label="article", start=0, end=len(row))]

    chunks = chunk_document("t", "0" * 64, row, sections, embedder.count_tokens, 250, 64)

    assert len(chunks) > 1
    assert all(embedder.count_tokens(c.text) <= 250 for c in chunks)
    assert all(row[c.start : c.end] == c.text for c in chunks)
    assert chunks[0].start == 0 and chunks[-1].end == len(row)
    for before, after in pairwise(chunks):
        assert row[before.end : after.start].strip() == ""  # no figure falls between two chunks
