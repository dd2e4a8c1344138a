"""`python -m evals bench`: ingest throughput, re-ingest, query latency, cold start and memory at
several library sizes, for our hybrid, dense-only and BM25-only retrieval and for LlamaIndex's
default dense pipeline, all measured in one run so that their ratios mean something on a shared,
noisy machine.

Why the shape: absolute times on two shared cores swing with everyone else's work, so every
latency below is measured *interleaved* (question by question, all sizes and systems in turn),
and the report leads with ratios. Each size is served by its own fresh process, so cold start
and RSS are that process's own. Libraries larger than the real corpus are replicas of it (see
bench_library.py); the encoding throughput is measured on a real full-pipeline ingest only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import PROJECT_ROOT
from evals.bench.library import DEFAULT_SOURCES, BaseFile, source_files, write_library
from evals.bench.processes import Server, dev_questions, log, run_worker
from evals.bench.report import write_report

WARM_UP_QUESTION = "How are health and social care services being integrated?"
OUR_MODES = ("hybrid", "dense", "bm25")


@dataclass
class BenchConfig:
    sizes: list[int] = field(default_factory=lambda: [1000, 10000])
    out: Path = PROJECT_ROOT / "bench-results"
    sources: list[Path] = field(default_factory=lambda: list(DEFAULT_SOURCES))
    questions: int = 0  # 0: every dev-set question
    rounds: int = 1
    budget_minutes: float = 30.0  # per size: a build expected to take longer is skipped
    llamaindex: bool = True
    keep: bool = False
    backends: list[str] = field(default_factory=lambda: ["torch", "onnx", "onnx-int8"])
    reuse_sample: Path | None = None


def compare_backends(config: BenchConfig) -> dict[str, Any] | None:
    """Embedding backends on the dev set's own corpus (see bench_embedding.py)."""
    if not config.backends:
        return None
    log(f"embedding backends: {', '.join(config.backends)}")
    args = ["--backends", ",".join(config.backends), "--out", str(config.out)]
    return run_worker(args, config.out / "logs" / "embedding.log", timeout=3 * 3600, module="evals.bench.embedding")


def measure_sample(config: BenchConfig, work: Path) -> dict[str, Any]:
    """Real ingest of the real corpus (and the encode ceiling on the same texts)."""
    log(f"full-pipeline ingest of {', '.join(str(s) for s in config.sources)} with the real encoder")
    result = run_worker(
        [
            "sample",
            "--data-dir",
            str(work / "sample-data"),
            "--cache",
            str(config.out / "cache" / "vectors.npz"),
            "--sources",
            *map(str, config.sources),
        ],
        config.out / "logs" / "sample.log",
        timeout=4 * 3600,
    )
    result["ingest_chunks_per_s"] = result["chunks"] / result["ingest_seconds"]
    result["encode_chunks_per_s"] = result["chunks"] / result["encode_seconds"]
    result["ingest_vs_encode"] = result["ingest_chunks_per_s"] / result["encode_chunks_per_s"]
    log(f"ingest {result['ingest_chunks_per_s']:.1f} chunks/s, encode {result['encode_chunks_per_s']:.1f} chunks/s")
    return result


def reused_sample(config: BenchConfig) -> dict[str, Any] | None:
    """The real-ingest figures of an earlier bench.json (--reuse-sample), to skip re-encoding."""
    if config.reuse_sample is None:
        return None
    log(f"reusing the full-pipeline ingest figures of {config.reuse_sample}")
    earlier = json.loads(config.reuse_sample.read_text())["sample_ingest"]
    return {**earlier, "reused_from": str(config.reuse_sample)}


def base_files(config: BenchConfig, sample: dict[str, Any]) -> list[BaseFile]:
    counts = sample["chunks_by_source"]
    return [
        BaseFile(path, source, int(counts.get(str(path), 0)))
        for path, source in source_files(config.sources)
        if counts.get(str(path))
    ]


