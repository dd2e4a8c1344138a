"""The real documents in ../shared get the title, date and publisher their SOURCES.md gives,
read from their own text (the CI checkout has ../shared beside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import infer_metadata

SHARED = Path(__file__).resolve().parents[3] / "shared"
NO_STATED_PUBLISHER = ""
NO_STATED_DATE = ""

# file: (title, publisher, date, date inferred), with the evidence each publisher comes from.
NHS = {
    # SOURCES.md says DHSC, but the extract states no publisher: the cover's logo did not survive
    # extraction and its text names the department only in its prose and endnotes.
    "10-year-health-plan-for-england-executive-summary.md":
        ("Fit for the future: 10 Year Health Plan for England", NO_STATED_PUBLISHER, "2025-07", False),
    "nhse-neighbourhood-health-guidelines-2025_26.md":  # "Publication reference: PRN01756"
        ("Neighbourhood health guidelines 2025/26", "NHS England", "2025-01-29", False),
    "nhse-planning-framework-for-the-nhs-in-england.md":  # its figure, served from england.nhs.uk
        ("Planning framework for the NHS in England", "NHS England", "2025-09-08", False),
    "nhse-nhs-oversight-framework-2025_26-methodology-manual.md":  # "Publication reference: PRN02028_i"
        ("NHS Oversight Framework 2025/26 – methodology manual", "NHS England", "2025-06-26", False),
    # "Publication reference: PRN01625"; the text states no date, so the file name's month, inferred
    "priorities-and-operational-planning-guidance-january-2025.md":
        ("2025/26 priorities and operational planning guidance", "NHS England", "2025-01", True),
    # the foreword's signatory ("Chief Executive, NHS England"); the text states no date of its own
    "medium-term-planning-framework-delivering-change-together-2026-27-to-2028-29.md":
        ("Medium Term Planning Framework: delivering change together 2026/27 to 2028/29", "NHS England",
         NO_STATED_DATE, False),
    # its figure, served from england.nhs.uk. The page says "Date published: 3 December, 2024";
    # SOURCES.md gives the board meeting's date (5 December 2024, also the page's last update).
    "nhs-england-productivity-update.md": ("NHS productivity", "NHS England", "2024-12-03", False),
    "assessment-of-priority-skills-to-2030-gov-uk.md":  # the organisation line above the title
        ("Assessment of priority skills to 2030", "Skills England", "2025-08-12", False),
    # the journal's running head; its authors (Iqbal et al.) are the authors, not the publisher
    "defining-the-integrated-neighbourhood.md":
        ("Defining the integrated neighbourhood model: a systematic review of key domains and framework development",
         "BMC Public Health", "2025", False),
}
PDF = {
    "Standard-operating-procedures-individual-funding-requests-February-2023.pdf":  # "© NHS England 2023"
        ("Standard operating procedures: Individual funding requests", "NHS England", "2023-02-08", False),
    # "This report was commissioned by NHS England"
    "AnalystX_Observatory_State_of_the_Nation_Workforce_survey_key_findings_211022_REVIEWED.pdf":
        ("AnalystX Observatory State of the Nation: Workforce survey key findings", "NHS England", "2022-10-24",
         False),
    "Data Driven Healthcare in 2030 - Summary report - Mar 21.pdf":  # "Report compiled by:" and affiliations
        ("Data Driven Healthcare in 2030: Transformation Requirements of the NHS Digital Technology and Health "
         "Informatics Workforce", "Health Education England", "2021-03", False),
    # the site name before the printed page's breadcrumb; no date stated, so the text's latest
    # year (the file was printed in 2026), inferred
    "Digital, data and analytics - Annual Impact Report 2023_24 - Transformation Partners in Health and Care.pdf":
        ("Digital, data and analytics – Annual Impact Report 2023/24", "Transformation Partners in Health and Care",
         "2024", True),
}


@pytest.mark.parametrize(("folder", "name"), [("corpus-nhs", n) for n in NHS] + [("corpus-pdf", n) for n in PDF])
def test_a_real_documents_title_date_and_publisher(folder: str, name: str) -> None:
    path = SHARED / folder / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: ../shared (the shared corpora) is not beside this checkout")
    title, publisher, date, inferred = (NHS | PDF)[name]

    found = infer_metadata(load_file(path, 50 * 2**20), path)

    assert (found.title, found.publisher, found.date, found.date_inferred) == (title, publisher, date, inferred)


def test_every_document_in_the_shared_corpora_is_pinned() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: ../shared (the shared corpora) is not beside this checkout")
    for folder, pinned in (("corpus-nhs", NHS), ("corpus-pdf", PDF)):
        present = {p.name for p in (SHARED / folder).iterdir() if p.name != "SOURCES.md"}
        assert present == set(pinned), folder
