"""Run systems over a dataset: a throwaway index of the corpus, then every question, observed.

A system is anything that, given a question, returns an Observation (the answer, what it
retrieved, what it cited, how long it took); evaluate.py turns observations into scores. Our
assistant is one system; the baselines (baselines.py) are others, over the same index.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant import Answer, Assistant, Settings
from assistant.facade import AnswerMode
from assistant.index.embedder import Embedder
from assistant.models import IngestReport
from assistant.retrieve import HybridRetriever, Mode

RANKED_K = 10  # the longest ranking the recall figures look at


class ModeUnavailable(RuntimeError):
    """The assistant cannot answer in the requested mode (e.g. no LLM mode yet)."""


class CorpusProblem(RuntimeError):
    """The corpus could not be ingested completely."""


@dataclass
class Observation:
    """What a system did with one question."""

    answer: Answer
    ranked: list[str]  # texts of the top RANKED_K retrieved chunks, best first
    context: list[str]  # the passages the answerer was given
    cited: dict[int, str]  # citation n -> the passage it points to
    latency_ms: float


class System(Protocol):
    name: str
    label: str
    notes: str
    setup_seconds: float

    def observe(self, question: str) -> Observation: ...


class AssistantSystem:
    """Our assistant through its facade, with a retrieval mode and an answer mode."""

    def __init__(self, assistant: Assistant, retrieval: Mode = "hybrid", mode: AnswerMode = "extractive",
                 name: str = "assistant", label: str = "", notes: str = "") -> None:
        check_mode(assistant, mode)
        self.assistant, self.retrieval, self.mode = assistant, retrieval, mode
        self.name, self.notes, self.setup_seconds = name, notes, 0.0
        self.label = label or f"Policy assistant ({retrieval} retrieval, {mode} answers)"

    @property
    def retriever(self) -> HybridRetriever:
        """The assistant's own retriever for its configured mode, so what it retrieves is measured."""
        own = self.assistant.retriever
        if own.mode == self.retrieval:
            return own
        return HybridRetriever(self.assistant.library, mode=self.retrieval)

    def observe(self, question: str) -> Observation:
        began = time.perf_counter()
        answer = self.assistant.ask(question, retrieval=self.retrieval, mode=self.mode)
        latency = (time.perf_counter() - began) * 1000
        query = answer.standalone_question
        vector = self.assistant.library.embedder.embed([query])[0]
        ranked = self.retriever.search(query, RANKED_K, query_vector=vector)
        context = self.retriever.search(query, self.assistant.settings.top_k, query_vector=vector)
        return Observation(
            answer=answer, ranked=[s.chunk.text for s in ranked], context=[s.chunk.text for s in context],
            cited={c.n: self._passage(c.doc_id, c.context_start, c.context_end, c.quote)
                   for c in answer.citations},
            latency_ms=latency,
        )

    def _passage(self, doc_id: str, start: int, end: int, quote: str) -> str:
        """The passage a citation points to: its surrounding chunk when known, else the quote."""
        return self.assistant.document_text(doc_id)[start:end] if end > start else quote


def check_mode(assistant: Assistant, mode: AnswerMode) -> None:
    """Fail before the run, in words, when the assistant cannot answer in `mode`."""
    if mode == "extractive":
        return
    try:
        assistant.generative  # noqa: B018 - raises when no LLM backend is configured
    except Exception as err:  # the assistant's own 'not configured' error, whatever its class
        raise ModeUnavailable(f"--mode llm is not available: {err}") from err


@contextmanager
def throwaway_assistant(embedder: Embedder | None = None) -> Iterator[Assistant]:
    """An assistant on an empty temporary data folder, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="policy-evals-") as data_dir:
        overrides: dict[str, Any] = {"data_dir": Path(data_dir)}  # the rest from the environment
        yield Assistant(Settings(**overrides), embedder=embedder)


def ingest_corpus(assistant: Assistant, corpus: list[Path]) -> None:
    """Ingest every file of the corpus, or fail saying which could not be read."""
    _check_ingest(assistant.ingest([Path(p) for p in corpus]))


def _check_ingest(report: IngestReport) -> None:
    fatal = [p for p in report.problems if p.fatal]
    if fatal:
        listed = "; ".join(f"{p.path}: {p.reason}" for p in fatal[:5])
        raise CorpusProblem(f"{len(fatal)} corpus file(s) could not be ingested: {listed}")
    if not (report.added or report.updated or report.unchanged):
        raise CorpusProblem("the corpus has no documents")


Tick = Callable[[str], None]


def observe_all(system: System, questions: list[str], tick: Tick | None = None) -> list[Observation]:
    """Ask every question in turn (one at a time: latency is measured per question)."""
    observations = []
    for question in questions:
        observations.append(system.observe(question))
        if tick:
            tick(system.name)
    return observations
