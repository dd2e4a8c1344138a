"""Officers remove documents and correct their metadata; both hold across re-ingests and restarts.

Through the facade (what the CLI, the API and the Library tab call), on a real Chroma and SQLite
with the small hashing embedder: what is asserted is bookkeeping, not what vectors mean.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import HashingEmbedder
from ingest_helpers import assert_index_consistent, copy_bundled
from pydantic import ValidationError

from assistant import Assistant, DocumentNotFound, MetaEdit, SearchFilters, Settings

MJ = "001_296eb1b625b7b62b"  # "Is the integration bandwagon beginning to roll at last?", The MJ, 2013
SHA = "002_f81a2e93510845b4"
PIONEER_WORDS = "integration pioneers bids Norman Lamb"


@pytest.fixture
def library_folder(library_dir: Path) -> Path:
    copy_bundled(library_dir, "001", "002", "003")
    (library_dir / "manifest.toml").write_text(
        (Path(__file__).resolve().parents[2] / "knowledge" / "manifest.toml").read_text(encoding="utf-8"),
        encoding="utf-8")
    return library_dir


@pytest.fixture
def open_assistant(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh Assistant (a restart) on the same data folder each call."""
    embedder = HashingEmbedder()

    def open_() -> Assistant:
        return Assistant(Settings(data_dir=tmp_path / "data"), embedder=embedder)

    return open_


def cited_docs(assistant: Assistant, question: str, filters: SearchFilters | None = None) -> set[str]:
    retrieved = assistant.retriever.search(question, 10, filters)
    return {s.chunk.doc_id for s in retrieved}


def test_a_removed_document_is_gone_everywhere_and_stays_gone(open_assistant, library_folder: Path) -> None:  # type: ignore[no-untyped-def]
    assistant = open_assistant()
    assistant.ingest([library_folder])
    assert MJ in cited_docs(assistant, PIONEER_WORDS)

    removal = assistant.remove_document(MJ)
    assert removal.document.meta.doc_id == MJ and not removal.upload_deleted
    assert MJ not in {d.meta.doc_id for d in assistant.documents()}
    assert MJ not in cited_docs(assistant, PIONEER_WORDS)
    assert_index_consistent(assistant.library)
    assert (library_folder / f"{MJ}.txt").exists()  # a file of the officer's own folder is never deleted

    report = assistant.ingest([library_folder])  # the folder still holds its file
    assert report.excluded == [MJ] and MJ not in report.added
    restarted = open_assistant()
    assert MJ not in {d.meta.doc_id for d in restarted.documents()}
    assert MJ not in cited_docs(restarted, PIONEER_WORDS)
    assert restarted.ingest([library_folder]).excluded == [MJ]

    back = restarted.ingest([library_folder / f"{MJ}.txt"])  # named on its own: added back
    assert back.added == [MJ]
    assert MJ in cited_docs(restarted, PIONEER_WORDS)
    assert restarted.ingest([library_folder]).excluded == []


def test_removing_an_upload_deletes_the_uploaded_copy(open_assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assistant = open_assistant()
    uploads = assistant.settings.uploads_dir
    uploads.mkdir(parents=True)
    copy = uploads / "wrong-upload.txt"
    copy.write_text("Wrong upload\n\nThis file was uploaded by mistake and names the Riverside merger.\n")
    assistant.ingest([copy])
    removal = assistant.remove_document("wrong-upload")
    assert removal.upload_deleted and not copy.exists()
    assert assistant.ingest([uploads]).added == []
    with pytest.raises(DocumentNotFound, match="wrong-upload"):
        assistant.remove_document("wrong-upload")


def test_metadata_edits_apply_at_once_and_survive_reingest_and_restart(  # type: ignore[no-untyped-def]
    open_assistant, library_folder: Path
) -> None:
    assistant = open_assistant()
    assistant.ingest([library_folder])
    doc = assistant.set_metadata(MJ, MetaEdit(title="Integration pioneers: the bandwagon rolls", date="2013-05"))
    assert doc.meta.title == "Integration pioneers: the bandwagon rolls"
    assert (doc.meta.date, doc.meta.date_inferred, doc.meta.date_label) == ("2013-05", False, "2013-05")
    assert doc.meta.authors == ["Michael Burton"]  # what was not edited is kept
    doc = assistant.set_metadata(MJ, MetaEdit(publisher="Municipal Journal", authors=["M. Burton", "A. N. Other"]))
    assert doc.meta.title == "Integration pioneers: the bandwagon rolls"  # earlier edits are kept
    assert (doc.meta.publisher, doc.meta.authors) == ("Municipal Journal", ["M. Burton", "A. N. Other"])

    # Filters read the edited metadata at once.
    assert cited_docs(assistant, PIONEER_WORDS, SearchFilters(publishers=["Municipal Journal"])) == {MJ}
    assert MJ not in cited_docs(assistant, PIONEER_WORDS, SearchFilters(publishers=["The MJ"]))

    path = library_folder / f"{MJ}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nA late paragraph on pooled budgets.\n", encoding="utf-8")
    assert open_assistant().ingest([library_folder]).updated == [MJ]  # re-inferred, then the edits applied
    meta = open_assistant().document(MJ).meta
    assert (meta.title, meta.publisher, meta.date) == ("Integration pioneers: the bandwagon rolls", "Municipal Journal",
                                                        "2013-05")
    assert_index_consistent(open_assistant().library)


def test_bad_edits_are_refused_with_a_clear_message(open_assistant, library_folder: Path) -> None:  # type: ignore[no-untyped-def]
    assistant = open_assistant()
    assistant.ingest([library_folder])
    with pytest.raises(ValidationError, match="not a date"):
        MetaEdit(date="May 2013")
    with pytest.raises(ValidationError, match="not a real date"):
        MetaEdit(date="2013-02-30")
    with pytest.raises(ValidationError, match="title cannot be empty"):
        MetaEdit(title="  ")
    with pytest.raises(ValueError, match="Nothing to change"):
        assistant.set_metadata(MJ, MetaEdit())
    with pytest.raises(DocumentNotFound):
        assistant.set_metadata("no-such-doc", MetaEdit(title="x"))
    assert assistant.set_metadata(SHA, MetaEdit(date="")).meta.date_label == ""  # '' says: date unknown


def test_a_removal_interrupted_after_its_commit_leaves_a_consistent_index(  # type: ignore[no-untyped-def]
    open_assistant, library_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalogue commits first; a crash before the vectors go leaves strays that nothing
    retrieves and the next ingest sweeps."""
    assistant = open_assistant()
    assistant.ingest([library_folder])

    def crash(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(type(assistant.library.vectors), "delete_document", crash)
    with pytest.raises(SystemExit):
        assistant.remove_document(MJ)
    monkeypatch.undo()
    restarted = open_assistant()
    assert MJ not in cited_docs(restarted, PIONEER_WORDS)  # its stray vectors are never returned
    assert restarted.ingest([library_folder]).excluded == [MJ]
    assert_index_consistent(restarted.library)
