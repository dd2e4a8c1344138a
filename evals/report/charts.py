"""The report's charts as PNG files (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from evals.metrics import METRIC_BY_KEY, RECALL_KS
from evals.results import RunReport

COLOURS = ["#1d70b8", "#f47738", "#85994b", "#912b88", "#6f777b"]
ANSWER_KEYS = ["key_fact_coverage", "refusal_f1", "citation_validity", "citation_recall",
               "citation_precision", "faithfulness"]


def write_charts(report: RunReport, folder: Path) -> dict[str, Path]:
    """Draw every chart into `folder`; returns title -> file."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = {
        "Retrieval recall@k": (_recall_chart, "recall.png"),
        "Answer quality": (_answer_chart, "answers.png"),
        "Key-fact coverage by question type": (_coverage_by_type_chart, "coverage_by_type.png"),
        "Latency per question": (_latency_chart, "latency.png"),
    }
    written = {}
    for title, (draw, filename) in charts.items():
        fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=110)
        draw(report, ax)
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        _finish(fig, ax)
        fig.savefig(folder / filename, bbox_inches="tight")
        plt.close(fig)
        written[title] = folder / filename
    return written


def _recall_chart(report: RunReport, ax: Axes) -> None:
    for colour, system in zip(COLOURS, report.systems, strict=False):
        values = [system.overall.value(f"recall_at_{k}") for k in RECALL_KS]
        ax.plot(RECALL_KS, [v or 0 for v in values], marker="o", color=colour, label=system.name)
    ax.set_xticks(RECALL_KS)
    ax.set_xlabel("k (chunks retrieved)")
    ax.set_ylabel("share of gold evidence")
    ax.set_ylim(0, 1.05)


def _bars(ax: Axes, groups: list[str], series: dict[str, list[float | None]]) -> None:
    """Grouped bars; a missing (n/a) value is drawn as a hatched stub."""
    width = 0.8 / max(len(series), 1)
    for i, (colour, (label, values)) in enumerate(zip(COLOURS, series.items(), strict=False)):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        heights = [v if v is not None else 0.01 for v in values]
        bars = ax.bar(xs, heights, width * 0.95, color=colour, label=label)
        for bar, value in zip(bars, values, strict=True):
            if value is None:
                bar.set_hatch("//")
                bar.set_alpha(0.3)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, fontsize=8)
    ax.set_ylim(0, 1.05)


def _answer_chart(report: RunReport, ax: Axes) -> None:
    groups = [METRIC_BY_KEY[k].label.replace(" (ALCE)", "").replace(" ", "\n", 1) for k in ANSWER_KEYS]
    _bars(ax, groups, {s.name: [s.overall.value(k) for k in ANSWER_KEYS] for s in report.systems})


def _coverage_by_type_chart(report: RunReport, ax: Axes) -> None:
    types = [t for t in report.primary.by_type if t != "unanswerable"]
    series = {s.name: [s.by_type[t].key_fact_coverage if t in s.by_type else None for t in types]
              for s in report.systems}
    _bars(ax, types, series)
    ax.set_ylabel("share of key facts")


def _latency_chart(report: RunReport, ax: Axes) -> None:
    data = [[q.latency_ms for q in s.questions] or [0.0] for s in report.systems]
    box = ax.boxplot(data, orientation="horizontal", patch_artist=True, widths=0.5)
    for patch, colour in zip(box["boxes"], COLOURS, strict=False):
        patch.set_facecolor(colour)
        patch.set_alpha(0.6)
    ax.set_yticks(range(1, len(data) + 1))
    ax.set_yticklabels([s.name for s in report.systems], fontsize=9)
    ax.set_xscale("log")
    ax.set_xlabel("ms per question (log scale)")
    ax.invert_yaxis()


def _finish(fig: Figure, ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y" if ax.get_xscale() != "log" else "x", alpha=0.3)
    handles = ax.get_legend_handles_labels()[0]
    if handles:
        tall = ax.get_xlabel() or any("\n" in t.get_text() for t in ax.get_xticklabels())
        below = -0.3 if tall else -0.14
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, below),
                  ncols=len(handles))
    fig.tight_layout()