def build_sizes(config: BenchConfig, work: Path, base: list[BaseFile]) -> dict[int, dict[str, Any]]:
    """Build each size through the pipeline (vectors reused), skipping sizes over the budget."""
    built: dict[int, dict[str, Any]] = {}
    rate: float | None = None  # chunks/s of the last build, to predict the next
    for size in sorted(config.sizes):
        if rate and size / rate > config.budget_minutes * 60:
            log(f"skipping {size}: predicted build {size / rate / 60:.0f} min > budget {config.budget_minutes} min")
            built[size] = {"skipped": True, "predicted_build_seconds": size / rate}
            continue
        library = work / f"library-{size}"
        expected = write_library(library, base, size)
        log(f"building {size} ({expected} chunks expected)")
        try:
            result = run_worker(
                [
                    "build",
                    "--data-dir",
                    str(work / f"data-{size}"),
                    "--cache",
                    str(config.out / "cache" / "vectors.npz"),
                    "--library",
                    str(library),
                ],
                config.out / "logs" / f"build-{size}.log",
                timeout=config.budget_minutes * 60 * 1.5,
            )
        except subprocess.TimeoutExpired:
            log(f"build of {size} ran over budget; skipped")
            built[size] = {"skipped": True, "predicted_build_seconds": config.budget_minutes * 90}
            continue
        rate = result["chunks"] / result["build_seconds"]
        built[size] = result
        log(
            f"built {result['chunks']} chunks in {result['build_seconds']:.0f} s; "
            f"re-ingest unchanged {result['reingest_unchanged_seconds']:.1f} s"
        )
    return built


def start_servers(config: BenchConfig, work: Path, sizes: list[int], first: str) -> dict[tuple[int, str], Server]:
    """One serving process per size and system, started one at a time (cold start uncontended)."""
    servers: dict[tuple[int, str], Server] = {}
    for size in sizes:
        data = ["--data-dir", str(work / f"data-{size}"), "--first-question", first]
        log(f"cold start: ours at {size}")
        servers[(size, "ours")] = Server(
            f"ours-{size}", ["--system", "ours", *data], config.out / "logs" / f"serve-ours-{size}.log"
        )
        if config.llamaindex:
            log(f"start: LlamaIndex at {size}")
            cache = ["--cache", str(config.out / "cache" / "vectors.npz")]
            servers[(size, "llamaindex")] = Server(
                f"llamaindex-{size}",
                ["--system", "llamaindex", *data, *cache],
                config.out / "logs" / f"serve-llamaindex-{size}.log",
            )
    return servers


def systems_of(servers: dict[tuple[int, str], Server], size: int) -> list[tuple[str, Server, str]]:
    """(label, server, mode) for every pipeline measured at one size."""
    ours = [(mode, servers[(size, "ours")], mode) for mode in OUR_MODES]
    peer = [("llamaindex", servers[(size, "llamaindex")], "dense")] if (size, "llamaindex") in servers else []
    return ours + peer


def measure_latency(
    servers: dict[tuple[int, str], Server], sizes: list[int], questions: list[str], rounds: int
) -> dict[str, dict[str, list[float]]]:
    """ms per (size/system, op), interleaved question by question across sizes and systems."""
    samples: dict[str, dict[str, list[float]]] = {}
    for size in sizes:
        for _, server, mode in systems_of(servers, size):
            server.call("retrieve", WARM_UP_QUESTION, mode)
            server.call("ask", WARM_UP_QUESTION, mode)
    total = rounds * len(questions)
    for i in range(total):
        question = questions[i % len(questions)]
        for size in sizes:
            for label, server, mode in systems_of(servers, size):
                ops = ("search", "retrieve", "ask") if label in OUR_MODES else ("retrieve", "ask")
                bucket = samples.setdefault(f"{size}/{label}", {op: [] for op in ops})
                for op in ops:
                    bucket[op].append(float(server.call(op, question, mode)["ms"]))
        if (i + 1) % 5 == 0 or i + 1 == total:
            log(f"latency: {i + 1}/{total} questions")
    return samples


