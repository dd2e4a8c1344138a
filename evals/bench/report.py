"""bench.json rendered as Markdown: tables first, then the ratios the acceptance checks read."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

LABELS = {
    "hybrid": "ours, hybrid",
    "dense": "ours, dense-only",
    "bm25": "ours, BM25-only",
    "llamaindex": "LlamaIndex default dense",
}


def write_report(results: dict[str, Any], path: Path) -> None:
    path.write_text("\n".join(render(results)) + "\n")


def render(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    lines = [
        "# Benchmark",
        "",
        f"{m['when']}, {m['cpus']} CPUs shared with other work (load average at the end "
        f"{', '.join(map(str, m['load_average_at_end']))}): compare ratios, not absolute times. "
        f"{results['config']['questions']} dev-set questions × {results['config']['rounds']} round(s), "
        "interleaved across sizes and pipelines.",
        "",
    ]
    lines += ingest_table(results["sample_ingest"]) + size_table(results) + latency_table(results)
    lines += ratios(results)
    backends = results.get("embedding_backends")
    if backends:
        from evals.bench.embedding import render as render_backends

        lines += render_backends(backends)
    return lines


def ingest_table(s: dict[str, Any]) -> list[str]:
    return [
        "## Ingest (real corpus, real encoder, full pipeline)",
        "",
        "| chunks | pipeline chunks/s | encode-only chunks/s (ceiling) | pipeline / ceiling "
        "| re-ingest unchanged (s) | peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {s['chunks']} | {s['ingest_chunks_per_s']:.1f} | {s['encode_chunks_per_s']:.1f} "
        f"| {s['ingest_vs_encode']:.2f} | {s['reingest_unchanged_seconds']:.2f} | {s['peak_rss_mb']:.0f} |",
        "",
        f"Load average while measuring: {s.get('load_average', 'not recorded')}. The pipeline figure is the "
        "whole ingest (reading, sectioning, chunking, encoding, Chroma, catalogue, BM25); the ceiling is "
        "the encoder alone on the same chunk texts, measured right after.",
        "",
    ]


def size_table(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Library sizes (replicated corpus; vectors of repeated texts reused)",
        "",
        "| size | chunks | build (s) | encoded | re-ingest unchanged (s) | build peak RSS (MiB) "
        "| disk (MiB) | cold start to first answer (s) | serving RSS (MiB) "
        "| LlamaIndex start (s) | LlamaIndex RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    serving = results["serving"]
    for size, b in results["builds"].items():
        if b.get("skipped"):
            lines.append(
                f"| {size} | skipped: predicted build {b['predicted_build_seconds'] / 60:.0f} min | | | | | | | | | |"
            )
            continue
        ours, peer = serving.get(f"{size}/ours", {}), serving.get(f"{size}/llamaindex", {})
        lines.append(
            f"| {size} | {b['chunks']} | {b['build_seconds']:.0f} | {b['encoded']} "
            f"| {b['reingest_unchanged_seconds']:.2f} | {b['peak_rss_mb']:.0f} | {b['disk_mb']:.0f} "
            f"| {_num(ours.get('cold_start_seconds'))} | {_num(ours.get('rss_mb'), 0)} "
            f"| {_num(peer.get('cold_start_seconds'))} | {_num(peer.get('rss_mb'), 0)} |"
        )
    return [*lines, ""]


def latency_table(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Query latency (warm, ms)",
        "",
        "*index* = retrieval with the question already embedded (the part that grows with the library); "
        "*retrieve* adds embedding the question; *ask* is the whole answer.",
        "",
        "| size | pipeline | index p50 | index p95 | retrieve p50 | retrieve p95 | ask p50 | ask p95 "
        "| ask p95 / ours hybrid |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    latency = results["latency"]
    for key, ops in latency.items():
        size, label = key.split("/")
        base = latency.get(f"{size}/hybrid", {}).get("ask", {}).get("p95_ms")
        idx, r, a = ops.get("search", {}), ops["retrieve"], ops["ask"]
        lines.append(
            f"| {size} | {LABELS.get(label, label)} | {_num(idx.get('p50_ms'), 1)} | {_num(idx.get('p95_ms'), 1)} "
            f"| {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {a['p50_ms']:.0f} | {a['p95_ms']:.0f} "
            f"| {_ratio(a['p95_ms'], base)} |"
        )
    return [*lines, ""]


def ratios(results: dict[str, Any]) -> list[str]:
    latency = results["latency"]
    sizes = sorted({int(k.split("/")[0]) for k in latency})
    lines = ["## Ratios", ""]
    s = results["sample_ingest"]
    lines.append(
        f"- Ingest runs at {s['ingest_vs_encode']:.0%} of the encoder's own throughput "
        f"({s['ingest_chunks_per_s']:.1f} vs {s['encode_chunks_per_s']:.1f} chunks/s)."
    )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for label in LABELS:
            for op in ("search", "ask"):
                a, b = (latency.get(f"{n}/{label}", {}).get(op, {}).get("p95_ms") for n in (small, large))
                if a and b:
                    lines.append(
                        f"- {LABELS[label]}: {'index' if op == 'search' else op} p95 at {large} / at {small} "
                        f"= {b / a:.2f} (growth exponent {math.log(b / a) / math.log(large / small):.2f})"
                    )
        lines += acceptance(latency, sizes) + extrapolations(results, sizes)
    for size in sizes:
        ours = latency.get(f"{size}/hybrid", {}).get("ask", {}).get("p95_ms")
        peer = latency.get(f"{size}/llamaindex", {}).get("ask", {}).get("p95_ms")
        if ours and peer:
            lines.append(
                f"- At {size}: our hybrid ask p95 is {ours / peer:.2f}× LlamaIndex's default query "
                f"engine (which retrieves and synthesises but composes no cited answer)."
            )
    return [*lines, ""]


def acceptance(latency: dict[str, Any], sizes: list[int]) -> list[str]:
    if 1000 not in sizes or 10000 not in sizes:
        return []
    a, b = (latency[f"{n}/hybrid"]["ask"]["p95_ms"] for n in (1000, 10000))
    verdict = "met" if b <= 2 * a else "NOT met"
    return [
        f"- Acceptance (warm hybrid ask p95 at 10k within 2× of 1k): {b:.0f} / {a:.0f} ms = {b / a:.2f} → {verdict}"
    ]


def extrapolations(results: dict[str, Any], sizes: list[int]) -> list[str]:
    """Sizes skipped for time: hybrid ask p95 extrapolated from the growth between the two
    largest measured sizes (a power law), marked as such."""
    skipped = [int(k) for k, b in results["builds"].items() if b.get("skipped")]
    if not skipped or len(sizes) < 2:
        return []
    s1, s2 = sizes[-2], sizes[-1]
    a, b = (results["latency"][f"{n}/hybrid"]["ask"]["p95_ms"] for n in (s1, s2))
    slope = math.log(b / a) / math.log(s2 / s1)
    return [
        f"- Extrapolated (not measured) hybrid ask p95 at {n}: {b * (n / s2) ** slope:.0f} ms "
        f"(exponent {slope:.2f} from {s1}→{s2})"
        for n in skipped
    ]


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}" if base else ""
