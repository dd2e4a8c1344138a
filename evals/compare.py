"""Two reports side by side: which metrics and which questions improved or regressed.

Matching is by system name (assistant, bm25, llamaindex) and question id, so a report from an
older commit, another mode or another corpus can be compared as long as the ids line up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.table import Table

from evals.metrics import METRICS, Metric
from evals.results import QuestionResult, RunReport, SystemResult

Verdict = Literal["improved", "regressed", "unchanged", "n/a"]
STYLE = {"improved": "green", "regressed": "red", "unchanged": "dim", "n/a": "dim", "mixed": "yellow"}

# Per-question figures compared, each higher-is-better.
QUESTION_FIGURES: dict[str, Callable[[QuestionResult], float | None]] = {
    "recall@5": lambda r: r.recall.get(5),
    "reciprocal rank": lambda r: r.reciprocal_rank,
    "key-fact coverage": lambda r: r.key_fact_coverage,
    "refusal correct": lambda r: float(r.refusal_correct),
    "citations valid": lambda r: None if r.citation_valid is None else float(r.citation_valid),
    "evidence cited": lambda r: r.evidence_cited,
    "cited page match": lambda r: r.cited_page_match,
    "citation recall": lambda r: r.citation_recall,
    "faithfulness": lambda r: r.faithfulness,
}


@dataclass(frozen=True)
class MetricChange:
    metric: Metric
    old: float | None
    new: float | None

    @property
    def verdict(self) -> Verdict:
        return judge_change(self.old, self.new, self.metric.higher_is_better, self.metric.tolerance,
                            relative=self.metric.unit == "ms")


@dataclass(frozen=True)
class QuestionChange:
    id: str
    changes: list[tuple[str, float | None, float | None, Verdict]]

    @property
    def verdict(self) -> str:
        verdicts = {v for *_, v in self.changes}
        if "improved" in verdicts and "regressed" in verdicts:
            return "mixed"
        for verdict in ("improved", "regressed"):
            if verdict in verdicts:
                return verdict
        return "unchanged"


def judge_change(old: float | None, new: float | None, higher_is_better: bool = True, tolerance: float = 1e-9,
                 relative: bool = False) -> Verdict:
    """improved / regressed / unchanged, given which direction is better and a noise tolerance."""
    if old is None or new is None:
        return "unchanged" if old is None and new is None else "n/a"
    delta = new - old
    limit = tolerance * abs(old) if relative else tolerance
    if abs(delta) <= limit:
        return "unchanged"
    return "improved" if (delta > 0) == higher_is_better else "regressed"


def metric_changes(old: SystemResult, new: SystemResult) -> list[MetricChange]:
    return [MetricChange(m, old.overall.value(m.key), new.overall.value(m.key)) for m in METRICS]


def question_changes(old: SystemResult, new: SystemResult) -> list[QuestionChange]:
    """Questions (in both reports) where any per-question figure moved."""
    out = []
    for result in new.questions:
        before = old.question(result.id)
        if before is None:
            continue
        changes = [(name, get(before), get(result), judge_change(get(before), get(result)))
                   for name, get in QUESTION_FIGURES.items()]
        moved = [c for c in changes if c[3] in ("improved", "regressed")]
        if moved:
            out.append(QuestionChange(result.id, moved))
    return out


def regressions(old: RunReport, new: RunReport) -> int:
    """How many metrics of the shared systems regressed (for --fail-on-regression)."""
    return sum(c.verdict == "regressed" for o, n in shared_systems(old, new) for c in metric_changes(o, n))


def shared_systems(old: RunReport, new: RunReport) -> list[tuple[SystemResult, SystemResult]]:
    return [(o, n) for n in new.systems if (o := old.system(n.name)) is not None]


def print_comparison(old: RunReport, new: RunReport, console: Console) -> None:
    for tag, report in (("OLD", old), ("NEW", new)):
        console.print(f"[bold]{tag}[/] {report.described} ({len(report.primary.questions)} questions) · "
                      f"{report.mode}/{report.retrieval} · commit {report.commit or '?'} · {report.created:%Y-%m-%d %H:%M}")
    if old.described != new.described or {q.id for q in old.primary.questions} != {q.id for q in new.primary.questions}:
        console.print("[yellow]The reports cover different questions: their overall figures are not comparable "
                      "(only questions in both are compared one by one; --split A|B compares one half).[/]")
    for before, after in shared_systems(old, new):
        console.print(_metric_table(before, after))
        _print_questions(before, after, console)
    only = sorted({s.name for s in old.systems} ^ {s.name for s in new.systems})
    if only:
        console.print(f"[dim]Systems in only one report (not compared): {', '.join(only)}[/]")


def _metric_table(old: SystemResult, new: SystemResult) -> Table:
    table = Table(title=f"{new.name}: {new.label}", title_justify="left")
    for header in ("Metric", "Old", "New", "Change", "Verdict"):
        table.add_column(header, justify="right" if header in ("Old", "New", "Change") else "left")
    for change in metric_changes(old, new):
        m = change.metric
        delta = "" if change.old is None or change.new is None else f"{change.new - change.old:+.3f}"
        if m.unit == "ms" and delta:
            delta = f"{change.new - change.old:+,.0f} ms"  # type: ignore[operator]
        table.add_row(m.label, m.format(change.old), m.format(change.new), delta,
                      f"[{STYLE[change.verdict]}]{change.verdict}[/]")
    return table


def _print_questions(old: SystemResult, new: SystemResult, console: Console) -> None:
    changes = question_changes(old, new)
    if not changes:
        console.print(f"  {new.name}: no question changed.\n")
        return
    console.print(f"  {new.name}: {len(changes)} question(s) changed")
    for change in changes:
        moves = "; ".join(f"{name} {_fmt(a)} → {_fmt(b)}" for name, a, b, _ in change.changes)
        console.print(f"    [{STYLE[change.verdict]}]{change.verdict:<9}[/] {change.id}  {moves}")
    console.print()


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
