"""A folder with bad files in it: each bad file gets one clear line, every other file is indexed."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest
from fpdf import FPDF
from ingest_helpers import OpenLibrary, assert_index_consistent, run_cli

from assistant.ingest.pipeline import ingest

LIMIT_MB = "0.001"  # 1,048 bytes: the size rule is tested without writing 50 MB
SMART = "The board said \u201cintegration is a journey, not a destination\u201d \u2013 and it\u2019s right.\n"

# file name -> what the one line about it must say
FAILURES = {
    "empty.txt": "file is empty",
    "picture.txt": "binary content, not text",
    "broken.pdf": "corrupt or unreadable PDF",
    "huge.txt": "over the 1.0 KB limit",
    "data.xyz": "unsupported file type '.xyz'",
}
GOOD = {"good": "Carers", "notes": "Neighbourhood teams", "smart_quotes": "\u201cintegration is a journey"}


def _png() -> bytes:
    """A real 1x1 PNG: binary data behind a .txt name."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(
        b"IEND", b"")


def _broken_pdf() -> bytes:
    """The first half of a real PDF: a header, then nothing a reader can use."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "Discharge to assess.")
    data = bytes(pdf.output())
    return data[: min(len(data) // 2, 900)]


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("Carers strategy\n\nCarers need respite. Councils fund short breaks.\n")
    (folder / "notes.md").write_text("# Neighbourhood teams\n\nNeighbourhood teams join up community care.\n")
    (folder / "smart_quotes.txt").write_bytes(SMART.encode("cp1252"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "picture.txt").write_bytes(_png())
    (folder / "broken.pdf").write_bytes(_broken_pdf())
    (folder / "huge.txt").write_text("Integrated care boards plan services for their population. " * 40)
    (folder / "data.xyz").write_text("col1,col2\n1,2\n")
    assert all(p.stat().st_size < 1000 for p in folder.iterdir() if p.name != "huge.txt")
    return folder


def test_each_bad_file_is_reported_once_with_its_reason_and_the_rest_is_indexed(
    open_library: OpenLibrary, mixed_folder: Path
) -> None:
    library = open_library(max_file_mb=float(LIMIT_MB))

    report = ingest(library, [mixed_folder])

    fatal = {Path(p.path).name: p.reason for p in report.problems if p.fatal}
    assert sorted(fatal) == sorted(FAILURES)
    for name, reason in FAILURES.items():
        assert reason in fatal[name], (name, fatal[name])
    notes = [(Path(p.path).name, p.reason) for p in report.problems if not p.fatal]
    assert notes == [("smart_quotes.txt", "not UTF-8: decoded as cp1252")]
    assert report.partial
    assert sorted(report.added) == sorted(GOOD)
    for doc_id, words in GOOD.items():
        assert words in library.catalog.document_text(doc_id)
    assert library.catalog.document_text("smart_quotes") == SMART.strip()  # the reading text, trimmed
    assert_index_consistent(library)


@pytest.mark.slow  # a subprocess that imports the model and store stack
def test_the_cli_prints_one_line_per_bad_file_and_exits_2_for_a_partial_ingest(
    mixed_folder: Path, tmp_path: Path
) -> None:
    data = tmp_path / "cli-data"

    result = run_cli("ingest", str(mixed_folder), "--data-dir", str(data), cwd=tmp_path, max_file_mb=LIMIT_MB)

    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for name, reason in FAILURES.items():
        about = [line for line in lines if name in line]
        assert len(about) == 1, (name, about)
        assert about[0].startswith("failed: ") and reason in about[0], about[0]
    (note,) = [line for line in lines if "smart_quotes.txt" in line]
    assert note.startswith("note: ") and "decoded as cp1252" in note
    assert "Partial ingest: 5 file(s) could not be read." in result.stderr

    listed = run_cli("docs", "--json", "--data-dir", str(data), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert sorted(d["meta"]["doc_id"] for d in json.loads(listed.stdout)) == sorted(GOOD)
