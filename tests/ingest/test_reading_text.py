"""The reading text: what a person reads, laid out block by block, with its structure and pages."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from assistant.ingest.loaders import load_file
from assistant.ingest.markdown_reader import read_markdown
from assistant.ingest.reading import ReadingBuilder, reading_form, unwrap
from assistant.ingest.words import repair_words
from assistant.models import Block

LIMIT = 10 * 2**20
SHARED = Path(__file__).resolve().parents[3] / "shared"


def _blocks(text: str, blocks: list[Block]) -> list[tuple[str, str]]:
    return [(b.kind, text[b.start : b.end]) for b in blocks]


def test_wrapped_lines_are_unwrapped_and_line_end_hyphens_undone_only_inside_words() -> None:
    text, starts = unwrap(["Health systems deliver com-", "munity-based care for", "data-", "driven organisations."])

    assert text == "Health systems deliver community-based care for data-driven organisations."
    assert starts == [0, text.index("munity"), text.index("data-"), text.index("driven")]


@pytest.mark.parametrize(
    ("broken", "read"),
    [
        ("Leaders wil need al those skil s", "Leaders will need all those skills"),
        ("funding al ocations of £3 bil ion", "funding allocations of £3 billion"),
        ("At t he heart of the N HS", "At the heart of the NHS"),
        ("it should b e given", "it should be given"),
        ("crucial y, national y", "crucially, nationally"),
    ],
)
def test_words_broken_by_extraction_are_repaired(broken: str, read: str) -> None:
    assert repair_words(broken) == read


@pytest.mark.parametrize(
    "fine",
    [
        "Plan B is ready and vitamin D is cheap.",
        "We will do it to be sure.",
        "Care homes in the NHS and A&E departments",
        "Michael Bracey is chief executive of Milton Keynes City Council.",
        "the data-driven approach, from ED to ward",
    ],
)
def test_ordinary_text_is_left_exactly_as_it_is(fine: str) -> None:
    assert repair_words(fine) == fine


def test_blocks_carry_their_heading_path_and_lists_hang_from_their_lead_in() -> None:
    builder = ReadingBuilder()
    builder.heading("Executive summary", 1)
    builder.heading("Neighbourhood health", 2)
    builder.paragraph("ICBs must ensure their plans support the following goals:")
    builder.list_item("fewer admissions")
    builder.list_item("earlier diagnosis", level=0)
    builder.list_item("in cancer", level=1)
    builder.heading("Finance", 2)
    builder.table_row(["Year", "Budget"], header=True)
    builder.table_row(["2025", "£2m"])

    reading = builder.build()
    blocks = reading.structure.blocks

    assert _blocks(reading.text, blocks) == [
        ("heading", "Executive summary"), ("heading", "Neighbourhood health"),
        ("paragraph", "ICBs must ensure their plans support the following goals:"),
        ("list_item", "fewer admissions"), ("list_item", "earlier diagnosis"), ("list_item", "in cancer"),
        ("heading", "Finance"), ("table_row", "Year | Budget"), ("table_row", "2025 | £2m"),
    ]
    assert blocks[3].heading == "Executive summary › Neighbourhood health"
    assert blocks[6].heading_path == ["Executive summary", "Finance"]
    assert blocks[3].parent == blocks[4].parent == 2  # the lead-in
    assert blocks[5].parent == 4  # a sub-item hangs from its item
    assert blocks[8].parent == 7 and blocks[7].parent is None  # a row points to its header row
    assert reading.structure.page_starts == []


def test_pages_map_every_offset_to_its_page_even_inside_a_block_crossing_a_page_break() -> None:
    builder = ReadingBuilder(pages=3)
    builder.paragraph(["First page text that runs on", "onto the second page."], pages=[1, 2])
    builder.paragraph("Third page.", pages=[3])

    reading = builder.build()
    structure = reading.structure
    second = reading.text.index("onto")

    assert structure.page_starts == [0, second, reading.text.index("Third")]
    assert structure.page_span(0, 10) == (1, None)
    assert structure.page_span(0, second + 4) == (1, 2)
    assert structure.blocks[0].page == 1 and structure.blocks[0].page_end == 2
    assert structure.page_at(len(reading.text) - 1) == 3


def test_markdown_reads_as_plain_text_with_no_escapes_or_emphasis(tmp_path: Path) -> None:
    source = (
        "---\ntitle: Neighbourhood health guidelines\nauthor: NHS England\ndate: 2025-01-29\n---\n"
        "# **Neighbourhood** health\n\n"
        "The National Health Service \\(NHS\\) is **at a** crossroads, see "
        "[the plan](https://example.org/plan\\_2025).\n\n"
        "**Executive**\n\n**Summary**\n\n"
        "ICBs must ensure their plans support the following goals:\n\n"
        "• improving timely access\n\n• preventing avoidable admissions\n\n"
        "| Year | Budget |\n|---|---|\n| 2025 | £2m |\n"
    )
    path = tmp_path / "guidelines.md"
    path.write_text(source, encoding="utf-8")

    loaded = load_file(path, LIMIT)
    text, blocks = loaded.text, loaded.structure.blocks

    for marker in ("\\", "**", "#", "](", "---"):
        assert marker not in text, marker
    assert _blocks(text, blocks) == [
        ("heading", "Neighbourhood health"),
        ("paragraph", "The National Health Service (NHS) is at a crossroads, see the plan."),
        ("heading", "Executive Summary"),
        ("paragraph", "ICBs must ensure their plans support the following goals:"),
        ("list_item", "improving timely access"), ("list_item", "preventing avoidable admissions"),
        ("table_row", "Year | Budget"), ("table_row", "2025 | £2m"),
    ]
    assert blocks[2].heading_path == ["Neighbourhood health", "Executive Summary"]
    assert blocks[4].parent == 3
    assert loaded.fields["author"] == "NHS England"
    assert loaded.title == "Neighbourhood health guidelines"


def test_a_markdown_paragraph_broken_off_mid_sentence_carries_on() -> None:
    reading = read_markdown("Defining the integrated neighbourhood \n\nmodel: a systematic review of key com‑\n\n"
                            "munity domains\n\nFahad Iqbal\n")

    assert _blocks(reading.text, reading.structure.blocks) == [
        ("paragraph", "Defining the integrated neighbourhood model: a systematic review of key community domains"),
        ("paragraph", "Fahad Iqbal"),
    ]


def test_paragraphs_in_lower_case_after_a_lead_in_are_the_items_of_its_list() -> None:
    """Markdown extracted from a PDF keeps the items but not their bullets: each paragraph in
    lower case after a lead-in ending with a colon is an item of that lead-in's list."""
    reading = read_markdown(
        "- Partnership working needs these elements:\n\n"
        "a mechanism for joint senior leadership in each place, for\n\n"
        "example a taskforce\n\n"
        "shared outcomes agreed by every partner\n\n"
        "Evidence shows this works.\n\n"
        "It is not a list: one sentence.\n"
    )
    blocks = reading.structure.blocks

    assert _blocks(reading.text, blocks) == [
        ("list_item", "Partnership working needs these elements:"),
        ("list_item", "a mechanism for joint senior leadership in each place, for example a taskforce"),
        ("list_item", "shared outcomes agreed by every partner"),
        ("paragraph", "Evidence shows this works."),
        ("paragraph", "It is not a list: one sentence."),
    ]
    assert blocks[1].parent == blocks[2].parent == 0 and blocks[1].level == blocks[2].level == 1


