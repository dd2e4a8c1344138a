"""`python -m evals bench`: ingest throughput (serving path vs batch, each beside its encoder
ceiling), re-ingest, command start-up, first-ask and warm-ask latency, cold start and memory at
several library sizes, for our hybrid, dense-only and BM25-only retrieval and for LlamaIndex's
default dense pipeline, all measured in one run so that their ratios mean something on a shared,
noisy machine.

Why the shape: absolute times on two shared cores swing with everyone else's work, so every
latency below is measured *interleaved* (question by question, all sizes and systems in turn),
and the report leads with ratios. Each size is served by its own fresh process, so cold start
and RSS are that process's own. A *first ask* is a question that process has never seen, asked
with the answer-side caches emptied (as if nobody had asked about its passages); the *warm ask*
is the same question again, straight after. Libraries larger than the real corpus are replicas
of it (see library.py); the encoding throughput is measured on a real full-pipeline ingest only.
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
from evals.bench.processes import Server, bench_questions, log, run_worker
from evals.bench.report import write_report

WARM_UP_QUESTION = "How are health and social care services being integrated?"  # in no question set
OUR_MODES = ("hybrid", "dense", "bm25")
SYSTEMS = (*OUR_MODES, "llamaindex")


@dataclass
class BenchConfig:
    sizes: list[int] = field(default_factory=lambda: [1000, 10000, 100000])
    out: Path = PROJECT_ROOT / "bench-results"
    sources: list[Path] = field(default_factory=lambda: list(DEFAULT_SOURCES))
    questions: int = 0  # 0: every question of the dev sets about library B (dev.jsonl + dev_nhs.jsonl)
    budget_minutes: float = 30.0  # per size: a build expected to take longer is skipped
    systems: list[str] = field(default_factory=lambda: list(SYSTEMS))
    keep: bool = False
    backends: list[str] = field(default_factory=lambda: ["torch", "onnx", "onnx-int8"])
    reuse_sample: Path | None = None


def compare_backends(config: BenchConfig) -> dict[str, Any] | None:
    """Embedding backends on the dev set's own corpus (see bench_embedding.py)."""
    if not config.backends:
        return None
    log(f"embedding backends: {', '.join(config.backends)}")
    args = [arg for backend in config.backends for arg in ("--backend", backend)] + ["--out", str(config.out)]
    return run_worker(args, config.out / "logs" / "embedding.log", timeout=3 * 3600, module="evals.bench.embedding")


def measure_sample(config: BenchConfig, work: Path) -> dict[str, Any]:
    """Real ingest of the real corpus, serving path and batch path, each beside its encoder ceiling."""
    log(f"full-pipeline ingest of {', '.join(str(s) for s in config.sources)} with the real encoder, "
        "in-process (one thread) and batch (a process per core)")
    sources = [arg for source in config.sources for arg in ("--source", str(source))]
    result = run_worker(
        ["sample", "--data-dir", str(work / "sample-data"), "--cache", str(config.out / "cache" / "vectors.npz"),
         *sources],
        config.out / "logs" / "sample.log",
        timeout=4 * 3600,
    )
    chunks = result["chunks"]
    for path in ("serving", "batch"):
        result[f"{path}_ingest_chunks_per_s"] = chunks / result[f"{path}_ingest_seconds"]
        result[f"{path}_encode_chunks_per_s"] = chunks / result[f"{path}_encode_seconds"]
        result[f"{path}_vs_encode"] = result[f"{path}_ingest_chunks_per_s"] / result[f"{path}_encode_chunks_per_s"]
    result["batch_speedup"] = result["batch_ingest_chunks_per_s"] / result["serving_ingest_chunks_per_s"]
    log(f"ingest {result['serving_ingest_chunks_per_s']:.1f} chunks/s in-process, "
        f"{result['batch_ingest_chunks_per_s']:.1f} batch ({result['batch_speedup']:.2f}x)")
    return result


