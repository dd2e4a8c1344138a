"""Answer units: what an answer may quote is a sentence, a list item with its lead-in, or a table
row with its header; never a heading, a lead-in alone or a fragment. Each is stored with its vector."""

from __future__ import annotations

from pathlib import Path

from ingest_helpers import CountingEmbedder, OpenLibrary, assert_index_consistent, copy_bundled

from assistant.ingest.pipeline import ingest
from assistant.ingest.reading import ReadingBuilder
from assistant.ingest.units import build_units
from assistant.models import AnswerUnit, Section

DOC = """# Neighbourhood health guidelines

**Joint leadership**

Each place should agree its priorities for 2025/26 with its partners. ICBs must ensure their plans:

- improve timely access to primary care
- prevent avoidable long-term admissions to care homes

Date published

| Standard | Target |
|---|---|
| A&E four-hour | 78% by March 2026 |

  2. Simon Kirk says:

Commissioning is more than competitive tendering.
"""


def _units(text: str = DOC, excluded: list[tuple[int, int]] | None = None) -> list[AnswerUnit]:
    return build_units("doc", "0" * 64, text, [Section(label="article", start=0, end=len(text))], excluded or [])


def test_every_unit_quotes_its_document_exactly() -> None:
    units = _units()
    assert [u.position for u in units] == list(range(len(units)))
    for unit in units:
        assert DOC[unit.start : unit.end] == unit.text
        if unit.lead_start is not None:
            assert DOC[unit.lead_start : unit.lead_end] == unit.lead


def test_list_items_carry_the_lead_in_that_introduces_them() -> None:
    items = [u for u in _units() if u.kind == "item"]
    assert [u.text for u in items] == [
        "improve timely access to primary care", "prevent avoidable long-term admissions to care homes",
    ]
    assert {u.lead for u in items} == {"ICBs must ensure their plans:"}


def test_a_lead_in_without_bullets_leads_the_sentence_that_follows_it() -> None:
    text = "Plans must be affordable. This means developing plans that:\n\nbuild and align across time horizons.\n"
    (item,) = [u for u in _units(text) if u.kind == "item"]
    assert (item.lead, item.text) == ("This means developing plans that:", "build and align across time horizons.")


def test_table_rows_carry_their_header_row() -> None:
    (row,) = [u for u in _units() if u.kind == "row"]
    assert row.text == "| A&E four-hour | 78% by March 2026 |"
    assert row.lead == "| Standard | Target |"


def test_headings_lead_ins_labels_and_comment_headers_are_never_units() -> None:
    texts = [u.text for u in _units()]
    assert "Each place should agree its priorities for 2025/26 with its partners." in texts
    assert "Commissioning is more than competitive tendering." in texts
    for never in ("# Neighbourhood health guidelines", "**Joint leadership**", "ICBs must ensure their plans:",
                  "Date published", "2. Simon Kirk says:", "| Standard | Target |"):
        assert never not in texts, never


def test_units_take_the_heading_they_sit_under() -> None:
    first = _units()[0]
    assert first.heading == "Joint leadership"


def test_excluded_text_is_never_a_unit_nor_a_lead() -> None:
    start = DOC.index("ICBs must ensure")
    units = _units(excluded=[(start, start + 10)])
    assert all("ICBs must ensure" not in u.text and "ICBs must ensure" not in u.lead for u in units)
    assert any(u.text.startswith("improve timely access") for u in units)


def test_a_reading_texts_blocks_say_what_each_line_is() -> None:
    """A reading text has no bullets or '#' left to read: its structure says which line is a
    heading (never quoted, however long), a caption, a list item (every item quoted after its
    lead-in) or a table row (after its header row)."""
    builder = ReadingBuilder()
    builder.heading("Data Driven Healthcare in 2030: Transformation Requirements of the NHS Digital Workforce")
    builder.paragraph("The NHS digital workforce must grow. ICBs must ensure their plans:")
    builder.list_item("improve timely access to primary care")
    builder.list_item("prevent avoidable admissions to care homes. This saves money.")
    builder.caption("Figure 2 Composition of the NHS digital technology and health informatics workforce in 2030")
    builder.table_row(["Area of work", "Workforce size in 2020"], header=True)
    builder.table_row(["Clinical informatics", "1,778"])
    reading = builder.build()
    units = build_units("doc", "0" * 64, reading.text, [Section(label="", start=0, end=len(reading.text))],
                        structure=reading.structure)

    assert [(u.kind, u.text, u.lead) for u in units] == [
        ("sentence", "The NHS digital workforce must grow.", ""),
        ("item", "improve timely access to primary care", "ICBs must ensure their plans:"),
        ("item", "prevent avoidable admissions to care homes.", "ICBs must ensure their plans:"),
        ("sentence", "This saves money.", ""),
        ("row", "Clinical informatics | 1,778", "Area of work | Workforce size in 2020"),
    ]
    assert all(reading.text[u.start : u.end] == u.text for u in units)
    assert units[0].heading.startswith("Data Driven Healthcare in 2030")


def test_ingest_stores_each_unit_with_its_vector_and_embeds_it_once(
    open_library: OpenLibrary, library_dir: Path, counting: CountingEmbedder
) -> None:
    copy_bundled(library_dir, "001", "003")
    library = open_library()
    report = ingest(library, [library_dir])

    assert report.units_embedded == library.catalog.unit_count() > 0
    assert counting.embedded == report.chunks_embedded + report.units_embedded
    assert_index_consistent(library)


def test_documents_catalogued_before_units_existed_get_them_on_the_next_ingest(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    copy_bundled(library_dir, "001")
    library = open_library()
    ingest(library, [library_dir])
    (doc_id,) = [d.meta.doc_id for d in library.catalog.documents()]
    expected = [(u.start, u.end, u.kind) for u in library.catalog.units(doc_id)]
    with library.catalog._connect() as db:  # an older catalogue: documents and chunks, no units
        db.execute("DELETE FROM units")

    report = ingest(library, [])

    assert report.units_embedded == len(expected) > 0
    assert [(u.start, u.end, u.kind) for u in library.catalog.units(doc_id)] == expected
    assert_index_consistent(library)