def test_an_html_page_gives_headings_list_items_and_table_rows(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><body><h1>Carers</h1><h2>Respite</h2><p>Councils fund:</p>"
        "<ul><li>short breaks</li><li>advice</li></ul>"
        "<table><tr><th>Area</th><th>Spend</th></tr><tr><td>Kent</td><td>£1m</td></tr></table>"
        "</body></html>", encoding="utf-8",
    )

    loaded = load_file(path, LIMIT)
    blocks = loaded.structure.blocks

    assert _blocks(loaded.text, blocks) == [
        ("heading", "Carers"), ("heading", "Respite"), ("paragraph", "Councils fund:"),
        ("list_item", "short breaks"), ("list_item", "advice"),
        ("table_row", "Area | Spend"), ("table_row", "Kent | £1m"),
    ]
    assert blocks[3].heading == "Carers › Respite" and blocks[3].parent == 2
    assert blocks[6].parent == 5


def test_a_docx_gives_its_heading_tree_lists_and_table_rows_in_document_order(tmp_path: Path) -> None:
    path = tmp_path / "constitution.docx"
    document = docx.Document()
    document.add_paragraph("Integrated care board constitution", style="Title")
    document.add_heading("Membership", level=1)
    document.add_paragraph("The board has these members:")
    document.add_paragraph("a Chair", style="List Bullet")
    document.add_paragraph("a Chief Executive", style="List Bullet")
    document.add_heading("Quorum", level=2)
    table = document.add_table(rows=2, cols=2)
    for cell, value in zip(table.rows[0].cells + table.rows[1].cells, ["Meeting", "Quorum", "Board", "Five"],
                           strict=True):
        cell.text = value
    document.add_paragraph("Decisions follow the table.")
    section = document.sections[0]
    section.header.paragraphs[0].text = "Private and Confidential"  # running header and footer
    section.footer.paragraphs[0].text = "Page 1 | ICB constitution"
    document.save(str(path))

    loaded = load_file(path, LIMIT)
    blocks = loaded.structure.blocks

    assert _blocks(loaded.text, blocks) == [
        ("heading", "Integrated care board constitution"), ("heading", "Membership"),
        ("paragraph", "The board has these members:"), ("list_item", "a Chair"), ("list_item", "a Chief Executive"),
        ("heading", "Quorum"), ("table_row", "Meeting | Quorum"), ("table_row", "Board | Five"),
        ("paragraph", "Decisions follow the table."),
    ]
    assert "Private and Confidential" not in loaded.text and "Page 1" not in loaded.text
    assert blocks[6].heading == "Membership › Quorum"
    assert blocks[3].parent == 2 and blocks[7].parent == 6
    assert loaded.title == "Integrated care board constitution"


