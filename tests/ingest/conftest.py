"""Fixtures for the ingestion specs: a library on a temporary data folder, with a counting embedder.

Ingest bookkeeping (what is re-embedded, what is removed, what a bad file costs) does not depend on
what the vectors mean, so these specs use the small hashing embedder and run in the fast tier."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import HashingEmbedder
from ingest_helpers import CountingEmbedder, OpenLibrary

from assistant.config import Settings
from assistant.index.library import Library


@pytest.fixture
def counting() -> CountingEmbedder:
    return CountingEmbedder(HashingEmbedder())


@pytest.fixture
def open_library(tmp_path: Path, counting: CountingEmbedder) -> OpenLibrary:
    """A Library on tmp_path/data (real Chroma, real SQLite, hashing embedder); settings may be overridden."""

    def open_(**overrides: object) -> Library:
        settings = Settings(data_dir=tmp_path / "data", **overrides)  # type: ignore[arg-type]
        return Library(settings, counting)

    return open_


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    """An empty folder to put documents in."""
    folder = tmp_path / "library"
    folder.mkdir()
    return folder
