"""The one facade the CLI, the web app, the JSON API and the evals call.

Everything a face needs goes through here: asking, ingesting, listing and describing the library,
feedback, and the local LLM server. The faces never reach into ingest, index, retrieve or answer.
Retrieval and answering (LlamaIndex, NLTK, the model) are imported on the first question, so
`docs` and an unchanged `ingest` stay light.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator
from contextlib import nullcontext
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from assistant.common.prompts import template
from assistant.common.slots import AssistantBusy, Slots
from assistant.config import Settings, cpu_cores, force_offline
from assistant.conversation import Session, standalone_question
from assistant.feedback import FeedbackStore
from assistant.index.library import Library
from assistant.index.vectors import ChromaUnavailable
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.pipeline import IngestProgress, ingest
from assistant.llm.backends import LLMNotConfigured
from assistant.models import Answer, IndexedDocument, IngestReport, MetaEdit, SearchFilters

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.answer.generative import GenerativeAnswerer
    from assistant.grounding import GroundingChecker
    from assistant.index.embedder import Embedder
    from assistant.retrieve import HybridRetriever, Mode, ScoredChunk

AnswerMode = Literal["extractive", "llm"]

__all__ = [
    "SUPPORTED_SUFFIXES", "AnswerMode", "Assistant", "AssistantBusy", "ChromaUnavailable", "DocumentNotFound", "IngestProgress",
    "LLMNotConfigured", "LocalLLMServer", "QuestionTooLong", "Removal", "llm_throughput", "local_llm_server",
    "set_aside_note",
]


# Below this much text (about 200 chunks) starting the encoding processes costs more than they save.
POOL_MIN_BYTES = 200_000


# An extractive answer is whole before it is shown: it streams in a few steps only, since every
# step is a message to each browser (a 150-word answer in 6-word steps was 25 of them).
EXTRACTIVE_STREAM_STEPS = 3


class QuestionTooLong(ValueError):
    """A question over the configured length limit."""


class DocumentNotFound(KeyError):
    """No document in the library has this id."""

    def __str__(self) -> str:
        return f"No document in the library has the id {self.args[0]!r} (`policy-assistant docs` lists them)."


class Removal(BaseModel):
    """What removing a document did."""

    document: IndexedDocument
    upload_deleted: bool = Field(False, description="The uploaded copy under the data folder was deleted too.")


def set_aside_note(count: int) -> str:
    """What every face says of a document's sentences addressed to an AI (ingest marked them)."""
    return (f"{count} sentence{'s' if count != 1 else ''} addressed to an AI {'were' if count != 1 else 'was'} "
            "set aside (never quoted, never sent to a language model)")


