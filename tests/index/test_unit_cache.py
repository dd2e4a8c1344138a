"""The answer units held in memory are the catalogue's, always: the same units and vectors as a
read of the catalogue, and a change to the catalogue (an ingest, a removal, another process's
write) is seen on the next read; a question reads from the catalogue only what is not held yet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fakes import HashingEmbedder

from assistant.config import Settings
from assistant.index.catalog import Catalog
from assistant.index.library import Library
from assistant.index.unit_cache import UnitCache
from assistant.ingest.pipeline import ingest
from assistant.models import AnswerUnit

PLAN = ("# Workforce Plan\n\nThe plan recruits 400 community nurses by March 2027. It trains 60 advanced "
        "practitioners.\n\n- Each district gets a lead nurse.\n- Every practice shares a pharmacist.\n\n"
        "Local partners meet every month to review progress.\n")
REVIEW = "# Estates Review\n\nThe review closes two community hospitals. It opens one new health centre.\n"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "workforce-plan.md").write_text(PLAN)
    (folder / "estates-review.md").write_text(REVIEW)
    lib = Library(Settings(data_dir=tmp_path / "data"), HashingEmbedder())
    ingest(lib, [folder])
    return lib


def _spans(library: Library) -> list[list[tuple[str, int, int]]]:
    """Every chunk alone, every document whole, and all chunks at once."""
    chunks = [(c.doc_id, c.start, c.end) for c in library.catalog.chunks()]
    whole = [(d, 0, len(library.catalog.document_text(d))) for d in library.metas()]
    return [[span] for span in chunks] + [[span] for span in whole] + [chunks, [(chunks[0][0], 5, 6)]]


def _same(found: list[tuple[AnswerUnit, np.ndarray]], expected: list[tuple[AnswerUnit, np.ndarray]]) -> bool:
    return [u for u, _ in found] == [u for u, _ in expected] and all(
        a.dtype == b.dtype == np.float32 and np.array_equal(a, b) for (_, a), (_, b) in zip(found, expected, strict=True))


def test_the_units_in_memory_are_the_catalogues(library: Library) -> None:
    assert library.catalog.unit_count() > 4
    for spans in _spans(library):
        assert _same(library.units_within(spans), library.catalog.units_within(spans))


def test_a_document_changed_by_an_ingest_is_read_again(library: Library, tmp_path: Path) -> None:
    before = library.units_within([("workforce-plan", 0, 10_000)])
    assert any("400 community nurses" in u.text for u, _ in before)
    (tmp_path / "library" / "workforce-plan.md").write_text(PLAN.replace("400 community nurses", "250 health visitors"))
    ingest(library, [tmp_path / "library"])
    after = library.units_within([("workforce-plan", 0, 10_000)])
    assert any("250 health visitors" in u.text for u, _ in after)
    assert not any("400 community nurses" in u.text for u, _ in after)
    assert _same(after, library.catalog.units_within([("workforce-plan", 0, 10_000)]))


def test_a_removed_document_has_no_units(library: Library) -> None:
    assert library.units_within([("estates-review", 0, 10_000)])
    library.catalog.remove_document("estates-review", remember=True)
    assert library.units_within([("estates-review", 0, 10_000)]) == []


def test_a_change_written_by_another_process_is_seen(library: Library, tmp_path: Path) -> None:
    assert library.units_within([("estates-review", 0, 10_000)])
    other = Catalog(tmp_path / "data")  # its own connections, as another process has
    other.put_units("estates-review", [], np.zeros((0, 384), dtype=np.float32))
    assert library.catalog.generation() == other.generation()
    assert library.units_within([("estates-review", 0, 10_000)]) == []


def test_beyond_its_limit_it_keeps_the_documents_used_last_and_still_answers_right(library: Library) -> None:
    small = UnitCache(library.catalog, max_units=1)
    for spans in _spans(library):
        assert _same(small.units_within(spans), library.catalog.units_within(spans))
    small.units_within([("estates-review", 0, 10_000)])
    small.units_within([("workforce-plan", 0, 10_000)])
    assert small.units_held == len(library.catalog.units("workforce-plan"))


def test_nobody_can_change_a_held_vector(library: Library) -> None:
    _, vector = library.units_within([("workforce-plan", 0, 10_000)])[0]
    with pytest.raises(ValueError):
        vector *= 2.0


def test_preloading_reads_documents_until_the_limit(library: Library) -> None:
    everything = UnitCache(library.catalog, max_units=10_000)
    everything.preload(sorted(library.metas()))
    assert everything.units_held == library.catalog.unit_count()
    one = UnitCache(library.catalog, max_units=1)
    one.preload(["estates-review", "workforce-plan"])
    assert one.units_held == len(library.catalog.units("estates-review"))


def test_a_question_reads_only_the_stretches_not_held_yet(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = UnitCache(library.catalog, max_units=10_000)
    reads: list[list[tuple[str, int, int]]] = []
    read = library.catalog.units_within_at
    monkeypatch.setattr(library.catalog, "units_within_at", lambda spans: reads.append(spans) or read(spans))

    cache.units_within([("workforce-plan", 0, 40)])
    cache.units_within([("workforce-plan", 20, 90)])
    cache.units_within([("workforce-plan", 10, 80)])

    assert reads == [[("workforce-plan", 0, 40)], [("workforce-plan", 40, 90)]]
    assert cache.units_held < len(library.catalog.units("workforce-plan"))  # the rest was never read


def test_units_read_a_stretch_at_a_time_are_the_catalogues(library: Library) -> None:
    cache = UnitCache(library.catalog, max_units=10_000)
    end = len(library.catalog.document_text("workforce-plan"))
    for start, stop in [(60, 70), (0, 15), (100, end), (10, 65), (0, end), (30, 31)]:
        spans = [("workforce-plan", start, stop)]
        assert _same(cache.units_within(spans), library.catalog.units_within(spans))
    assert cache.units_held == len(library.catalog.units("workforce-plan"))
