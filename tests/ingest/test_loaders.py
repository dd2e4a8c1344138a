"""Each loader, on a small real file of its type made here: the text to cite, and the metadata it carries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from assistant.ingest.loaders import UnreadableFile, load_file

LIMIT = 10 * 2**20


def test_a_text_file_is_read_as_written_and_titled_by_its_first_line(tmp_path: Path) -> None:
    body = "Hospital discharge\n\nDischarge to assess moves people home first.\r\nAssessment happens there.\n"
    path = tmp_path / "discharge.txt"
    path.write_bytes(body.encode("utf-8"))

    loaded = load_file(path, LIMIT)

    # The reading text: one block a line as written (the file is not hard-wrapped), blank line between.
    assert loaded.text == "Hospital discharge\n\nDischarge to assess moves people home first.\n\nAssessment happens there."
    assert loaded.title == "Hospital discharge"
    assert loaded.warnings == []


def test_a_markdown_file_is_titled_by_its_heading_without_markup(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text("Draft for consultation\n\n# **Neighbourhood health** plan\n\nTeams work here.\n")

    loaded = load_file(path, LIMIT)

    assert loaded.title == "Neighbourhood health plan"
    assert "Teams work here." in loaded.text


def test_an_html_page_gives_its_meta_tags_and_visible_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<!doctype html><html><head>
        <title>Page title | Site</title>
        <meta property="og:title" content="Carers at the heart of integration">
        <meta name="author" content="Jane Ward">
        <meta name="date" content="2021-06-15T09:00:00Z">
        <style>.lede { color: red }</style>
        <script>var tracking = "do not index me";</script>
        </head><body>
        <h1>Carers at the heart of integration</h1>
        <p>Unpaid carers save the <b>NHS</b> billions
           every year. Councils fund respite.</p>
        <!-- an HTML comment, not text -->
        <noscript>Enable JavaScript</noscript>
        <ul><li>Respite</li><li>Advice</li></ul>
        </body></html>""",
        encoding="utf-8",
    )

    loaded = load_file(path, LIMIT)

    assert (loaded.title, loaded.authors, loaded.date) == (
        "Carers at the heart of integration", ["Jane Ward"], "2021-06-15",
    )
    for hidden in ("color: red", "tracking", "do not index me", "an HTML comment", "Enable JavaScript"):
        assert hidden not in loaded.text
    # Inline markup and source line-wrapping do not break a sentence across lines.
    lines = loaded.text.splitlines()
    assert "Unpaid carers save the NHS billions every year. Councils fund respite." in lines
    assert {"Respite", "Advice"} <= set(lines)


def test_an_html_page_without_meta_tags_falls_back_to_its_title_element(tmp_path: Path) -> None:
    path = tmp_path / "bare.htm"
    path.write_text("<html><head><title>Better Care Fund</title></head><body><p>Pooled.</p></body></html>")

    loaded = load_file(path, LIMIT)

    assert (loaded.title, loaded.authors, loaded.date) == ("Better Care Fund", [], "")
    assert loaded.text == "Pooled."


def test_a_pdf_gives_its_text_and_its_title_author_and_date(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    pdf = FPDF()
    pdf.set_title("Discharge to assess: an evaluation")
    pdf.set_author("Priya Shah")
    pdf.set_creation_date(dt.datetime(2021, 3, 4, 10, 0, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "Discharge to assess moves people home first.")
    pdf.add_page()
    pdf.multi_cell(0, 8, "Assessment then happens at home, not on a ward.")
    pdf.output(str(path))

    loaded = load_file(path, LIMIT)

    assert loaded.title == "Discharge to assess: an evaluation"
    assert loaded.authors == ["Priya Shah"]
    assert loaded.date == "2021-03-04"
    assert "Discharge to assess moves people home first." in loaded.text
    assert "Assessment then happens at home, not on a ward." in loaded.text


def test_a_docx_gives_its_paragraphs_tables_and_core_properties(tmp_path: Path) -> None:
    path = tmp_path / "strategy.docx"
    document = docx.Document()
    document.add_heading("Carers strategy", level=1)
    document.add_paragraph("Carers need respite. Councils fund it.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Respite grants"
    table.rows[0].cells[1].text = "£2m"
    document.core_properties.title = "Carers strategy 2019 to 2024"
    document.core_properties.author = "Alex Smith"
    document.core_properties.created = dt.datetime(2019, 5, 6, 12, 0)
    document.save(str(path))

    loaded = load_file(path, LIMIT)

    assert loaded.title == "Carers strategy 2019 to 2024"
    assert (loaded.authors, loaded.date) == (["Alex Smith"], "2019-05-06")
    assert "Carers need respite. Councils fund it." in loaded.text
    assert "Respite grants | £2m" in loaded.text


def test_windows_1252_text_is_decoded_with_its_smart_quotes_and_a_note(tmp_path: Path) -> None:
    words = "The board said \u201cintegration is a journey\u201d \u2013 it\u2019s the na\u00efve view.\n"
    path = tmp_path / "legacy.txt"
    path.write_bytes(words.encode("cp1252"))

    loaded = load_file(path, LIMIT)

    assert loaded.text == words.strip()
    assert loaded.warnings == ["not UTF-8: decoded as cp1252"]


@pytest.mark.parametrize("text", ["\u201cYes\u201d\n", "Na\u00efve r\u00e9sum\u00e9 of Gr\u00fcnwald.\n"])
def test_short_legacy_text_is_not_mistaken_for_another_encoding(tmp_path: Path, text: str) -> None:
    """charset_normalizer alone read these as UTF-16 and as cp1250 ("Naďve")."""
    path = tmp_path / "short.txt"
    path.write_bytes(text.encode("cp1252"))

    assert load_file(path, LIMIT).text == text.strip()


def test_utf16_text_with_a_byte_order_mark_is_text_not_binary(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes("Integrated care boards \u2018must\u2019 plan.\n".encode("utf-16"))

    assert load_file(path, LIMIT).text == "Integrated care boards \u2018must\u2019 plan."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.md", b"  \n\n\t\n", "no text found"),
        ("image.txt", bytes(range(256)) * 8, "binary content"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", "corrupt"),
        ("broken.docx", b"PK\x03\x04 this is not a zip archive", "corrupt"),
        ("notes.xyz", b"plain words", "unsupported file type '.xyz'"),
    ],
)
def test_an_unusable_file_raises_one_specific_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(UnreadableFile, match=reason):
        load_file(path, LIMIT)


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Integration. " * 200)  # 2,600 bytes

    with pytest.raises(UnreadableFile, match=r"file is 2\.5 KB, over the 1\.0 KB limit"):
        load_file(path, 1024)