def percentiles(values: list[float]) -> dict[str, float]:
    array = np.asarray(values, dtype=float)
    return {
        "p50_ms": float(np.percentile(array, 50)),
        "p95_ms": float(np.percentile(array, 95)),
        "mean_ms": float(array.mean()),
        "n": len(values),
    }


def run_bench(config: BenchConfig) -> dict[str, Any]:
    """The whole benchmark; writes bench.json and bench.md under config.out."""
    began = time.perf_counter()
    (config.out / "logs").mkdir(parents=True, exist_ok=True)
    work = config.out / "work"
    work.mkdir(exist_ok=True)
    try:
        embedding = compare_backends(config)
        sample = reused_sample(config) or measure_sample(config, work)
        built = build_sizes(config, work, base_files(config, sample))
        served = [s for s in sorted(built) if not built[s].get("skipped")]
        questions = dev_questions(config.questions)
        servers = start_servers(config, work, served, questions[0])
        try:
            samples = measure_latency(servers, served, questions, config.rounds)
            serving = {
                f"{size}/{system}": {
                    "cold_start_seconds": server.cold_start_seconds,
                    **server.ready,
                    **server.call("rss"),
                }
                for (size, system), server in servers.items()
            }
        finally:
            for server in servers.values():
                server.stop()
    finally:
        if not config.keep:
            shutil.rmtree(work, ignore_errors=True)
    results = {
        "machine": machine(),
        "config": {
            "sizes": config.sizes,
            "questions": len(questions),
            "rounds": config.rounds,
            "sources": [str(s) for s in config.sources],
        },
        "sample_ingest": sample,
        "builds": {str(k): v for k, v in built.items()},
        "latency": {key: {op: percentiles(v) for op, v in ops.items()} for key, ops in samples.items()},
        "serving": serving,
        "embedding_backends": embedding,
        "seconds": time.perf_counter() - began,
    }
    config.out.mkdir(parents=True, exist_ok=True)
    (config.out / "bench.json").write_text(json.dumps(results, indent=2))
    write_report(results, config.out / "bench.md")
    log(f"wrote {config.out / 'bench.json'} and {config.out / 'bench.md'}")
    return results


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in load],
        "python": sys.version.split()[0],
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }


def main(argv: list[str] | None = None) -> None:
    """Stand-alone entry point (`python -m evals.bench.main`); `python -m evals bench` calls run_bench."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m evals bench",
        description="Ingest throughput, re-ingest, warm query latency, cold start and memory by library size, "
        "for our hybrid/dense/BM25 retrieval and LlamaIndex's default dense pipeline, in one run.",
    )
    parser.add_argument("--sizes", default="1000,10000", help="Library sizes in chunks, comma-separated.")
    parser.add_argument("--out", type=Path, default=BenchConfig().out)
    parser.add_argument(
        "--corpus",
        type=Path,
        nargs="+",
        action="extend",
        default=None,
        help="Folders of real text to replicate (default: knowledge/ and ../shared/corpus-nhs).",
    )
    parser.add_argument("--questions", type=int, default=0, help="Only the first N dev questions (0: all).")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--reuse-sample", type=Path, help="Take the real-ingest figures from this bench.json.")
    parser.add_argument(
        "--backends",
        default="torch,onnx,onnx-int8",
        help="Embedding backends to compare on the dev set ('' to skip).",
    )
    parser.add_argument("--budget-minutes", type=float, default=30.0)
    parser.add_argument("--no-llamaindex", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the built libraries under OUT/work.")
    args = parser.parse_args(argv)
    run_bench(
        BenchConfig(
            sizes=[int(s) for s in args.sizes.split(",") if s.strip()],
            out=args.out,
            sources=args.corpus or list(DEFAULT_SOURCES),
            backends=[b for b in args.backends.split(",") if b],
            reuse_sample=args.reuse_sample,
            questions=args.questions,
            rounds=args.rounds,
            budget_minutes=args.budget_minutes,
            llamaindex=not args.no_llamaindex,
            keep=args.keep,
        )
    )


if __name__ == "__main__":
    main()
