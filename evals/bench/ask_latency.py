"""Warm `ask` latency and retrieval quality per retrieval mode, side by side in one run.

    python -m evals.bench.ask_latency [--data-dir DIR] [--dataset ../shared/evals/dev.jsonl] [--repeats 3]

Ingests the bundled library into DIR (a temporary folder by default), warms the model and
indexes, then asks every dev-set question `repeats` times in each mode (hybrid, dense, bm25).
Prints a table and writes DIR/ask_latency.json. Absolute times depend on the machine's load;
compare the modes' figures measured in the same run.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant import Assistant, Settings
from assistant.retrieve import HybridRetriever
from evals.dataset import load_dataset
from evals.metrics import percentile, recall_at_k, reciprocal_rank

MODES = ("hybrid", "dense", "bm25")


def measure(assistant: Assistant, dataset: Path, repeats: int) -> dict[str, dict[str, float]]:
    """p50/p95 of warm ask and of retrieval alone, recall@5 and MRR, for each mode."""
    questions = load_dataset(dataset).questions
    assistant.warm_up()
    results: dict[str, dict[str, float]] = {}
    for mode in MODES:
        retriever = HybridRetriever(assistant.library, mode=mode)  # type: ignore[arg-type]
        asks, retrievals, recalls, rrs = [], [], [], []
        for _ in range(repeats):
            for q in questions:
                began = time.perf_counter()
                assistant.ask(q.question, retrieval=mode)  # type: ignore[arg-type]
                asks.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                ranked = [s.chunk.text for s in retriever.search(q.question, 10)]
                retrievals.append((time.perf_counter() - began) * 1000)
                if q.evidence and _ == 0:
                    recalls.append(recall_at_k(q.evidence, ranked, 5))
                    rrs.append(reciprocal_rank(q.evidence, ranked))
        results[mode] = {
            "ask_p50_ms": percentile(asks, 50) or 0.0, "ask_p95_ms": percentile(asks, 95) or 0.0,
            "retrieve_p50_ms": percentile(retrievals, 50) or 0.0,
            "retrieve_p95_ms": percentile(retrievals, 95) or 0.0,
            "recall@5": statistics.fmean(recalls), "mrr": statistics.fmean(rrs),
        }
    return results


def main(
    data_dir: Annotated[Optional[Path], typer.Option(help="Index folder (default: a new temporary one).")] = None,
    dataset: Annotated[Path, typer.Option(help="The questions.")] = Path("../shared/evals/dev.jsonl"),
    repeats: Annotated[int, typer.Option(help="Times each question is asked in each mode.")] = 3,
) -> None:
    """Warm ask latency and retrieval quality per retrieval mode, side by side in one run."""
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="ask-latency-"))
    assistant = Assistant(Settings(data_dir=data_dir))
    assistant.ingest()
    results = measure(assistant, dataset, repeats)
    print(f"{'mode':8} {'ask p50':>9} {'ask p95':>9} {'ret p50':>9} {'ret p95':>9} {'recall@5':>9} {'MRR':>6}")
    for mode, r in results.items():
        print(f"{mode:8} {r['ask_p50_ms']:9.1f} {r['ask_p95_ms']:9.1f} {r['retrieve_p50_ms']:9.1f} "
              f"{r['retrieve_p95_ms']:9.1f} {r['recall@5']:9.3f} {r['mrr']:6.3f}")
    out = data_dir / "ask_latency.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    typer.run(main)
