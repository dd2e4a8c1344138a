"""The benchmark's worker processes: `python -m evals.bench.workers sample|build|serve ...`.

Each measurement that involves memory or start-up runs in a fresh process, so its RSS and its
cold start are its own and not the orchestrator's. Workers print one JSON object per line on
stdout; `serve` then answers JSON commands on stdin, one per line, until {"op": "quit"}.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

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


def sample(args: argparse.Namespace) -> None:
    """Full-pipeline ingest of the real text with the real encoder, next to raw encoding of the
    same chunk texts (the ceiling); fills the vector cache for the replicas."""
    from assistant import Assistant, Settings
    from evals.bench.library import VectorCache

    assistant = Assistant(Settings(data_dir=args.data_dir))
    embedder = assistant.library.embedder
    embedder.embed(["warm up the model before timing"])
    report = assistant.ingest(args.sources)
    chunks = assistant.library.catalog.chunks()
    texts = [c.text for c in chunks]
    began = time.perf_counter()
    vectors = embedder.embed(texts)
    encode_seconds = time.perf_counter() - began
    began = time.perf_counter()
    again = assistant.ingest(args.sources)
    reingest_seconds = time.perf_counter() - began
    cache = VectorCache(args.cache)
    cache.put(texts, vectors)
    cache.save()
    per_source = {d.meta.source: d.n_chunks for d in assistant.documents()}
    emit(
        {
            "chunks": len(chunks),
            "documents": len(per_source),
            "ingest_seconds": report.seconds,
            "ingest_embed_seconds": report.embed_seconds,
            "encode_seconds": encode_seconds,
            "reingest_unchanged_seconds": reingest_seconds,
            "reingest_unchanged_docs": len(again.unchanged),
            "problems": [p.reason for p in report.problems if p.fatal],
            "chunks_by_source": per_source,
            "embedding": embedder.name,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            **rss_mb(),
        }
    )


def build(args: argparse.Namespace) -> None:
    """Ingest a replicated library through the real pipeline, encoding only unseen texts."""
    from assistant import Assistant, Settings
    from assistant.index.embedder import SentenceTransformerEmbedder
    from evals.bench.library import CachedEmbedder, VectorCache

    settings = Settings(data_dir=args.data_dir)
    cache = VectorCache(args.cache)
    embedder = CachedEmbedder(
        SentenceTransformerEmbedder(settings.embedding_model, batch_size=settings.embed_batch_size), cache
    )
    assistant = Assistant(settings, embedder=embedder)
    report = assistant.ingest([args.library])
    began = time.perf_counter()
    again = assistant.ingest([args.library])
    reingest_seconds = time.perf_counter() - began
    cache.save()
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
            "disk_mb": round(sum(f.stat().st_size for f in args.data_dir.rglob("*") if f.is_file()) / 2**20, 1),
            **rss_mb(),
        }
    )


class OurSystem:
    """The assistant as served: persisted index, model loaded once, one `Assistant`."""

    def __init__(self, data_dir: Path) -> None:
        from assistant import Assistant, Settings

        self.assistant = Assistant(Settings(data_dir=data_dir))

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


def serve(args: argparse.Namespace) -> None:
    """Answer the first question (the parent times process start to this line), then take
    timing commands on stdin."""
    system: OurSystem | LlamaIndexSystem
    if args.system == "ours":
        system = OurSystem(args.data_dir)
        extra: dict[str, Any] = {}
    else:
        system = LlamaIndexSystem(args.data_dir, args.cache, args.top_k)
        extra = {"index_build_seconds": system.build_seconds, "nodes": system.nodes, "encoded": system.documents.misses}
    system.ask(args.first_question, "hybrid")
    emit({"ready": True, "seconds_since_start": time.perf_counter() - STARTED, **extra, **rss_mb()})
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "quit":
            break
        if command["op"] == "rss":
            emit(rss_mb())
            continue
        began = time.perf_counter()
        result = getattr(system, command["op"])(command["question"], command["mode"])
        timed = {"ms": (time.perf_counter() - began) * 1000}
        emit(result if isinstance(result, dict) else {**timed, "n": result})


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m evals.bench.workers")
    sub = parser.add_subparsers(dest="kind", required=True)
    one = sub.add_parser("sample")
    one.add_argument("--data-dir", type=Path, required=True)
    one.add_argument("--cache", type=Path, required=True)
    one.add_argument("--sources", type=Path, nargs="+", required=True)
    two = sub.add_parser("build")
    two.add_argument("--data-dir", type=Path, required=True)
    two.add_argument("--cache", type=Path, required=True)
    two.add_argument("--library", type=Path, required=True)
    three = sub.add_parser("serve")
    three.add_argument("--system", choices=("ours", "llamaindex"), required=True)
    three.add_argument("--data-dir", type=Path, required=True)
    three.add_argument("--cache", type=Path)
    three.add_argument("--top-k", type=int, default=8)
    three.add_argument("--first-question", required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    {"sample": sample, "build": build, "serve": serve}[args.kind](args)


if __name__ == "__main__":
    main()
