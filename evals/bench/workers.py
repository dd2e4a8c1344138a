"""The benchmark's worker processes: `python -m evals.bench.workers sample|build|serve ...` (typer).

Each measurement that involves memory or start-up runs in a fresh process, so its RSS and its
cold start are its own and not the orchestrator's. Workers print one JSON object per line on
stdout; `serve` then answers JSON commands on stdin, one per line, until {"op": "quit"}.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

STARTED = time.perf_counter()

from assistant.config import force_offline  # noqa: E402

force_offline()


def rss_mb() -> dict[str, float]:
    """Current and peak resident set size of this process, in MiB (from /proc, no psutil)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rss_mb": round(fields.get("VmRSS", 0.0), 1),
        "peak_rss_mb": round(max(peak, fields.get("VmHWM", 0)), 1),
    }


def emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload), flush=True)


def sample(
    data_dir: Annotated[Path, typer.Option(help="Folder for the two throwaway indexes.")],
    cache: Annotated[Path, typer.Option(help="Vector cache to fill for the replicated libraries.")],
    sources: Annotated[list[Path], typer.Option("--source", help="Folders of real documents (repeatable).")],
) -> None:
    """Full-pipeline ingest of the real text with the real encoder, twice in one process: as
    serving does it (in-process, one thread) and as a batch ingest does it (a pool, a process per
    core); next to each, encoding alone of the same texts, chunks and answer units (its ceiling). The model is loaded
    (and the pool started) before timing; the pool's start-up is reported on its own."""
    from assistant import Assistant, Settings
    from assistant.config import cpu_cores
    from assistant.index.embedding_pool import EmbeddingPool
    from assistant.index.search_text import indexed_text
    from assistant.ingest.pipeline import ingest
    from evals.bench.library import VectorCache

    load_at_start = os.getloadavg()
    serving = Assistant(Settings(data_dir=data_dir / "serving", ingest_workers=1))
    embedder = serving.library.embedder
    embedder.embed(["warm up the model before timing"])
    batch = Assistant(Settings(data_dir=data_dir / "batch"))
    workers = cpu_cores()
    began = time.perf_counter()
    with EmbeddingPool(lambda: batch.library.embedder, batch.settings, workers) as pool:
        pool.embed(["start the workers before timing"] * workers)
        pool_start = time.perf_counter() - began
        one = serving.ingest(sources)  # the serving path: in-process, one PyTorch thread
        many = ingest(batch.library, sources, embedder=pool)  # what `policy-assistant ingest` does
        texts = [indexed_text(c) for c in serving.library.catalog.chunks()]  # as the pipeline embeds them
        unit_texts, unit_vectors = _unit_vectors(serving)  # it embeds every answer unit too
        began = time.perf_counter()
        vectors = embedder.embed(texts + unit_texts)[: len(texts)]
        encode_one = time.perf_counter() - began
        began = time.perf_counter()
        pool.embed(texts + unit_texts)
        encode_many = time.perf_counter() - began
    began = time.perf_counter()
    again = serving.ingest(sources)
    reingest_seconds = time.perf_counter() - began
    cache_store = VectorCache(cache)
    cache_store.put(texts, vectors)
    cache_store.put(unit_texts, unit_vectors)  # the replicas' answer units reuse these too
    cache_store.save()
    per_source = {d.meta.source: d.n_chunks for d in serving.documents()}
    emit(
        {
            "chunks": len(texts),
            "units": len(unit_texts),
            "documents": len(per_source),
            "workers": workers,
            "serving_ingest_seconds": one.seconds,
            "serving_encode_seconds": encode_one,
            "batch_ingest_seconds": many.seconds,
            "batch_encode_seconds": encode_many,
            "pool_start_seconds": pool_start,
            "batch_chunks": many.chunks_embedded,
            "reingest_unchanged_seconds": reingest_seconds,
            "reingest_unchanged_docs": len(again.unchanged),
            "problems": [p.reason for p in one.problems if p.fatal],
            "chunks_by_source": per_source,
            "embedding": embedder.name,
            "load_average": [round(x, 2) for x in load_at_start],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            **rss_mb(),
        }
    )


