"""Embedding backends compared in one run: `python -m evals.bench.embedding` (also part of
`python -m evals bench`).

For each backend (PyTorch, ONNX Runtime fp32, ONNX Runtime int8): a full-pipeline ingest of the
same corpus into its own index, raw encode throughput on the same chunk texts (rounds
interleaved across backends, so machine noise hits all alike), how close its vectors are to
PyTorch's, and dev-set retrieval recall@5 / MRR (hybrid and dense-only). A backend is worth
keeping only if recall@5 and MRR stay within 0.01 of PyTorch's and it is faster.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import typer

from assistant.config import force_offline
from evals.bench.library import DEFAULT_SOURCES, SHARED_NHS

BACKENDS = ("torch", "onnx", "onnx-int8")
TOLERANCE = 0.01


def evaluate_backends(
    sources: list[Path],
    backends: list[str],
    dev_set: Path,
    rounds: int = 3,
    sample: int = 64,
    throughput_corpus: Path | None = SHARED_NHS,
) -> dict[str, Any]:
    """Ingest, throughput, agreement and retrieval quality for each backend."""
    force_offline()
    from assistant import Assistant, Settings

    with tempfile.TemporaryDirectory(prefix="bench-embedding-") as tmp:
        assistants = {}
        results: dict[str, dict[str, Any]] = {}
        for backend in backends:
            settings = Settings(data_dir=Path(tmp) / backend, embedding_backend=backend)
            assistant = Assistant(settings)
            began = time.perf_counter()
            assistant.library.embedder.embed(["load (and for onnx, export) the model first"])
            load_seconds = time.perf_counter() - began
            report = assistant.ingest(sources)
            results[backend] = {
                "load_or_export_seconds": load_seconds,
                "ingest_chunks": report.chunks_embedded,
                "ingest_chunks_per_s": report.chunks_embedded / report.seconds,
            }
            assistants[backend] = assistant
        texts = passages(throughput_corpus, sample) or [
            c.text for c in assistants[backends[0]].library.catalog.chunks()
        ]
        _throughput(assistants, texts, rounds, results)
        _agreement(assistants, texts, results)
        for backend, assistant in assistants.items():
            results[backend].update(retrieval_quality(assistant, dev_set))
        _cold_starts({b: a.settings.data_dir for b, a in assistants.items()}, rounds, results)
    _verdicts(results)
    return {
        "corpus": [str(s) for s in sources],
        "sample_texts": len(texts),
        "rounds": rounds,
        "backends": results,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def passages(folder: Path | None, count: int, words: int = 180) -> list[str]:
    """Chunk-sized passages (about 230 word pieces) of real policy text, for encode throughput:
    the dev corpus is too small to time reliably on a busy machine."""
    if folder is None or not folder.is_dir():
        return []
    text = " ".join(p.read_text(errors="replace") for p in sorted(folder.glob("*.md")) if p.name != "SOURCES.md")
    tokens = text.split()
    return [" ".join(tokens[i : i + words]) for i in range(0, len(tokens), words)][:count]


def _throughput(assistants: dict[str, Any], texts: list[str], rounds: int, results: dict[str, Any]) -> None:
    """Encode-only chunks/s, best of `rounds` interleaved rounds (the least disturbed)."""
    seconds: dict[str, list[float]] = {b: [] for b in assistants}
    for _ in range(rounds):
        for backend, assistant in assistants.items():
            began = time.perf_counter()
            assistant.library.embedder.embed(texts)
            seconds[backend].append(time.perf_counter() - began)
    for backend, values in seconds.items():
        results[backend]["encode_chunks_per_s"] = len(texts) / min(values)
        results[backend]["encode_chunks_per_s_median"] = len(texts) / float(np.median(values))


def _cold_starts(data_dirs: dict[str, Path], rounds: int, results: dict[str, Any]) -> None:
    """Process start to first answer, and the serving RSS, per backend (fresh processes, rounds
    alternating between backends; the best round counts). The ONNX backend never imports torch."""
    from evals.bench.processes import Server, dev_questions

    first = dev_questions(1)[0]
    seconds: dict[str, list[float]] = {b: [] for b in data_dirs}
    for _ in range(rounds):
        for backend, data_dir in data_dirs.items():
            log = data_dir.parent / f"serve-{backend}.log"
            with _backend_env(backend):
                server = Server(
                    backend, ["--system", "ours", "--data-dir", str(data_dir), "--first-question", first], log
                )
            seconds[backend].append(server.cold_start_seconds)
            results[backend]["serving_rss_mb"] = server.call("rss")["rss_mb"]
            server.stop()
    for backend, values in seconds.items():
        results[backend]["cold_start_seconds"] = min(values)


@contextmanager
def _backend_env(backend: str) -> Iterator[None]:
    """POLICY_ASSISTANT_EMBEDDING_BACKEND for a child process started inside the block."""
    key = "POLICY_ASSISTANT_EMBEDDING_BACKEND"
    before = os.environ.get(key)
    os.environ[key] = backend
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = before


def _agreement(assistants: dict[str, Any], texts: list[str], results: dict[str, Any]) -> None:
    """Cosine between each backend's vectors and PyTorch's, on the same texts."""
    if "torch" not in assistants:
        return
    reference = assistants["torch"].library.embedder.embed(texts)
    for backend, assistant in assistants.items():
        cosines = np.sum(assistant.library.embedder.embed(texts) * reference, axis=1)
        results[backend]["cosine_to_torch_min"] = float(cosines.min())
        results[backend]["cosine_to_torch_mean"] = float(cosines.mean())


def retrieval_quality(assistant: Any, dev_set: Path) -> dict[str, float]:
    """Dev-set recall@5 and MRR (top 10) for hybrid and dense-only retrieval."""
    from assistant.retrieve import HybridRetriever
    from evals.metrics import recall_at_k, reciprocal_rank

    rows = [json.loads(line) for line in dev_set.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r.get("type") != "unanswerable" and r.get("evidence")]
    scores: dict[str, float] = {}
    for mode in ("hybrid", "dense"):
        retriever = HybridRetriever(assistant.library, mode=mode)
        ranked = [[s.chunk.text for s in retriever.search(r["question"], 10)] for r in rows]
        pairs = list(zip(rows, ranked, strict=True))
        scores[f"{mode}_recall@5"] = float(np.mean([recall_at_k(r["evidence"], t, 5) for r, t in pairs]))
        scores[f"{mode}_mrr"] = float(np.mean([reciprocal_rank(r["evidence"], t) for r, t in pairs]))
    scores["questions"] = len(rows)
    return scores


def _verdicts(results: dict[str, dict[str, Any]]) -> None:
    """Keep a backend only if quality holds within TOLERANCE and encoding is faster than torch."""
    base = results.get("torch")
    if not base:
        return
    metrics = ("hybrid_recall@5", "hybrid_mrr", "dense_recall@5", "dense_mrr")
    for backend, r in results.items():
        r["speedup_vs_torch"] = r["encode_chunks_per_s"] / base["encode_chunks_per_s"]
        r["quality_holds"] = all(r[m] >= base[m] - TOLERANCE for m in metrics)
        r["worth_it"] = backend != "torch" and r["quality_holds"] and r["speedup_vs_torch"] > 1.05


def render(result: dict[str, Any]) -> list[str]:
    lines = [
        "## Embedding backends (same corpus, same chunks, one run)",
        "",
        f"Dev-set corpus: {', '.join(result['corpus'])}; encode throughput on {result['sample_texts']} "
        "chunk-sized passages of ../shared/corpus-nhs, "
        f"best of {result['rounds']} interleaved rounds.",
        "",
        "| backend | encode chunks/s | × torch | ingest chunks/s | cos to torch (min) | hybrid R@5 | hybrid MRR "
        "| dense R@5 | dense MRR | quality within 0.01 | cold start (s) | serving RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for backend, r in result["backends"].items():
        lines.append(
            f"| {backend} | {r['encode_chunks_per_s']:.1f} | {r.get('speedup_vs_torch', 1):.2f} "
            f"| {r['ingest_chunks_per_s']:.1f} | {r.get('cosine_to_torch_min', 1):.4f} "
            f"| {r['hybrid_recall@5']:.3f} | {r['hybrid_mrr']:.3f} | {r['dense_recall@5']:.3f} "
            f"| {r['dense_mrr']:.3f} | {'yes' if r.get('quality_holds', True) else 'no'} "
            f"| {r.get('cold_start_seconds', 0):.1f} | {r.get('serving_rss_mb', 0):.0f} |"
        )
    return [*lines, ""]


def main(
    corpus: Annotated[Optional[list[Path]], typer.Option(help="Folders to ingest (repeatable; default: the bundled library).")] = None,
    backend: Annotated[Optional[list[str]], typer.Option(help=f"Backends to compare (repeatable; default: {', '.join(BACKENDS)}).")] = None,
    rounds: Annotated[int, typer.Option(help="Interleaved throughput rounds; the best counts.")] = 3,
    out: Annotated[Path, typer.Option(help="Folder for embedding.json and embedding.md.")] = Path("bench-results"),
) -> None:
    """Compare the embedding backends on one corpus: ingest, throughput, agreement, retrieval quality."""
    from evals.bench.processes import DEV_SET

    result = evaluate_backends(corpus or [DEFAULT_SOURCES[0]], backend or list(BACKENDS), DEV_SET, rounds)
    out.mkdir(parents=True, exist_ok=True)
    (out / "embedding.json").write_text(json.dumps(result, indent=2))
    (out / "embedding.md").write_text("\n".join(render(result)) + "\n")
    print("\n".join(render(result)), file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    typer.run(main)
