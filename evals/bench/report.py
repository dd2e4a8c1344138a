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
        f"{results['config']['questions']} dev-set questions about library B, each asked once per pipeline "
        "(first ask) and again (warm ask), interleaved across sizes and pipelines.",
        "",
    ]
    lines += ingest_table(results["sample_ingest"]) + commands_table(results.get("commands"))
    lines += size_table(results) + latency_table(results)
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
        "| path | chunks | pipeline chunks/s | encode-only chunks/s (ceiling) | pipeline / ceiling |",
        "|---|---:|---:|---:|---:|",
        f"| serving (in-process, one thread) | {s['chunks']} | {s['serving_ingest_chunks_per_s']:.1f} "
        f"| {s['serving_encode_chunks_per_s']:.1f} | {s['serving_vs_encode']:.2f} |",
        f"| batch (`policy-assistant ingest`: {s['workers']} processes) | {s['batch_chunks']} "
        f"| {s['batch_ingest_chunks_per_s']:.1f} | {s['batch_encode_chunks_per_s']:.1f} | {s['batch_vs_encode']:.2f} |",
        "",
        f"Batch / serving pipeline chunks/s: **{s['batch_speedup']:.2f}×** in the same run. The pool's "
        f"start-up ({s['pool_start_seconds']:.1f} s, once per ingest) and the model load are not in these "
        f"figures. Re-ingest unchanged, in-process: {s['reingest_unchanged_seconds']:.2f} s; peak RSS "
        f"{s['peak_rss_mb']:.0f} MiB. Load average at the start {s.get('load_average')}, at the end "
        f"{s.get('load_average_after')}. The pipeline figure is the whole ingest (reading, sectioning, "
        "chunking, encoding, Chroma, catalogue, BM25); the ceiling is the same encoder alone on the same "
        f"texts, the chunks and their {s.get('units', 0)} answer units, measured right after (chunks/s "
        "in both columns, so a ratio near 1 means the pipeline adds little to encoding).",
        "",
    ]


def commands_table(c: dict[str, Any] | None) -> list[str]:
    if not c:
        return []
    rows = (("`policy-assistant --help`", "help"), ("unchanged re-ingest, bundled library", "reingest_bundled"),
            ("unchanged re-ingest, library B", "reingest_library"))
    lines = ["## Commands (wall time of a fresh process, median of 5; its CPU time beside it)", "",
             "| command | median (s) | min (s) | max (s) | CPU, median (s) |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {label} | {c[k]['median_seconds']:.2f} | {c[k]['min_seconds']:.2f} | {c[k]['max_seconds']:.2f} | "
              f"{_num(c[k].get('median_cpu_seconds'), 2)} |" for label, k in rows if k in c]
    return [*lines, "", f"Load average while measuring: {c.get('load_average')}.", ""]


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
        "## Latency (ms)",
        "",
        "*first ask* = a question this process has not answered, its caches emptied; *warm ask* = the same "
        "question again; *index* = retrieval with the question already embedded (the part that grows with the "
        "library); *retrieve* adds embedding the question.",
        "",
        "| size | pipeline | first ask p50 | first ask p95 | warm ask p50 | warm ask p95 | first / warm p95 "
        "| retrieve p50 | retrieve p95 | index p50 | index p95 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, ops in results["latency"].items():
        size, label = key.split("/")
        first, warm, r, idx = (ops.get(op, {}) for op in ("first_ask", "warm_ask", "retrieve", "search"))
        lines.append(
            f"| {size} | {LABELS.get(label, label)} | {_num(first.get('p50_ms'), 0)} | {_num(first.get('p95_ms'), 0)} "
            f"| {_num(warm.get('p50_ms'), 0)} | {_num(warm.get('p95_ms'), 0)} "
            f"| {_ratio(first.get('p95_ms'), warm.get('p95_ms'))} | {_num(r.get('p50_ms'), 0)} "
            f"| {_num(r.get('p95_ms'), 0)} | {_num(idx.get('p50_ms'), 1)} | {_num(idx.get('p95_ms'), 1)} |"
        )
    return [*lines, ""]