def _unit_vectors(assistant: Any) -> tuple[list[str], Any]:
    """Every answer unit's text (as the model saw it) and its stored vector, from the catalogue."""
    import numpy as np

    from assistant.index.search_text import unit_text

    catalog = assistant.library.catalog
    pairs = [pair for doc in catalog.documents()
             for pair in catalog.units_within([(doc.meta.doc_id, 0, len(catalog.document_text(doc.meta.doc_id)))])]
    if not pairs:
        return [], np.zeros((0, 384), dtype=np.float32)
    return [unit_text(u) for u, _ in pairs], np.stack([v for _, v in pairs])


def build(
    data_dir: Annotated[Path, typer.Option(help="The index to build.")],
    cache: Annotated[Path, typer.Option(help="The vector cache (texts seen before are not re-encoded).")],
    library: Annotated[Path, typer.Option(help="The replicated library's folder.")],
) -> None:
    """Ingest a replicated library through the real pipeline, encoding only unseen texts."""
    from assistant import Assistant, Settings
    from assistant.index.embedder import SentenceTransformerEmbedder
    from evals.bench.library import CachedEmbedder, VectorCache

    settings = Settings(data_dir=data_dir)
    vectors = VectorCache(cache)
    embedder = CachedEmbedder(
        SentenceTransformerEmbedder(settings.embedding_model, batch_size=settings.embed_batch_size), vectors
    )
    assistant = Assistant(settings, embedder=embedder)
    report = assistant.ingest([library])
    began = time.perf_counter()
    again = assistant.ingest([library])
    reingest_seconds = time.perf_counter() - began
    vectors.save()
    emit(
        {
            "chunks": assistant.library.vectors.count(),
            "documents": len(report.added),
            "build_seconds": report.seconds,
            "encoded": embedder.misses,
            "reused": embedder.hits,
            "reingest_unchanged_seconds": reingest_seconds,
            "reingest_unchanged_docs": len(again.unchanged),
            "problems": [p.reason for p in report.problems if p.fatal],
            "disk_mb": round(sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file()) / 2**20, 1),
            **rss_mb(),
        }
    )


class OurSystem:
    """The assistant as served: persisted index, model loaded once, one `Assistant`."""

    def __init__(self, data_dir: Path) -> None:
        from assistant import Assistant, Settings

        self.assistant = Assistant(Settings(data_dir=data_dir))

    def forget(self) -> int:
        """Drop what answering caches between questions (sentence vectors, grounding vectors), so the
        next question is answered as if nobody had asked about its passages: a first ask."""
        dropped = 0
        for owner in (self.assistant.__dict__.get("extractive"), self.assistant.__dict__.get("grounding")):
            for holder in (owner, getattr(owner, "scorer", None)):
                for name in ("cache", "_vectors"):
                    store = getattr(holder, name, None)
                    if isinstance(store, dict):
                        dropped += len(store)
                        store.clear()
        return dropped

    def retrieve(self, question: str, mode: str) -> int:
        from assistant.retrieve import HybridRetriever

        retriever = HybridRetriever(self.assistant.library, mode=mode)  # type: ignore[arg-type]
        return len(retriever.search(question, self.assistant.settings.top_k))

    def ask(self, question: str, mode: str) -> int:
        answer = self.assistant.ask(question, retrieval=mode)  # type: ignore[arg-type]
        return len(answer.citations)

    def search(self, question: str, mode: str) -> dict[str, float]:
        """Retrieval with the question already embedded: the part whose cost grows with the
        library (vector query, BM25, catalogue fetch, fusion), timed on its own."""
        from assistant.retrieve import HybridRetriever

        vector = self.assistant.library.embedder.embed([question])[0]
        retriever = HybridRetriever(self.assistant.library, mode=mode)  # type: ignore[arg-type]
        began = time.perf_counter()
        retriever.search(question, self.assistant.settings.top_k, query_vector=vector)
        return {"ms": (time.perf_counter() - began) * 1000}