def measure_commands(config: BenchConfig, work: Path, repeats: int = 5) -> dict[str, Any]:
    """Wall time of `policy-assistant --help` and of an unchanged re-ingest (the bundled library,
    and library B), each a fresh process as a user starts it; the median of `repeats`."""
    data = str(work / "sample-data" / "batch")
    sources = [str(s) for s in config.sources]
    commands = {
        "help": ["--help"],
        "reingest_bundled": ["ingest", "--data-dir", data],
        "reingest_library": ["ingest", *sources, "--data-dir", data],
    }
    results: dict[str, Any] = {"load_average": [round(x, 2) for x in os.getloadavg()]}
    for name, args in commands.items():
        seconds, cpu = [], []
        for _ in range(repeats):
            began, used = time.perf_counter(), _children_cpu()
            done = subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                                  cwd=PROJECT_ROOT, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
            seconds.append(time.perf_counter() - began)
            cpu.append(_children_cpu() - used)
            if done.returncode != 0:
                raise RuntimeError(f"policy-assistant {' '.join(args)} failed: {done.stderr[-2000:]}")
        results[name] = {"median_seconds": float(np.median(seconds)), "min_seconds": min(seconds),
                         "max_seconds": max(seconds), "median_cpu_seconds": float(np.median(cpu))}
        log(f"policy-assistant {' '.join(args[:1])}: median {results[name]['median_seconds']:.2f} s "
            f"({results[name]['median_cpu_seconds']:.2f} s of CPU)")
    return results


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children: on a loaded machine a
    command's wall time is mostly waiting for a core, its CPU time is what it costs."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


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


def start_servers(config: BenchConfig, work: Path, sizes: list[int]) -> dict[tuple[int, str], Server]:
    """One serving process per size and system, started one at a time (cold start uncontended).
    Each answers WARM_UP_QUESTION at start-up, a question in no measured set."""
    servers: dict[tuple[int, str], Server] = {}
    ours = any(s in OUR_MODES for s in config.systems)
    for size in sizes:
        data = ["--data-dir", str(work / f"data-{size}"), "--first-question", WARM_UP_QUESTION]
        if ours:
            log(f"cold start: ours at {size}")
            servers[(size, "ours")] = Server(
                f"ours-{size}", ["--system", "ours", *data], config.out / "logs" / f"serve-ours-{size}.log"
            )
        if "llamaindex" in config.systems:
            log(f"start: LlamaIndex at {size}")
            cache = ["--cache", str(config.out / "cache" / "vectors.npz")]
            servers[(size, "llamaindex")] = Server(
                f"llamaindex-{size}",
                ["--system", "llamaindex", *data, *cache],
                config.out / "logs" / f"serve-llamaindex-{size}.log",
            )
    return servers


def systems_of(servers: dict[tuple[int, str], Server], size: int, systems: list[str]) -> list[tuple[str, Server, str]]:
    """(label, server, mode) for every pipeline measured at one size."""
    ours = [(mode, servers[(size, "ours")], mode) for mode in OUR_MODES if mode in systems]
    peer = [("llamaindex", servers[(size, "llamaindex")], "dense")] if (size, "llamaindex") in servers else []
    return ours + peer


def measure_latency(
    servers: dict[tuple[int, str], Server], sizes: list[int], questions: list[str], systems: list[str]
) -> dict[str, dict[str, list[float]]]:
    """ms per (size/system, op), interleaved question by question across sizes and systems.

    Per question and pipeline: the answer caches emptied (`forget`), then `first_ask`, then
    `warm_ask` (the same question straight after), then retrieval alone (`retrieve`, with the
    question's embedding; `search`, without). Our hybrid goes first, so its first ask is of a
    question the process has never seen; dense and BM25 share that process and nothing in it is
    keyed on the question, so theirs are first asks with emptied caches."""
    samples: dict[str, dict[str, list[float]]] = {}
    for size in sizes:
        for _, server, mode in systems_of(servers, size, systems):
            server.call("retrieve", WARM_UP_QUESTION, mode)
    for i, question in enumerate(questions):
        for size in sizes:
            for label, server, mode in systems_of(servers, size, systems):
                bucket = samples.setdefault(f"{size}/{label}", {})
                server.call("forget")
                ops = ["first_ask", "warm_ask", "retrieve"] + (["search"] if label in OUR_MODES else [])
                for op in ops:
                    call = "ask" if op.endswith("_ask") else op
                    bucket.setdefault(op, []).append(float(server.call(call, question, mode)["ms"]))
        if (i + 1) % 5 == 0 or i + 1 == len(questions):
            log(f"latency: {i + 1}/{len(questions)} questions")
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
    commands: dict[str, Any] | None = None
    try:
        embedding = compare_backends(config)
        sample = reused_sample(config)
        if sample is None:
            sample = measure_sample(config, work)
            commands = measure_commands(config, work)
        built = build_sizes(config, work, base_files(config, sample))
        served = [s for s in sorted(built) if not built[s].get("skipped")]
        questions = bench_questions(config.questions)
        servers = start_servers(config, work, served)
        try:
            samples = measure_latency(servers, served, questions, config.systems)
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
            "systems": config.systems,
            "sources": [str(s) for s in config.sources],
        },
        "sample_ingest": sample,
        "commands": commands,
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
