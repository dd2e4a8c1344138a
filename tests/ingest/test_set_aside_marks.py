"""Ingest marks the sentences addressed to an AI in the catalogue, counts them, and keeps the marks in step."""

from __future__ import annotations

from pathlib import Path

from hostile_notice import AI_SENTENCES, NOTICE, NOTICE_FILE
from ingest_helpers import OpenLibrary, assert_index_consistent, copy_bundled

from assistant.ingest.pipeline import ingest


def test_ingest_marks_and_counts_the_sentences_addressed_to_an_ai(open_library: OpenLibrary, library_dir: Path) -> None:
    (library_dir / NOTICE_FILE).write_text(NOTICE, encoding="utf-8")
    copy_bundled(library_dir, "003")
    library = open_library()
    report = ingest(library, [library_dir])
    assert report.set_aside == {"testshire-budget-notice": 3}  # the bundled page has none
    documents = {d.meta.doc_id: d for d in library.catalog.documents()}
    assert documents["testshire-budget-notice"].set_aside == 3
    assert documents["003_61361ad6a03f30ee"].set_aside == 0
    text = library.catalog.document_text("testshire-budget-notice")
    marks = library.catalog.set_aside(["testshire-budget-notice"])["testshire-budget-notice"]
    assert [text[s:e] for s, e, _ in marks] == list(AI_SENTENCES)
    assert [kind for *_, kind in marks] == ["override", "role label", "tell the user"]
    # Every chunk carries the marks that fall inside it, in document offsets.
    carried = {(s, e) for c in library.catalog.chunks() for s, e in c.set_aside}
    assert carried == {(s, e) for s, e, _ in marks}
    # None of them is an answer unit, nor the lead of one.
    units = library.catalog.units("testshire-budget-notice")
    assert units and not any(u.text in AI_SENTENCES or u.lead in AI_SENTENCES for u in units)
    assert not any(s < u.end and u.start < e for u in units for s, e, _ in marks)
    assert_index_consistent(library)


def test_marks_follow_the_document_through_updates_and_removal(open_library: OpenLibrary, library_dir: Path) -> None:
    notice = library_dir / NOTICE_FILE
    notice.write_text(NOTICE, encoding="utf-8")
    library = open_library()
    ingest(library, [library_dir])
    assert ingest(library, [library_dir]).set_aside == {}  # unchanged: nothing re-done, marks kept
    assert library.catalog.documents()[0].set_aside == 3
    notice.write_text(NOTICE.replace(AI_SENTENCES[0], "The budget was balanced."), encoding="utf-8")
    assert ingest(library, [library_dir]).set_aside == {"testshire-budget-notice": 2}
    assert len(library.catalog.set_aside()["testshire-budget-notice"]) == 2
    notice.unlink()
    ingest(library, [library_dir])
    assert library.catalog.set_aside() == {}
