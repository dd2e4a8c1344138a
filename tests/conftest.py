"""Shared fixtures: one real index of the bundled library per test session, built with the real model;
for the generative path, a scripted LLM's assistant over a library holding a prompt-injection document."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from hostile_notice import NOTICE, NOTICE_FILE
from llm_helpers import INJECTION_DOC, INJECTION_FILE

from assistant import Assistant, Settings
from assistant.grounding import GroundingChecker
from assistant.index.embedder import SentenceTransformerEmbedder
from evals.dataset import Dataset, DatasetError, load_named_set

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
_REAL_MODEL_FIXTURES = {"embedder"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that load the real embedding model (directly or through a fixture) are marked `model`,
    so `make test-fast` can leave them out; `make test` runs everything."""
    for item in items:
        if _REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def dev_set() -> Dataset:
    """The bundled library's dev questions, read from ../shared at run time; skipped, saying why,
    where ../shared is not beside the checkout."""
    try:
        return load_named_set("dev")
    except DatasetError as error:
        pytest.skip(str(error))


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


@pytest.fixture(scope="session")
def checker(embedder: SentenceTransformerEmbedder) -> GroundingChecker:
    """The real offline checker, as the Assistant builds it."""
    return GroundingChecker(embedder)


@pytest.fixture(scope="session")
def injected_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled library plus a memo that tries to give the assistant orders."""
    root = tmp_path_factory.mktemp("injected")
    knowledge = root / "knowledge"
    shutil.copytree(Settings().knowledge_dir, knowledge)
    (knowledge / INJECTION_FILE).write_text(INJECTION_DOC, encoding="utf-8")
    return Settings(data_dir=root / "data", knowledge_dir=knowledge)


@pytest.fixture(scope="session")
def injected_library(injected_settings: Settings, embedder: SentenceTransformerEmbedder) -> Assistant:
    assistant = Assistant(injected_settings, embedder=embedder)
    report = assistant.ingest()
    assert not report.partial, report.problems
    return assistant


@pytest.fixture(scope="session")
def hostile_library(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Assistant:
    """The bundled library plus the hostile budget notice (tests/hostile_notice.py)."""
    root = tmp_path_factory.mktemp("hostile")
    knowledge = root / "knowledge"
    shutil.copytree(Settings().knowledge_dir, knowledge)
    (knowledge / NOTICE_FILE).write_text(NOTICE, encoding="utf-8")
    assistant = Assistant(Settings(data_dir=root / "data", knowledge_dir=knowledge), embedder=embedder)
    report = assistant.ingest()
    assert not report.partial, report.problems
    return assistant


@pytest.fixture
def llm_assistant(
    injected_library: Assistant, injected_settings: Settings, embedder: SentenceTransformerEmbedder,
    checker: GroundingChecker,
) -> Iterator[Callable[..., Assistant]]:
    """An Assistant on the injected library whose LLM is the given scripted model."""

    def make(llm: Any, **overrides: Any) -> Assistant:
        settings = injected_settings.model_copy(update={"llm_backend": "openai", **overrides})
        assistant = Assistant(settings, embedder=embedder)
        assistant.llm = llm
        assistant.grounding = checker
        return assistant

    yield make
