"""PDFs read as a person reads them: built here with fpdf2 (running header and footer, a hyphen
at a line end, a numbered heading, a bulleted list with its lead-in, two columns, a table), and
the real PDFs of ../shared/corpus-pdf, whose gold evidence must be found on its gold page."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from fpdf import FPDF
from ingest_helpers import OpenLibrary

from assistant.ingest.loaders import LoadedFile, UnreadableFile, load_file
from assistant.ingest.pipeline import ingest
from evals.metrics import evidence_form

LIMIT = 50 * 2**20
SHARED = Path(__file__).resolve().parents[3] / "shared"


def _lines(pdf: FPDF, x: float, y: float, lines: list[str], step: float = 6) -> float:
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(0, step, line)
        y += step
    return y


def _carers_pdf(path: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for page in range(1, 4):
        pdf.add_page()
        pdf.set_font("helvetica", size=9)
        _lines(pdf, 15, 8, ["Private and Confidential - Carers strategy 2025"])
        _lines(pdf, 15, 285, [f"www.example.org/carers | Page {page} of 3"])
        pdf.set_font("helvetica", size=11)
        if page == 1:
            pdf.set_font("helvetica", "B", 22)
            _lines(pdf, 15, 30, ["Carers strategy 2025"], 10)
            pdf.set_font("helvetica", size=11)
            y = _lines(pdf, 15, 50, [
                "Unpaid carers save the health service billions every year and the",
                "council will fund respite for every carer who asks for it. Com-",
                "munity groups will run the short breaks service from April.",
            ])
            pdf.set_font("helvetica", "B", 14)
            y = _lines(pdf, 15, y + 6, ["1.2 Respite services"], 12)
            pdf.set_font("helvetica", size=11)
            y = _lines(pdf, 15, y, ["Councils must provide the following support:"], 8)
            _lines(pdf, 20, y, ["- short breaks for carers of adults", "- advice and information in every library"])
        elif page == 2:  # two columns; the sentence runs from the foot of one into the next
            _lines(pdf, 15, 40, ["The left column starts the story of integrated",
                                 "care in the borough, and it carries on", "over several lines until the end of the"])
            _lines(pdf, 110, 40, ["column, where the right column takes over",
                                  "and finishes the sentence here.", "A second sentence follows it."])
        else:
            pdf.set_xy(15, 40)
            with pdf.table(col_widths=(60, 30)) as table:
                for cells in (("Area", "Budget"), ("Respite grants", "£2.5m"), ("Advice services", "£0.8m")):
                    row = table.row()
                    for cell in cells:
                        row.cell(cell)
    pdf.output(str(path))


@pytest.fixture
def carers(tmp_path: Path) -> LoadedFile:
    path = tmp_path / "carers.pdf"
    _carers_pdf(path)
    return load_file(path, LIMIT)


def _kinds(loaded: LoadedFile) -> list[tuple[str, str, int | None]]:
    return [(b.kind, loaded.text[b.start : b.end], b.page) for b in loaded.structure.blocks]


def test_running_headers_footers_and_page_numbers_are_not_text(carers: LoadedFile) -> None:
    assert "Private and Confidential" not in carers.text
    assert "www.example.org" not in carers.text and "Page 2 of 3" not in carers.text
    assert any("removed 6 running header/footer" in note for note in carers.notes)


def test_lines_are_unwrapped_into_sentences_and_a_line_end_hyphen_is_undone(carers: LoadedFile) -> None:
    assert ("paragraph", "Unpaid carers save the health service billions every year and the council will fund "
            "respite for every carer who asks for it. Community groups will run the short breaks service from "
            "April.", 1) in _kinds(carers)


def test_headings_lists_columns_and_tables_keep_their_structure_and_pages(carers: LoadedFile) -> None:
    blocks = carers.structure.blocks
    kinds = _kinds(carers)

    assert kinds[0] == ("heading", "Carers strategy 2025", 1)
    assert ("heading", "1.2 Respite services", 1) in kinds
    lead_in = kinds.index(("paragraph", "Councils must provide the following support:", 1))
    items = [b for b in blocks if b.kind == "list_item"]
    assert [carers.text[b.start : b.end] for b in items] == [
        "short breaks for carers of adults", "advice and information in every library"]
    assert all(b.parent == lead_in for b in items)
    assert items[0].heading == "Carers strategy 2025 › 1.2 Respite services"
    assert ("paragraph", "The left column starts the story of integrated care in the borough, and it carries on "
            "over several lines until the end of the column, where the right column takes over and finishes the "
            "sentence here. A second sentence follows it.", 2) in kinds
    rows = [(b.kind, carers.text[b.start : b.end], b.page) for b in blocks if b.kind == "table_row"]
    assert rows == [("table_row", "Area Budget", 3), ("table_row", "Respite grants £2.5m", 3),
                    ("table_row", "Advice services £0.8m", 3)]
    header = next(i for i, b in enumerate(blocks) if b.kind == "table_row")
    assert [b.parent for b in blocks if b.kind == "table_row"] == [None, header, header]
    assert carers.structure.pages == 3
    assert carers.structure.page_at(carers.text.index("Respite grants")) == 3


def test_a_pdf_without_a_text_layer_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a drawing, no text: what a scan looks like to a reader
    pdf.output(str(path))

    with pytest.raises(UnreadableFile, match=r"no text layer on any of its 1 page\(s\).*OCR"):
        load_file(path, LIMIT)


def test_items_whose_bullets_the_print_lost_are_list_items_of_their_lead_in(tmp_path: Path) -> None:
    """A web page printed to PDF loses its CSS bullets: the items are indented under a lead-in and
    set apart by gaps; their wrapped lines stay together. A paragraph number glued to its word
    ("41.IFR") gets its space back and is an item like its neighbours; "Figure 3 ..." standing
    alone is a caption (never quoted as an answer)."""
    path = tmp_path / "report.pdf"
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    y = _lines(pdf, 20, 30, ["After being commissioned by the board in 2023 to tackle low levels of",
                             "compliance, we:"])
    for item in (["built relationships with local authority social care leads, and care", "providers"],
                 ["demonstrated how to comply with the national toolkit"],
                 ["offered one-to-one email and phone support to care providers."]):
        y = _lines(pdf, 26, y + 6, item)
    y = _lines(pdf, 20, y + 6, ["Almost 90% of care homes are now compliant, beating the target."])
    y = _lines(pdf, 20, y + 6, ["41.IFR Panel meetings are scheduled in a rolling programme in advance."])
    y = _lines(pdf, 20, y + 6, ["42. When a request is referred, the IFR Team will book the case."])
    _lines(pdf, 20, y + 6, ["Figure 3 Care home compliance with the toolkit by borough,",
                            "2022 to 2024"])
    pdf.output(str(path))

    loaded = load_file(path, LIMIT)
    kinds = [(kind, text) for kind, text, _ in _kinds(loaded)]

    lead_in = kinds.index(("paragraph", "After being commissioned by the board in 2023 to tackle low levels of "
                                        "compliance, we:"))
    items = [(b, loaded.text[b.start : b.end]) for b in loaded.structure.blocks if b.kind == "list_item"]
    assert [text for _, text in items[:3]] == [
        "built relationships with local authority social care leads, and care providers",
        "demonstrated how to comply with the national toolkit",
        "offered one-to-one email and phone support to care providers."]
    assert all(b.parent == lead_in for b, _ in items[:3])
    assert ("paragraph", "Almost 90% of care homes are now compliant, beating the target.") in kinds
    assert [text[:12] for _, text in items[3:]] == ["41. IFR Pane", "42. When a r"]
    assert kinds[-1] == ("caption", "Figure 3 Care home compliance with the toolkit by borough, 2022 to 2024")


def test_the_ingest_report_says_what_each_pdf_held_and_flags_a_scan_instead_of_indexing_nothing(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    _carers_pdf(library_dir / "carers.pdf")
    scan = FPDF()
    for _ in range(2):
        scan.add_page()
        scan.rect(20, 20, 100, 60, style="F")
    scan.output(str(library_dir / "scanned minutes.pdf"))
    library = open_library()

    report = ingest(library, [library_dir])

    (reading,) = report.documents
    assert (reading.doc_id, reading.pages, reading.headings, reading.list_items, reading.table_rows) == (
        "carers", 3, 2, 2, 3)
    assert reading.summary.startswith("3 pages, 2 headings, 2 list items, 3 table rows, ")
    assert any(note.startswith("removed 6 running header/footer and page-number lines ('Private and Confidential")
               for note in reading.notes), reading.notes
    (problem,) = report.problems
    assert problem.path.endswith("scanned minutes.pdf") and problem.fatal and report.partial
    assert "no text layer on any of its 2 page(s): a scan? run OCR on it first" in problem.reason
    assert [d.meta.doc_id for d in library.catalog.documents()] == ["carers"]


def _squashed(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'}))
    return text.replace("–", "-").replace("—", "-").replace("\u00a0", " ")


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "corpus-pdf").is_dir(), reason="../shared/corpus-pdf is not here")
def test_the_real_pdfs_gold_evidence_is_in_the_reading_text_on_its_gold_page() -> None:
    questions = [json.loads(line) for line in (SHARED / "evals" / "dev_pdf.jsonl").read_text().splitlines() if line]
    loaded = {p.name: load_file(p, LIMIT) for p in (SHARED / "corpus-pdf").glob("*.pdf")}
    found = on_page = total = 0
    for question in questions:
        for doc, page, evidence in zip(question["doc"], question["page"], question["evidence"], strict=True):
            total += 1
            reading = loaded[doc]
            pattern = r"\s+".join(map(re.escape, evidence_form(evidence).split(" ")))
            match = re.search(pattern, _squashed(reading.text))
            found += match is not None
            on_page += match is not None and reading.structure.page_span(match.start(), match.end())[0] == page
    assert total > 40
    assert found / total >= 0.95 and on_page / total >= 0.95, (found, on_page, total)
    for reading in loaded.values():  # no quotable line fragments: every block is unwrapped running text
        assert all("\n" not in reading.text[b.start : b.end] for b in reading.structure.blocks)
