"""Fixtures for the generative path: a scripted LLM, a grounding checker, and a library that
holds a prompt-injection document next to the bundled ones."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from llm_helpers import INJECTION_DOC, INJECTION_FILE

from assistant import Assistant, Settings
from assistant.grounding import GroundingChecker
from assistant.index.embedder import SentenceTransformerEmbedder


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