def ratios(results: dict[str, Any]) -> list[str]:
    latency = results["latency"]
    sizes = sorted({int(k.split("/")[0]) for k in latency})
    lines = ["## Ratios", ""]
    s = results["sample_ingest"]
    lines.append(
        f"- Batch ingest runs at {s['batch_speedup']:.2f}× the serving path's chunks/s ({s['batch_ingest_chunks_per_s']:.1f} "
        f"vs {s['serving_ingest_chunks_per_s']:.1f}); each runs at {s['batch_vs_encode']:.0%} and "
        f"{s['serving_vs_encode']:.0%} of its encoder's own throughput."
    )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for label in LABELS:
            for op in ("search", "first_ask", "warm_ask"):
                a, b = (latency.get(f"{n}/{label}", {}).get(op, {}).get("p95_ms") for n in (small, large))
                if a and b:
                    lines.append(
                        f"- {LABELS[label]}: {OPS[op]} p95 at {large} / at {small} "
                        f"= {b / a:.2f} (growth exponent {math.log(b / a) / math.log(large / small):.2f})"
                    )
        lines += extrapolations(results, sizes)
    for size in sizes:
        ours = latency.get(f"{size}/hybrid", {}).get("first_ask", {}).get("p95_ms")
        peer = latency.get(f"{size}/llamaindex", {}).get("first_ask", {}).get("p95_ms")
        if ours and peer:
            lines.append(
                f"- At {size}: our hybrid first-ask p95 is {ours / peer:.2f}× LlamaIndex's default query "
                f"engine (which retrieves and synthesises but composes no cited answer)."
            )
    return [*lines, "", *acceptance(results, sizes), ""]


OPS = {"search": "index", "first_ask": "first ask", "warm_ask": "warm ask"}


def acceptance(results: dict[str, Any], sizes: list[int]) -> list[str]:
    """The targets of the performance issue, each with its measured figure and a verdict."""
    latency = results["latency"]
    checks: list[tuple[str, float | None, float | None, bool | None]] = []

    def p95(size: int, op: str) -> float | None:
        return latency.get(f"{size}/hybrid", {}).get(op, {}).get("p95_ms")

    base = min(sizes) if sizes else None
    if base is not None:
        first, warm = p95(base, "first_ask"), p95(base, "warm_ask")
        checks.append((f"first-ask p95 at {base} ≤ 300 ms", first, 300, first is not None and first <= 300))
        ratio = first / warm if first and warm else None
        checks.append((f"first-ask p95 ≤ 2.5× warm-ask p95 (at {base})", ratio, 2.5, ratio is not None and ratio <= 2.5))
    if base is not None and len(sizes) >= 2:
        top = max(sizes)
        a, b = p95(base, "first_ask"), p95(top, "first_ask")
        ratio = b / a if a and b else None
        checks.append((f"first-ask p95 at {top} ≤ 2× at {base}", ratio, 2.0, ratio is not None and ratio <= 2.0))
    s = results["sample_ingest"]
    checks.append(("batch ingest chunks/s ≥ 1.6× the serving path", s["batch_speedup"], 1.6, s["batch_speedup"] >= 1.6))
    c = results.get("commands") or {}
    for label, key, limit in (("`--help` ≤ 0.5 s", "help", 0.5),
                              ("unchanged re-ingest (bundled) ≤ 2 s wall", "reingest_bundled", 2.0),
                              ("unchanged re-ingest (library B) ≤ 2 s wall", "reingest_library", 2.0)):
        if key in c:
            value = c[key]["median_seconds"]
            checks.append((label, value, limit, value <= limit))
    lines = ["## Targets", "", "| target | measured | verdict |", "|---|---:|---|"]
    lines += [f"| {what} | {_num(value, 2)} | {'met' if ok else 'NOT met'} |" for what, value, _, ok in checks]
    return lines


def extrapolations(results: dict[str, Any], sizes: list[int]) -> list[str]:
    """Sizes skipped for time: hybrid ask p95 extrapolated from the growth between the two
    largest measured sizes (a power law), marked as such."""
    skipped = [int(k) for k, b in results["builds"].items() if b.get("skipped")]
    if not skipped or len(sizes) < 2:
        return []
    s1, s2 = sizes[-2], sizes[-1]
    a, b = (results["latency"][f"{n}/hybrid"]["first_ask"]["p95_ms"] for n in (s1, s2))
    slope = math.log(b / a) / math.log(s2 / s1)
    return [
        f"- Extrapolated (not measured) hybrid first-ask p95 at {n}: {b * (n / s2) ** slope:.0f} ms "
        f"(exponent {slope:.2f} from {s1}→{s2})"
        for n in skipped
    ]


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}" if value and base else ""
