"""The report's tables, built once from a RunReport and rendered by both report.md and report.html."""

from __future__ import annotations

from dataclasses import dataclass, field

from evals.metrics import METRIC_BY_KEY, METRICS, RECALL_KS, Metric
from evals.results import Figures, GroundingScores, RunReport

BY_TYPE_KEYS = ["recall_at_5", "mrr", "key_fact_coverage", "refused_share", "citation_validity",
                "faithfulness"]
BY_TYPE_LABELS = {"refused_share": "Refused share"}
RETRIEVAL_KEYS = [*(f"recall_at_{k}" for k in RECALL_KS), "mrr", "evidence_cited"]
BY_HALF_KEYS = ["recall_at_5", "mrr", "key_fact_coverage", "refusal_precision", "refusal_recall", "refusal_f1",
                "citation_validity", "cited_page_match"]


@dataclass
class Cell:
    text: str
    tone: str = ""  # "good", "bad" or "" (how the HTML colours it)
    numeric: bool = False


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""


def ratio_cell(metric: Metric, ours: float | None, theirs: float | None) -> Cell:
    """ours / baseline as '×1.25', toned by whether that is better for this metric."""
    if ours is None or theirs is None or theirs == 0:
        return Cell("—", numeric=True)
    ratio = ours / theirs
    better = ratio > 1 if metric.higher_is_better else ratio < 1
    tone = "" if abs(ratio - 1) < 0.005 else ("good" if better else "bad")
    return Cell(f"×{ratio:.2f}", tone, numeric=True)


def summary_table(report: RunReport) -> Table:
    """Every metric, ours beside each baseline with the ratio ours / baseline."""
    ours, baselines = report.primary, report.systems[1:]
    headers = ["Metric", ours.name]
    for baseline in baselines:
        headers += [baseline.name, f"ours / {baseline.name}"]
    table = Table(headers, note="Ratios are ours ÷ baseline; green is better for us (lower for latency).")
    for metric in METRICS:
        mine = ours.overall.value(metric.key)
        row = [Cell(metric.label), Cell(metric.format(mine), numeric=True)]
        for baseline in baselines:
            theirs = baseline.overall.value(metric.key)
            row += [Cell(metric.format(theirs), numeric=True), ratio_cell(metric, mine, theirs)]
        table.rows.append(row)
    return table


def by_type_table(report: RunReport) -> Table:
    """Per question type, a few headline figures, one value per system (ours first)."""
    return _grouped_table(report, "Type", _by_type(report), BY_TYPE_KEYS,
                          "For an answerable type, the refused share is its false-refusal rate.")


def retrieval_by_type_table(report: RunReport) -> Table:
    """Per question type, recall@k, MRR and evidence cited, one value per system."""
    rows = {t: f for t, f in _by_type(report).items() if t != "unanswerable"}
    return _grouped_table(report, "Type", rows, RETRIEVAL_KEYS, "Answerable types only (the others have no evidence).")


def by_half_table(report: RunReport) -> Table | None:
    """The headline figures of halves A and B of a whole-set report (None for a half or a --limit run)."""
    if not report.by_half:
        return None
    rows = {f"half {h}": systems for h, systems in report.by_half.items()}
    return _grouped_table(report, "Half", rows, BY_HALF_KEYS,
                          "The fixed halves of the set (python -m evals run --split A|B runs one alone).")


def _by_type(report: RunReport) -> dict[str, dict[str, Figures]]:
    """Question type -> system -> figures, in the order of our system's types."""
    return {t: {s.name: s.by_type[t] for s in report.systems if t in s.by_type} for t in report.primary.by_type}


def _grouped_table(report: RunReport, first: str, groups: dict[str, dict[str, Figures]], keys: list[str],
                   note: str) -> Table:
    """One row per group (a type, a half): its size, then one cell per figure holding every system's value."""
    names = " · ".join(s.name for s in report.systems)
    labels = [BY_TYPE_LABELS.get(k) or METRIC_BY_KEY[k].label for k in keys]
    table = Table([first, "n", *labels], note=f"Each cell: {names}. {note}")
    for group, figures in groups.items():
        ours = figures.get(report.primary.name)
        row = [Cell(group), Cell(str(ours.questions if ours else 0), numeric=True)]
        for key in keys:
            values = [figures[s.name].value(key) if s.name in figures else None for s in report.systems]
            row.append(Cell(" · ".join("n/a" if v is None else f"{v:.2f}" for v in values), numeric=True))
        table.rows.append(row)
    return table