def test_a_two_column_docx_with_soft_hyphens_and_line_breaks_reads_as_running_text(tmp_path: Path) -> None:
    """Word lays out columns and hyphenation itself: the file holds each paragraph once, in
    order, with at most a soft hyphen or a manual line break inside a word's run."""
    path = tmp_path / "strategy.docx"
    document = docx.Document()
    cols = OxmlElement("w:cols")  # two newspaper columns
    cols.set(qn("w:num"), "2")
    document.sections[0]._sectPr.append(cols)
    document.add_paragraph("Com\u00admunity teams will run the short breaks service from April.")
    broken = document.add_paragraph("The council will fund respite for every carer")
    broken.add_run().add_break()  # a manual line break inside the sentence
    broken.add_run("who asks for it.")
    document.add_paragraph("A second column starts here.")
    document.save(str(path))

    loaded = load_file(path, LIMIT)

    assert _blocks(loaded.text, loaded.structure.blocks) == [
        ("paragraph", "Community teams will run the short breaks service from April."),
        ("paragraph", "The council will fund respite for every carer who asks for it."),
        ("paragraph", "A second column starts here."),
    ]


def test_reading_form_puts_raw_extracted_quotes_in_the_reading_texts_words() -> None:
    assert reading_form("Leaders wil need\nal those skil s") == "Leaders will need all those skills"


@pytest.mark.skipif(not (SHARED / "corpus-nhs").is_dir(), reason="../shared/corpus-nhs is not here")
def test_no_markdown_escape_emphasis_or_heading_mark_survives_in_the_real_markdown_library() -> None:
    for path in sorted((SHARED / "corpus-nhs").glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        text = load_file(path, LIMIT).text
        leftovers = re.findall(r"\\[^\w\s]|\*\*|__|^#+ |\]\(", text, re.M)
        assert not leftovers, (path.name, leftovers[:5])
        assert "\n" not in "".join(text[b.start : b.end] for b in load_file(path, LIMIT).structure.blocks)