class Assistant:
    """Ask questions of the indexed library; ingest documents into it."""

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        force_offline()
        self.settings = settings or Settings()
        self.library = Library(self.settings, embedder)
        self._writing = threading.RLock()  # one ingest, removal or edit at a time in this process

    @cached_property
    def slots(self) -> Slots:
        """How many questions are answered at once (one per core by default); every face shares
        them: first come first served within a face, the API's lane weighted against the chat's."""
        s = self.settings
        return Slots(s.answer_workers or cpu_cores(), s.answer_wait_seconds, s.answer_queue,
                     weights={"api": s.answer_api_weight, "chat": 1})

    @cached_property
    def retriever(self) -> HybridRetriever:
        from assistant.retrieve import HybridRetriever

        return HybridRetriever(self.library)

    @cached_property
    def extractive(self) -> ExtractiveAnswerer:
        from assistant.answer.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer(self.library, self.settings)

    @cached_property
    def llm(self) -> LLM | None:
        """The configured language model (None by default); imported only when configured."""
        from assistant.llm.backends import make_llm

        return make_llm(self.settings)

    @cached_property
    def grounding(self) -> GroundingChecker:
        """Checks generated sentences against their sources; shares the library's embedder."""
        from assistant.grounding import GroundingChecker

        return GroundingChecker(self.library.embedder)

    @cached_property
    def generative(self) -> GenerativeAnswerer:
        from assistant.answer.generative import GenerativeAnswerer

        if self.llm is None:
            raise LLMNotConfigured("mode='llm' needs an LLM: set POLICY_ASSISTANT_LLM_BACKEND (see README).")
        return GenerativeAnswerer(self.library, self.settings, self.llm, self.grounding)

    def answer_mode(self, mode: AnswerMode | None = None) -> AnswerMode:
        """The mode asked for, else llm when a backend is configured, else extractive."""
        return mode or ("llm" if self.settings.llm_backend != "none" else "extractive")

    def ingest(
        self, paths: list[Path] | None = None, progress: IngestProgress | None = None, *, batch: bool = False,
    ) -> IngestReport:
        """Index files or folders (default: the bundled library); only changes are re-done.

        `batch=True` (the `ingest` command, the server's first indexing) encodes on every core in
        `ingest_workers` processes; otherwise (uploads while serving) on the serving thread."""
        targets = paths or [self.settings.knowledge_dir]
        workers = self.settings.ingest_workers
        if not workers:  # automatic: every core, unless the files are too few to repay starting the pool
            workers = cpu_cores() if _total_bytes(targets) >= POOL_MIN_BYTES else 1
        with self._writing:
            if not batch or workers < 2 or self.library.custom_embedder:
                return ingest(self.library, targets, progress)
            from assistant.index.embedding_pool import EmbeddingPool

            with EmbeddingPool(lambda: self.library.embedder, self.settings, workers) as pool:
                return ingest(self.library, targets, progress, embedder=pool)

    def documents(self) -> list[IndexedDocument]:
        return self.library.catalog.documents()

    def document(self, doc_id: str) -> IndexedDocument:
        """One document of the library; raises DocumentNotFound."""
        for doc in self.documents():
            if doc.meta.doc_id == doc_id:
                return doc
        raise DocumentNotFound(doc_id)

    def remove_document(self, doc_id: str) -> Removal:
        """Take a document out of the library for good: it is never cited again, a re-ingest of
        its folder leaves it out, and the uploaded copy (if it was an upload) is deleted.

        Crash-safe: the catalogue forgets it and records the removal in one transaction; the
        vectors and the upload go after, and whatever a kill leaves of them is swept later.
        """
        with self._writing:
            doc = self.document(doc_id)
            self.library.catalog.set_vectors_in_doubt(True)  # so the next ingest sweeps what a kill leaves
            self.library.catalog.remove_document(doc_id, remember=True)
            self.library.vectors.delete_document(doc_id)
            source = Path(doc.meta.source)
            upload = source.is_relative_to(self.settings.uploads_dir.resolve()) and source.exists()
            if upload:
                source.unlink()
            self.library.keywords()
        return Removal(document=doc, upload_deleted=upload)

    def set_metadata(self, doc_id: str, edit: MetaEdit) -> IndexedDocument:
        """Correct a document's title, authors, publisher or date; the edit is kept in the
        override store and survives re-ingest (a stated date is no longer shown as inferred)."""
        if edit.empty:
            raise ValueError("Nothing to change: give a title, author, publisher or date.")
        with self._writing:
            self.document(doc_id)
            meta = self.library.catalog.edit_document(doc_id, edit)
            self.library.vectors.update_document_meta(meta)
        return self.document(doc_id)

    def speakers(self) -> list[str]:
        """People quoted in the library who are not its documents' authors (reader commenters),
        most often quoted first: the chat suggests questions about them."""
        authors = {a for d in self.documents() for a in d.meta.authors}
        counts: dict[str, int] = {}
        for chunk in self.library.catalog.chunks():
            if chunk.section == "comment" and chunk.speaker and chunk.speaker not in authors:
                counts[chunk.speaker] = counts.get(chunk.speaker, 0) + 1
        return sorted(counts, key=lambda s: (-counts[s], s))

    @cached_property
    def feedback(self) -> FeedbackStore:
        """Officers' ratings of answers, stored under the data folder."""
        return FeedbackStore(self.settings.data_dir)

    def document_text(self, doc_id: str) -> str:
        """The text citations point into: `document_text(c.doc_id)[c.start:c.end] == c.quote`."""
        return self.library.catalog.document_text(doc_id)

    def set_aside_spans(self, doc_id: str) -> list[tuple[int, int]]:
        """(start, end) of the document's sentences addressed to an AI, which no answer quotes."""
        return [(s, e) for s, e, _ in self.library.catalog.set_aside([doc_id]).get(doc_id, [])]

    def warm_up(self) -> None:
        """Load the model and indexes (the documents' answer units too) now, so the first question is not slow."""
        self.ask("integration of health and social care", mode="extractive")
        self.library.unit_cache.preload(sorted(self.library.metas()))

    def ask(
        self, question: str, *, session: Session | None = None, filters: SearchFilters | None = None,
        retrieval: Mode | None = None, mode: AnswerMode | None = None, take_slot: bool = True, lane: str = "",
    ) -> Answer:
        """Answer from the library only, citing every sentence; refuse when it does not answer.
        Waits for a free answering slot in the face's `lane` ("api", "chat"; raises AssistantBusy
        when none comes free in time) unless `take_slot=False`: the caller holds one already."""
        with self.slots.held(lane) if take_slot else nullcontext():
            *_, answer = self._steps(question, session, filters, retrieval, self.answer_mode(mode))
        assert isinstance(answer, Answer)
        return answer

    def _steps(
        self, question: str, session: Session | None, filters: SearchFilters | None, retrieval: Mode | None,
        mode: AnswerMode,
    ) -> Iterator[str | Answer]:
        """Retrieve, then answer: in llm mode the model's text as it streams, always the Answer last."""
        timings: dict[str, float] = {}
        began = time.perf_counter()
        question = question.strip()
        if len(question) > self.settings.max_question_chars:
            raise QuestionTooLong(
                f"Questions are limited to {self.settings.max_question_chars} characters "
                f"(this one has {len(question)}); please shorten it."
            )
        generative = self.generative if mode == "llm" else None
        standalone = ((generative and generative.condense(question, session))
                      or standalone_question(question, session))
        qvec = self.library.embedder.embed([standalone])[0]
        timings["embed_ms"] = _ms(began)
        retriever = self.retriever if retrieval in (None, self.retriever.mode) else type(self.retriever)(
            self.library, mode=retrieval)
        mark = time.perf_counter()
        retrieved = retriever.search(standalone, self.settings.top_k, filters, query_vector=qvec)
        if standalone != question and session is not None and session.turns:
            retrieved = self._with_earlier_passages(retrieved, session, filters)
        timings["retrieve_ms"] = _ms(mark)
        mark = time.perf_counter()
        if generative is None:
            answer = self.extractive.answer(question, standalone, retrieved, qvec)
        else:
            fallback = lambda: self.extractive.answer(question, standalone, retrieved, qvec)  # noqa: E731
            answer = yield from _final(generative.stream(question, standalone, retrieved, fallback))
        from assistant.answer.citations import locate

        locate(answer, self.library.structure)  # each quote's pages and heading path
        timings["answer_ms"] = _ms(mark)
        timings["total_ms"] = _ms(began)
        answer.timings_ms = timings
        if filters is not None and filters.active:
            self._scoped(answer, filters)
        if session is not None:
            session.add(answer, [s.chunk.chunk_id for s in retrieved])
        yield answer

    def _scoped(self, answer: Answer, filters: SearchFilters) -> None:
        """Record the filter in force on the answer, and let a refusal say that it is the
        selected documents, not the whole library, that do not answer."""
        answer.scope = filters.describe({d: m.title for d, m in self.library.metas().items()})
        if answer.refused:
            answer.answer_markdown = template(self.settings.prompts_dir, "refusal_filtered.txt").format(
                scope=answer.scope)
            answer.notice = answer.notice.replace("the library", "the selected documents")

    def _with_earlier_passages(
        self, retrieved: list[ScoredChunk], session: Session, filters: SearchFilters | None,
    ) -> list[ScoredChunk]:
        """A follow-up rewritten from the last turn may be answered by the passages that turn
        was answered from ("how did Richard reply to him?"): they follow the fresh ones, within
        the filter, each once."""
        from assistant.retrieve import ScoredChunk, matches

        have = {s.chunk.chunk_id for s in retrieved}
        wanted = [cid for cid in session.turns[-1].passage_ids if cid not in have]
        metas = self.library.metas()
        earlier = [c for c in self.library.catalog.chunks(wanted) if c.doc_id in metas
                   and (filters is None or not filters.active or matches(metas[c.doc_id], filters))]
        order = {cid: i for i, cid in enumerate(wanted)}
        earlier.sort(key=lambda c: order[c.chunk_id])
        floor = min((s.score for s in retrieved), default=0.0)
        return retrieved + [ScoredChunk(chunk=c, score=floor * 0.99) for c in earlier]

    def ask_stream(
        self, question: str, *, session: Session | None = None, filters: SearchFilters | None = None,
        mode: AnswerMode | None = None, take_slot: bool = True,
    ) -> Iterator[str | Answer]:
        """Text as it becomes available, then the finished Answer (the UI streams this); in llm
        mode the model's own tokens, then the guarded Answer, which may differ from them.
        `take_slot=False`: the caller holds an answering slot (the chat holds one across the answer
        and the page it renders from it)."""
        if self.answer_mode(mode) == "llm":
            with self.slots.held() if take_slot else nullcontext():
                yield from self._steps(question, session, filters, None, "llm")
            return
        answer = self.ask(question, session=session, filters=filters, mode="extractive", take_slot=take_slot)
        words = answer.answer_markdown.split(" ")
        step = max(6, -(-len(words) // EXTRACTIVE_STREAM_STEPS))
        for i in range(0, len(words), step):
            yield " ".join(words[: i + step])
        yield answer


class LocalLLMServer(BaseModel):
    """How to start the bundled local model as an OpenAI-compatible server."""

    model_file: Path
    model_name: str
    base_url: str
    command: list[str]


def local_llm_server(port: int = 8080, model: Path | None = None, threads: int | None = None) -> LocalLLMServer:
    """The llama.cpp server command for `policy-assistant llm serve`; raises LLMNotConfigured
    when the local-llm extra (or the model file) is missing."""
    from assistant.llm import local_server

    if not local_server.local_llm_available():
        raise LLMNotConfigured("llama-cpp-python is not installed: pip install 'policy-assistant[local-llm]'.")
    gguf = model or local_server.bundled_gguf()
    command = local_server.server_command(gguf, port=port, threads=threads or local_server.default_threads())
    return LocalLLMServer(model_file=gguf, model_name=local_server.LOCAL_MODEL_NAME,
                          base_url=f"http://127.0.0.1:{port}/v1", command=command)


def llm_throughput(base_url: str, model: str) -> tuple[int, int, float]:
    """(prompt tokens, completion tokens, seconds) of one completion from an OpenAI-compatible server."""
    from assistant.llm.local_server import measure_throughput

    t = measure_throughput(base_url, model)
    return t.prompt_tokens, t.completion_tokens, t.seconds


def _total_bytes(paths: list[Path]) -> int:
    """Size of the files under `paths` (stat only): is a batch ingest big enough for the pool?"""
    total = 0
    for path in paths:
        files = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        total += sum(f.stat().st_size for f in files if f.is_file())
    return total


def _final(steps: Iterator[str | Answer]) -> Generator[str, None, Answer]:
    """Pass the streamed text on; return the Answer that ends the stream."""
    for item in steps:
        if isinstance(item, Answer):
            return item
        yield item
    raise RuntimeError("the answerer ended without an Answer")


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
