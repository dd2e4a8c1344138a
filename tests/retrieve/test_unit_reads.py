"""Reading answer units from memory changes no result: passages ranked, their unit scores and
the answers are the same as when every read goes to the catalogue."""

from __future__ import annotations

import pytest
from fakes import HashingEmbedder

from assistant import Assistant, Settings
from assistant.config import BUNDLED_KNOWLEDGE
from assistant.retrieve import HybridRetriever
from evals.dataset import Dataset


@pytest.fixture(scope="module")
def questions(dev_set: Dataset) -> list[str]:
    """The first twelve dev questions."""
    return [q.question for q in dev_set.questions[:12]]


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assistant, Assistant]:
    """Two assistants on one index: the first reads units through its cache, the second from
    the catalogue on every read."""
    data = tmp_path_factory.mktemp("unit-reads")
    cached = Assistant(Settings(data_dir=data), embedder=HashingEmbedder())
    cached.ingest([BUNDLED_KNOWLEDGE])
    uncached = Assistant(Settings(data_dir=data), embedder=HashingEmbedder())
    uncached.library.__dict__["unit_cache"] = uncached.library.catalog  # every read from SQLite
    return cached, uncached


def test_search_ranks_the_same(twins: tuple[Assistant, Assistant], questions: list[str]) -> None:
    cached, uncached = twins
    for question in questions:
        ours = HybridRetriever(cached.library).search(question, 10)
        theirs = HybridRetriever(uncached.library).search(question, 10)
        assert [(s.chunk.chunk_id, s.score, s.units) for s in ours] == [
            (s.chunk.chunk_id, s.score, s.units) for s in theirs]
    assert cached.library.unit_cache.units_held > 0


def test_answers_are_the_same(twins: tuple[Assistant, Assistant], questions: list[str]) -> None:
    cached, uncached = twins
    for question in questions:
        ours, theirs = cached.ask(question), uncached.ask(question)
        assert ours.model_dump(exclude={"timings_ms"}) == theirs.model_dump(exclude={"timings_ms"})
