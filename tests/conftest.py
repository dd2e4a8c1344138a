"""Shared fixtures: one real index of the bundled library per test session, built with the real model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant import Assistant, Settings
from assistant.index.embedder import SentenceTransformerEmbedder

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real all-MiniLM-L6-v2, loaded once."""
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def bundled(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Iterator[Assistant]:
    """An assistant over the bundled library, ingested into a throwaway data folder."""
    data_dir = tmp_path_factory.mktemp("bundled-data")
    assistant = Assistant(Settings(data_dir=data_dir), embedder=embedder)
    report = assistant.ingest()
    assert not report.partial, report.problems
    yield assistant


@pytest.fixture
def make_assistant(tmp_path: Path, embedder: SentenceTransformerEmbedder):  # type: ignore[no-untyped-def]
    """A fresh assistant on its own empty data folder (settings may be overridden)."""

    def make(**overrides: object) -> Assistant:
        settings = Settings(data_dir=tmp_path / "data", **overrides)  # type: ignore[arg-type]
        return Assistant(settings, embedder=embedder)

    return make
