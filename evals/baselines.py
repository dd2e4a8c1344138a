"""The baselines every report carries, run on the same questions in the same run.

- `bm25`: our assistant with BM25-only retrieval (same chunks, same answerer): what the dense
  half of hybrid retrieval buys.
- `llamaindex`: LlamaIndex's default dense pipeline, i.e. what a RAG tutorial gives you:
  VectorStoreIndex with default settings (SentenceSplitter, 1024-token chunks, 200 overlap;
  in-memory vector store) over the same documents (the texts our catalogue holds), embedded
  with the same MiniLM, top-5 retriever. It has no answerer: its "answer" is the top chunk's
  text, cited as [1], and it never refuses.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from pydantic import PrivateAttr

from assistant import Answer, Assistant
from assistant.common.text import sentence_spans
from assistant.index.embedder import Embedder
from evals.runner import RANKED_K, AssistantSystem, Observation

LLAMAINDEX_TOP_K = 5

LLAMAINDEX_NOTES = (
    "LlamaIndex defaults (SentenceSplitter 1024/200, in-memory store), our MiniLM, top-5 retriever "
    "(recall@10 from the same ranking asked for 10). Answer = the top chunk's text, never a refusal: its "
    "answer figures are a naive reference; citation and support figures are near 1 by construction. "
    "MiniLM reads only the first 256 word pieces of each 1024-token chunk."
)


def bm25_baseline(assistant: Assistant) -> AssistantSystem:
    return AssistantSystem(
        assistant, retrieval="bm25", name="bm25", label="Our assistant, BM25-only retrieval",
        notes="Same index, chunks and extractive answerer; retrieval is BM25 alone (no dense, no fusion).",
    )


def _embedding_class() -> type:
    """Defined lazily so that importing evals does not import LlamaIndex's embedding stack."""
    from llama_index.core.base.embeddings.base import BaseEmbedding

    class MiniLMEmbedding(BaseEmbedding):
        """Our sentence-transformers embedder as a LlamaIndex embedding model."""

        _embedder: Any = PrivateAttr()

        def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
            super().__init__(model_name=embedder.name, **kwargs)
            self._embedder = embedder

        def _vectors(self, texts: list[str]) -> list[list[float]]:
            vectors: list[list[float]] = np.asarray(self._embedder.embed(texts)).tolist()
            return vectors

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._vectors([query])[0]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._vectors([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._vectors(texts)

    return MiniLMEmbedding


class LlamaIndexBaseline:
    """VectorStoreIndex with defaults over the assistant's documents."""

    name = "llamaindex"
    label = "LlamaIndex default dense pipeline"
    notes = LLAMAINDEX_NOTES

    def __init__(self, assistant: Assistant) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core import Settings as LlamaSettings
        from llama_index.core.llms import MockLLM

        LlamaSettings.llm = MockLLM()  # what `Settings.llm = None` gives, minus its print: never OpenAI
        began = time.perf_counter()
        self.assistant = assistant
        self.metas = {d.meta.doc_id: d.meta for d in assistant.documents()}
        documents = [
            Document(text=assistant.document_text(doc_id), id_=doc_id, metadata={"title": meta.title})
            for doc_id, meta in self.metas.items()
        ]
        embed_model = _embedding_class()(assistant.library.embedder)
        self.index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
        self.retriever = self.index.as_retriever(similarity_top_k=RANKED_K)
        self.setup_seconds = time.perf_counter() - began

    def observe(self, question: str) -> Observation:
        began = time.perf_counter()
        hits = self.retriever.retrieve(question)
        answer = self._answer(question, hits[0] if hits else None)
        latency = (time.perf_counter() - began) * 1000
        ranked = [hit.node.get_content() for hit in hits]
        return Observation(answer=answer, ranked=ranked, context=ranked[:LLAMAINDEX_TOP_K],
                           cited={1: ranked[0]} if ranked else {}, latency_ms=latency)

    def _answer(self, question: str, top: Any) -> Answer:
        """The top chunk, verbatim, as a one-citation answer (built from dicts, as the API would)."""
        if top is None:
            return Answer.model_validate({"question": question, "standalone_question": question,
                                          "answer_markdown": "", "refused": True})
        node = top.node
        text = node.get_content()
        doc_id = node.ref_doc_id or ""
        meta = self.metas.get(doc_id)
        start = node.start_char_idx if node.start_char_idx is not None else 0
        end = node.end_char_idx if node.end_char_idx is not None else start + len(text)
        about = {"title": meta.title, "author": meta.author_line, "date": meta.date, "source": meta.source} \
            if meta else {"title": "", "author": "", "date": "", "source": ""}
        citation = {"n": 1, "doc_id": doc_id, "section": "", "quote": text, "start": start, "end": end,
                    "score": float(top.score or 0.0), "context_start": start, "context_end": end, **about}
        return Answer.model_validate({
            "question": question, "standalone_question": question, "answer_markdown": f"{text} [1]",
            "refused": False, "citations": [citation],
            "sentences": [{"text": text[s:e], "citations": [1]} for s, e in sentence_spans(text)],
        })
