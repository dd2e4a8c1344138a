"""The reading text's structure reaches the index: chunks carry heading paths and pages, the
catalogue keeps the blocks and page map, and every citation says which page its quote is on."""

from __future__ import annotations

from pathlib import Path

from fakes import HashingEmbedder
from fpdf import FPDF
from ingest_helpers import OpenLibrary, assert_index_consistent

from assistant import Assistant
from assistant.config import Settings
from assistant.ingest.pipeline import ingest

GUIDELINES = """# Neighbourhood health guidelines

## Executive summary

Neighbourhood health brings services together around people.

### Integrated teams

ICBs must ensure their plans support the following preventative goals:

- fewer avoidable admissions to hospital
- earlier diagnosis of long-term conditions

## Finance

| Year | Budget |
|---|---|
| 2025/26 | £2 million |
"""


def test_every_chunk_carries_the_heading_path_it_sits_under(open_library: OpenLibrary, library_dir: Path) -> None:
    (library_dir / "guidelines.md").write_text(GUIDELINES, encoding="utf-8")
    library = open_library(chunk_size=40, chunk_overlap=0)

    report = ingest(library, [library_dir])

    chunks = library.catalog.chunks()
    by_words = {c.text.split("\n")[-1][:30]: c for c in chunks}
    assert all(c.heading for c in chunks)
    goals = next(c for c in chunks if "earlier diagnosis" in c.text)
    assert goals.heading == "Neighbourhood health guidelines › Executive summary › Integrated teams"
    assert "following preventative goals:" in goals.text  # the list stays with its lead-in
    budget = next(c for c in chunks if "£2 million" in c.text)
    assert budget.heading == "Neighbourhood health guidelines › Finance"
    assert not any("Finance" in c.heading and "Executive" in c.heading for c in chunks)
    assert by_words  # every chunk has text
    (reading,) = report.documents
    assert (reading.headings, reading.list_items, reading.table_rows) == (4, 2, 2)
    structure = library.structure("guidelines")
    assert [b.kind for b in structure.blocks].count("heading") == 4
    assert_index_consistent(library)


def test_a_list_continued_in_a_later_chunk_carries_its_lead_in_as_context(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    items = "\n".join(f"- item number {i} of the plan" for i in range(30))
    (library_dir / "list.md").write_text(f"# Plan\n\nEvery ICB must deliver these actions:\n\n{items}\n", encoding="utf-8")
    library = open_library(chunk_size=60, chunk_overlap=0)

    ingest(library, [library_dir])

    chunks = library.catalog.chunks()
    assert len(chunks) > 2
    later = [c for c in chunks if "must deliver" not in c.text]
    assert later and all(c.context.startswith("Every ICB must deliver") for c in later)
    assert all("must deliver" not in c.text for c in later)  # context is never quotable text


def _two_page_pdf(path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for page, words in enumerate(("Discharge to assess moves people home first.",
                                  "Assessment then happens at home, not on a ward."), start=1):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"{words} This is page {page} of the evaluation.")
    pdf.output(str(path))


def test_citations_of_a_pdf_carry_the_page_their_quote_is_on(tmp_path: Path) -> None:
    library_dir = tmp_path / "library"
    library_dir.mkdir()
    _two_page_pdf(library_dir / "evaluation.pdf")
    assistant = Assistant(Settings(data_dir=tmp_path / "data"), embedder=HashingEmbedder())
    assistant.ingest([library_dir])

    chunks = assistant.library.catalog.chunks()
    assert [c.page for c in chunks][:1] == [1]
    answer = assistant.ask("Where does assessment happen, at home or on a ward?")

    assert not answer.refused
    pages = {c.quote: c.page for c in answer.citations}
    assert any("at home, not on a ward" in quote and page == 2 for quote, page in pages.items()), pages
