"""Title, date and publisher come from the document's own text first; the manifest still wins."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import Metadata, infer_metadata

LIMIT = 50 * 2**20


def _infer(path: Path) -> Metadata:
    return infer_metadata(load_file(path, LIMIT), path)


def test_markdown_front_matter_and_field_lines_are_honoured(tmp_path: Path) -> None:
    front = tmp_path / "front.md"
    front.write_text("---\ntitle: Carers strategy\nauthor: Jane Ward\ndate: 2024-03\n---\n# Intro\n\nText.\n")
    lines = tmp_path / "lines.md"
    lines.write_text("Title: Better Care Fund review\n\nAuthor: Sam Patel\n\nDate: 12 May 2021\n\n# Summary\n\nText.\n")

    assert _infer(front) == Metadata("Carers strategy", ["Jane Ward"], "", "2024-03", False)
    found = _infer(lines)
    assert (found.authors, found.date, found.date_inferred) == (["Sam Patel"], "2021-05-12", False)


@pytest.mark.parametrize(
    ("opening", "date", "inferred"),
    [
        ("Date published: 29 January, 2025\n\nDate last updated: 25 March, 2025", "2025-01-29", False),
        ("Published 12 August 2025", "2025-08-12", False),
        ("Version 3, February 2023", "2023-02", False),
        ("July 2025", "2025-07", False),
        ("Some text.\n\n© Crown copyright 2015", "2015", True),
    ],
)
def test_a_date_stated_in_the_text_is_the_date_and_a_copyright_year_is_inferred(
    tmp_path: Path, opening: str, date: str, inferred: bool
) -> None:
    path = tmp_path / "doc.md"
    path.write_text(f"# Neighbourhood health plan\n\n{opening}\n\nThe plan says what it says.\n")

    found = _infer(path)

    assert (found.date, found.date_inferred) == (date, inferred)
    assert found.title == "Neighbourhood health plan"


def test_a_pdf_is_titled_by_its_cover_not_its_properties_and_a_username_is_no_author(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    pdf = FPDF()
    pdf.set_title("Report template")
    pdf.set_author("jsmith")
    pdf.set_creation_date(dt.datetime(2026, 2, 13, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    pdf.cell(0, 6, "Classification: Official")
    pdf.ln(20)
    pdf.set_font("helvetica", "B", 24)
    pdf.cell(0, 12, "Carers at the heart of integration")
    pdf.ln(14)
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "March 2021\n\nCouncils and NHS England will fund respite. NHS England leads the work. (c) NHS England 2021")
    pdf.output(str(path))

    found = _infer(path)

    assert found.title == "Carers at the heart of integration"
    assert found.authors == []
    assert (found.date, found.date_inferred) == ("2021-03", False)
    assert found.publisher == "NHS England"


def test_a_docx_title_paragraph_and_a_real_author_named_in_the_text(tmp_path: Path) -> None:
    path = tmp_path / "constitution.docx"
    document = docx.Document()
    document.add_paragraph("Integrated care board constitution", style="Title")
    document.add_paragraph("Prepared by Alex Smith for the board.")
    document.core_properties.author = "Alex Smith"
    document.core_properties.created = dt.datetime(2019, 5, 6, 12, 0)
    document.save(str(path))

    found = _infer(path)

    assert found.title == "Integrated care board constitution"
    assert found.authors == ["Alex Smith"]
    assert (found.date, found.date_inferred) == ("2019-05-06", True)


# A blog post about other bodies' plans: it names NHS England, the DHSC, a council and a think
# tank, even beside the word "published", but says nothing of who published it.
PROSE_NAMING_BODIES = (
    "This week the party published its 10-year plan for health and care. It fits with NHS England’s "
    "five-year forward view, and NHS England has said it will support the vanguards. NHS England, the "
    "Department of Health and Social Care (DHSC) and Hackney Council will each review it.\n\n"
    "A report published by the King's Fund last year made the same point. NHS England agreed.\n"
)


def _markdown(tmp_path: Path, text: str) -> Metadata:
    path = tmp_path / "doc.md"
    path.write_text(text)
    return _infer(path)


def test_a_body_the_text_only_names_is_not_its_publisher(tmp_path: Path) -> None:
    found = _markdown(tmp_path, f"# Integration is the real issue\n\n{PROSE_NAMING_BODIES}")

    assert found.publisher == ""


@pytest.mark.parametrize(
    ("statement", "publisher"),
    [
        ("Published by the Nuffield Trust, 59 New Cavendish Street, London.", "Nuffield Trust"),
        ("Publisher: Local Government Association", "Local Government Association"),
        ("Author: NHS England", "NHS England"),
        ("© Hackney Council 2024. All rights reserved.", "Hackney Council"),
        ("Copyright © 2024 The Health Foundation", "The Health Foundation"),
        ("This briefing was produced by NHS Providers for its members.", "NHS Providers"),
    ],
)
def test_a_statement_of_who_published_or_wrote_it_gives_the_publisher(
    tmp_path: Path, statement: str, publisher: str
) -> None:
    found = _markdown(tmp_path, f"# Integration is the real issue\n\n{statement}\n\n{PROSE_NAMING_BODIES}")

    assert found.publisher == publisher


def test_the_front_page_organisation_and_a_forewords_signatory_are_evidence(tmp_path: Path) -> None:
    cover = _markdown(tmp_path, f"Hackney Council\n\n# Carers strategy 2025\n\n{PROSE_NAMING_BODIES}")
    signed = _markdown(tmp_path, (
        "# Carers strategy 2025\n\n## Foreword\n\nDear colleague,\n\nToday we publish our strategy.\n\n"
        f"Jane Ward\n\nChief Executive, Nuffield Trust\n\n## Introduction\n\n{PROSE_NAMING_BODIES}"))
    compiled = _markdown(tmp_path, (
        "# Carers strategy 2025\n\nReport compiled by:\n\nSam Patel\n\nWorkforce Planner, Health Education England\n\n"
        f"Ann Lee\n\nAnalyst, Health Education England\n\n## Introduction\n\n{PROSE_NAMING_BODIES}"))

    assert (cover.publisher, signed.publisher, compiled.publisher) == (
        "Hackney Council", "Nuffield Trust", "Health Education England")


def test_a_file_property_names_the_publisher_only_when_it_is_an_organisation(tmp_path: Path) -> None:
    def saved(name: str, author: str, company: str) -> Metadata:
        path = tmp_path / name
        document = docx.Document()
        document.add_paragraph("Carers strategy 2025", style="Title")
        document.add_paragraph(PROSE_NAMING_BODIES)
        document.core_properties.author = author
        document.save(str(path))
        with zipfile.ZipFile(path) as archive:
            parts = {n: archive.read(n) for n in archive.namelist()}
        parts["docProps/app.xml"] = parts["docProps/app.xml"].replace(
            b"<Company/>", f"<Company>{company}</Company>".encode())
        with zipfile.ZipFile(path, "w") as archive:
            for n, data in parts.items():
                archive.writestr(n, data)
        return _infer(path)

    company = saved("company.docx", "jsmith", "Hackney Council")
    author = saved("author.docx", "NHS England", "")
    neither = saved("neither.docx", "Jane Ward", "Dell Inc.")

    assert (company.publisher, company.authors) == ("Hackney Council", [])
    assert (author.publisher, author.authors) == ("NHS England", [])
    assert (neither.publisher, neither.authors) == ("", [])


def test_a_publication_reference_in_a_bodys_own_scheme_names_it(tmp_path: Path) -> None:
    front = _markdown(tmp_path, f"# Carers strategy 2025\n\nPublication reference: PRN01756\n\n{PROSE_NAMING_BODIES}")
    back = _markdown(tmp_path, f"# Carers strategy 2025\n\n{PROSE_NAMING_BODIES}\nPublication reference: PR637_i\n")

    assert (front.publisher, back.publisher) == ("NHS England", "NHS England")


@pytest.mark.parametrize(
    "line",
    [
        "Publication reference: Board paper (BM/24/42)",  # a reference in no scheme we know
        "NHS England set out its priorities in publication PRN01625 last year.",  # a reference cited in prose
    ],
)
def test_a_reference_in_no_known_scheme_or_cited_in_prose_is_no_evidence(tmp_path: Path, line: str) -> None:
    found = _markdown(tmp_path, f"# Carers strategy 2025\n\n{line}\n\n{PROSE_NAMING_BODIES}")

    assert found.publisher == ""


def test_a_web_pages_own_figures_name_the_site_that_published_it(tmp_path: Path) -> None:
    found = _markdown(tmp_path, (
        f"# Carers strategy 2025\n\n{PROSE_NAMING_BODIES}\n**Figure 1: the plan**\n\n"
        "\\(https://www.england.nhs.uk/wp-content/uploads/2025/01/figure-1.png\\)\n\nMore text.\n"))

    assert found.publisher == "NHS England"


@pytest.mark.parametrize(
    "figures",
    [
        # a link in a sentence is a reference to another page, not the page's own figure
        "The NHS England chart (https://www.england.nhs.uk/wp-content/uploads/2025/01/chart.png) shows it.",
        # figures from two bodies' sites say nothing of which one published the page
        "(https://www.england.nhs.uk/uploads/a.png)\n\n(https://www.kingsfund.org.uk/media/b.jpg)",
        # a site shared by many bodies names none of them
        "(https://assets.publishing.service.gov.uk/media/chart.png)",
    ],
)
def test_a_linked_image_mixed_sites_or_a_shared_site_are_no_evidence(tmp_path: Path, figures: str) -> None:
    found = _markdown(tmp_path, f"# Carers strategy 2025\n\n{PROSE_NAMING_BODIES}\n{figures}\n")

    assert found.publisher == ""


def test_the_years_a_plan_covers_under_its_cover_title_are_part_of_the_title(tmp_path: Path) -> None:
    found = _markdown(tmp_path, "# Carers strategy\n\n2026/27 to 2028/29\n\n## Foreword\n\nText.\n")

    assert found.title == "Carers strategy 2026/27 to 2028/29"


def test_a_markdown_pages_images_name_the_site_serving_them(tmp_path: Path) -> None:
    found = _markdown(tmp_path, (
        f"# Carers strategy 2025\n\n{PROSE_NAMING_BODIES}\n![Figure 1: the plan](https://www.kingsfund.org.uk/media/fig-1.png)\n"))

    assert found.publisher == "The King's Fund"


def _html(tmp_path: Path, head: str, body: str) -> Metadata:
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>Carers strategy 2025</title>{head}</head><body><h1>Carers strategy 2025</h1>"
                    f"<p>{PROSE_NAMING_BODIES}</p>{body}</body></html>")
    return _infer(path)


def test_a_web_pages_own_address_or_images_on_a_bodys_site_name_it(tmp_path: Path) -> None:
    own = _html(tmp_path, '<link rel="canonical" href="https://www.england.nhs.uk/long-read/carers/">', "")
    images = _html(tmp_path, "", '<img src="https://www.nuffieldtrust.org.uk/files/chart.png" alt="Chart">')

    assert (own.publisher, images.publisher) == ("NHS England", "Nuffield Trust")


def test_a_link_in_a_web_page_or_images_from_several_sites_are_no_evidence(tmp_path: Path) -> None:
    linked = _html(tmp_path, "", '<p>See <a href="https://www.england.nhs.uk/long-read/carers/">the plan</a>.</p>')
    mixed = _html(tmp_path, "", ('<img src="https://www.england.nhs.uk/a.png">'
                                 '<img src="https://www.facebook.com/tr?id=1.png">'))

    assert (linked.publisher, mixed.publisher) == ("", "")