class LlamaIndexSystem:
    """LlamaIndex's default dense pipeline: VectorStoreIndex defaults (SentenceSplitter 1024/200,
    in-memory SimpleVectorStore) over the catalogue's document texts, our MiniLM as the embedding
    model, no LLM (a MockLLM: the query engine retrieves and synthesises, generating nothing)."""

    def __init__(self, data_dir: Path, cache_path: Path, top_k: int) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core import Settings as LlamaSettings
        from llama_index.core.llms import MockLLM

        from assistant.index.catalog import Catalog
        from assistant.index.embedder import SentenceTransformerEmbedder
        from evals.bench.library import CachedEmbedder, VectorCache

        # Settings.llm = None gives a MockLLM that echoes its prompt, so the refine loop's prompt
        # outgrows the context window; the same MockLLM with a bounded output does not.
        LlamaSettings.llm = MockLLM(max_tokens=256)
        catalog = Catalog(data_dir)
        documents = [
            Document(text=catalog.document_text(d.meta.doc_id), id_=d.meta.doc_id) for d in catalog.documents()
        ]
        self.cache = VectorCache(cache_path)
        self.embedder = SentenceTransformerEmbedder()
        self.documents = CachedEmbedder(self.embedder, self.cache)
        model = minilm_embedding(self.documents, self.embedder)
        began = time.perf_counter()
        self.index = VectorStoreIndex.from_documents(documents, embed_model=model)
        self.build_seconds = time.perf_counter() - began
        self.cache.save()
        self.nodes = len(self.index.docstore.docs)
        self.retriever = self.index.as_retriever(similarity_top_k=top_k)
        self.engine = self.index.as_query_engine(similarity_top_k=top_k)

    def forget(self) -> int:
        return 0  # LlamaIndex's query engine caches nothing between questions

    def retrieve(self, question: str, mode: str) -> int:
        return len(self.retriever.retrieve(question))

    def ask(self, question: str, mode: str) -> int:
        return len(self.engine.query(question).source_nodes)


def minilm_embedding(documents: Any, queries: Any) -> Any:
    """Our MiniLM as a LlamaIndex embedding: documents through the cache, queries encoded live."""
    import numpy as np
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class MiniLM(BaseEmbedding):
        _documents: Any = PrivateAttr()
        _queries: Any = PrivateAttr()

        def _get_query_embedding(self, query: str) -> list[float]:
            return np.asarray(self._queries.embed([query])[0]).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embeddings([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return np.asarray(self._documents.embed(texts)).tolist()

    model = MiniLM(model_name="all-MiniLM-L6-v2", embed_batch_size=64)
    model._documents, model._queries = documents, queries
    return model


def serve(
    system: Annotated[str, typer.Option(help="ours or llamaindex.")],
    data_dir: Annotated[Path, typer.Option(help="A built index.")],
    first_question: Annotated[str, typer.Option(help="Asked at start-up: the cold start is timed to its answer.")],
    cache: Annotated[Optional[Path], typer.Option(help="Vector cache (LlamaIndex rebuilds its index from it).")] = None,
    top_k: Annotated[int, typer.Option(help="Passages retrieved.")] = 8,
) -> None:
    """Answer the first question (the parent times process start to this line), then take
    timing commands on stdin."""
    chosen: OurSystem | LlamaIndexSystem
    if system == "ours":
        chosen = OurSystem(data_dir)
        extra: dict[str, Any] = {}
    else:
        assert cache is not None, "--cache is needed for llamaindex"
        chosen = LlamaIndexSystem(data_dir, cache, top_k)
        extra = {"index_build_seconds": chosen.build_seconds, "nodes": chosen.nodes, "encoded": chosen.documents.misses}
    chosen.ask(first_question, "hybrid")
    emit({"ready": True, "seconds_since_start": time.perf_counter() - STARTED, **extra, **rss_mb()})
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "quit":
            break
        if command["op"] == "rss":
            emit(rss_mb())
            continue
        if command["op"] == "forget":
            emit({"forgotten": chosen.forget()})
            continue
        began = time.perf_counter()
        result = getattr(chosen, command["op"])(command["question"], command["mode"])
        timed = {"ms": (time.perf_counter() - began) * 1000}
        emit(result if isinstance(result, dict) else {**timed, "n": result})


app = typer.Typer(help="The benchmark's worker processes (started by `python -m evals bench`).",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.command()(sample)
app.command()(build)
app.command()(serve)


if __name__ == "__main__":
    app()