def question_table(report: RunReport) -> Table:
    """One row per question: ours in full, with every system's recall@5 and coverage side by side."""
    names = " · ".join(s.name for s in report.systems)
    headers = ["Id", "Type", "Question", "Refused", "Recall@5", "First hit", "Coverage", "Missing facts",
               "Citations", "Faithful", "ms"]
    paged = any(r.cited_pages for r in report.primary.questions)
    if paged:
        headers.insert(-2, "Cited pages")
    table = Table(headers, note=f"Recall@5 and Coverage cells: {names}; the other columns are ours.")
    for r in report.primary.questions:
        others = [s.question(r.id) for s in report.systems]
        recalls = " · ".join(_num(o.recall.get(5) if o else None) for o in others)
        coverages = " · ".join(_num(o.key_fact_coverage if o else None) for o in others)
        citations = "—" if r.citation_valid is None else "; ".join(r.citation_problems) or "valid"
        row = [
            Cell(r.id), Cell(r.type), Cell(r.question),
            Cell("yes" if r.refused else "no", "" if r.refusal_correct else "bad"),
            Cell(recalls, _tone(r.recall.get(5)), True),
            Cell("—" if r.first_hit_rank is None else str(r.first_hit_rank), numeric=True),
            Cell(coverages, _tone(r.key_fact_coverage), True),
            Cell("; ".join(r.missing_facts)),
            Cell(citations, "bad" if r.citation_valid is False else ""),
            Cell(_num(r.faithfulness), _tone(r.faithfulness), numeric=True),
            Cell(f"{r.latency_ms:,.0f}", numeric=True),
        ]
        if paged:
            row.insert(-2, Cell("; ".join(r.cited_pages) or "—", _tone(r.cited_page_match)))
        table.rows.append(row)
    return table


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _tone(value: float | None) -> str:
    if value is None:
        return ""
    return "good" if value >= 0.999 else ("bad" if value <= 0.001 else "")


def facts(report: RunReport) -> list[tuple[str, str]]:
    """The header lines both renderings show: what was run, on what."""
    types = ", ".join(f"{t} {n}" for t, n in _type_counts(report).items())
    questions = len(report.primary.questions)
    of = f" of {report.set_size}" if report.set_size and report.set_size != questions else ""
    return [
        ("Dataset", f"{report.described} ({questions}{of} questions: {types}) — {report.dataset_path}"),
        ("Corpus", f"{' + '.join(report.corpus)} ({report.documents} documents, {report.chunks} chunks; "
                   f"{report.corpus_description})"),
        ("Configuration", f"answers {report.mode}, retrieval {report.retrieval}; "
                          f"commit {report.commit or 'unknown'}; run {report.created:%Y-%m-%d %H:%M}"),
        ("Grounding checker", report.grounding),
    ]


def _type_counts(report: RunReport) -> dict[str, int]:
    return {t: f.questions for t, f in report.primary.by_type.items()}


def planted_text(report: RunReport) -> str:
    """One line: the planted-fabrication headline figures, or why there are none."""
    planted = report.planted
    if not planted.available:
        return f"Not available: {planted.note}"
    bar = "meets the bar" if planted.meets_bar else "does NOT meet the bar"
    return (f"{planted.note} Detection {_pct(planted.detection_rate)}, false alarms "
            f"{_pct(planted.false_alarm_rate)} ({bar}); {planted.ms_per_sentence or 0:.1f} ms a sentence.")


def planted_table(report: RunReport) -> Table | None:
    """Flagged share by kind: detection for fabricated kinds, false alarms for true ones."""
    if not report.planted.by_kind:
        return None
    table = Table(["Kind", "Planted as", "Flagged", "Share flagged"])
    for row in report.planted.by_kind:
        wanted = row.rate >= 0.95 if row.fabricated else row.rate <= 0.05
        table.rows.append([Cell(row.kind), Cell("fabricated" if row.fabricated else "true"),
                           Cell(f"{row.flagged}/{row.total}", numeric=True),
                           Cell(_pct(row.rate), "good" if wanted else "bad", numeric=True)])
    return table


def grounding_table(scores: GroundingScores) -> Table:
    """The checker on one labelled file: answer-, sentence- and span-level figures per group."""
    table = Table(["Group", "Answers", "Unsupported", "Balanced accuracy", "Recall", "False alarms",
                   "Supported sentences rejected", "Span precision", "Span recall", "Span F1"],
                  note=f"{scores.file}: {scores.checker}; {scores.sentences} sentences, "
                       f"{scores.ms_per_sentence:.1f} ms a sentence. {scores.note}".strip())
    for group, r in scores.groups.items():
        table.rows.append([Cell(group), Cell(str(r.answers), numeric=True), Cell(str(r.unsupported), numeric=True),
                           *(Cell(_three(v), numeric=True) for v in (
                               r.balanced_accuracy, r.recall, r.false_alarms, r.sentences_rejected,
                               r.span_precision, r.span_recall, r.span_f1))])
    return table


def _three(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def data_notes(report: RunReport) -> list[str]:
    """Whether the gold evidence is in the corpus text at all (else it cannot be retrieved)."""
    missing, total = report.evidence_not_in_corpus, report.evidence_strings
    counted = f" ({total - len(missing)} of {total} found, {report.evidence_in_corpus:.3f})" if total else ""
    if not missing:
        return [f"All {total} gold evidence strings were found in the corpus text." if total
                else "All gold evidence strings were found in the corpus text."]
    return [f"**Gold evidence not found in the corpus**{counted}; these cannot be retrieved: " + "; ".join(missing)]
