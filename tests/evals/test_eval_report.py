"""report.json / report.md / report.html with charts, from a hand-made run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import Assistant
from evals.dataset import Dataset
from evals.report import load_report, write_reports
from evals.results import PlantedFabrication, PlantedKind, RunReport, SystemResult
from evals.suite import evaluate


def test_all_three_reports_and_the_charts_are_written(
    tmp_path: Path, make_report: Callable[..., RunReport], good_system: SystemResult,
    weak_system: SystemResult,
) -> None:
    baseline = weak_system.model_copy(update={"name": "bm25", "label": "BM25 only"})
    report = make_report(good_system, baseline)
    paths = write_reports(report, tmp_path / "out")
    assert {p.name for p in paths.values()} == {"report.json", "report.md", "report.html"}
    charts = sorted(p.name for p in (tmp_path / "out" / "charts").glob("*.png"))
    assert charts == ["answers.png", "coverage_by_type.png", "latency.png", "recall.png"]
    assert all((tmp_path / "out" / "charts" / c).stat().st_size > 5000 for c in charts)

    html = paths["html"].read_text()
    assert html.count("data:image/png;base64,") == 4  # one page, charts inside
    assert "ours / bm25" in html and "Refusal F1" in html and "Definitions" in html
    assert "Not available" in html  # no planted figures in this run

    md = paths["md"].read_text()
    assert "| Recall@5 | 0.875 | 0.625 | ×1.40 |" in md  # side by side, with the ratio
    assert "![Retrieval recall@k](charts/recall.png)" in md
    assert "Retrieval recall@k: the share of a question's gold evidence" in md  # docstring as definition


def test_retrieval_is_broken_down_by_question_type(
    tmp_path: Path, make_report: Callable[..., RunReport], good_system: SystemResult, weak_system: SystemResult,
) -> None:
    baseline = weak_system.model_copy(update={"name": "bm25"})
    paths = write_reports(make_report(good_system, baseline), tmp_path)
    md = paths["md"].read_text()
    section = md.split("## Retrieval by question type")[1].split("##")[0]
    assert "| Type | n | Recall@1 | Recall@3 | Recall@5 | Recall@10 | MRR | Evidence cited |" in section
    assert "| history | 1 | 0.50 · 0.50 |" in section  # ours · bm25
    assert "| factual | 2 | 1.00 · 0.50 |" in section and "unanswerable" not in section
    assert "Retrieval by question type" in paths["html"].read_text()


def test_the_report_says_how_much_gold_evidence_the_corpus_text_holds(
    tmp_path: Path, make_report: Callable[..., RunReport], good_system: SystemResult,
) -> None:
    report = make_report(good_system)
    report.evidence_strings, report.evidence_not_in_corpus = 8, ["q2: the lost quote…", "q3: another…"]
    assert report.evidence_in_corpus == 0.75
    md = write_reports(report, tmp_path)["md"].read_text()
    assert "**Gold evidence not found in the corpus** (6 of 8 found, 0.750); these cannot be retrieved: q2" in md
    assert '"evidence_in_corpus": 0.75' in (tmp_path / "report.json").read_text()


def test_report_json_reads_back_with_the_same_figures(
    tmp_path: Path, make_report: Callable[..., RunReport], good_system: SystemResult,
) -> None:
    report = make_report(good_system)
    write_reports(report, tmp_path)
    again = load_report(tmp_path)
    assert again.primary.overall.model_dump() == report.primary.overall.model_dump()
    assert '"recall_at_5": 0.875' in (tmp_path / "report.json").read_text()  # derived figures are in the JSON


def test_planted_figures_are_shown_when_present(
    tmp_path: Path, make_report: Callable[..., RunReport], good_system: SystemResult,
) -> None:
    report = make_report(good_system)
    report.planted = PlantedFabrication(
        available=True, cases=20, note="20 planted cases.", detection_rate=0.9, false_alarm_rate=0.1,
        meets_bar=False, by_kind=[PlantedKind(kind="number", fabricated=True, total=10, flagged=9)],
    )
    md = write_reports(report, tmp_path)["md"].read_text()
    assert "Detection 90.0%, false alarms 10.0% (does NOT meet the bar)" in md
    assert "| number | fabricated | 9/10 | 90.0% |" in md


@pytest.mark.slow
def test_a_real_run_with_both_baselines_writes_every_report(bundled: Assistant, dev_set: Dataset, tmp_path: Path) -> None:
    few = dev_set.subset(["q001", "q021", "q047", "q061"])  # factual, history, comparison, unanswerable
    report = evaluate(few, bundled, baselines=True, planted=False)
    assert [s.name for s in report.systems] == ["assistant", "bm25", "llamaindex"]
    llamaindex = report.system("llamaindex")
    assert llamaindex is not None and llamaindex.overall.citation_validity == 1.0  # its offsets are real
    assert llamaindex.overall.refused_share == 0.0  # it never refuses
    assert report.evidence_not_in_corpus == [] and report.evidence_in_corpus == 1.0
    paths = write_reports(report, tmp_path)
    html = paths["html"].read_text()
    assert "llamaindex" in html and html.count("<img") == 4
    assert load_report(tmp_path).primary.overall.model_dump() == report.primary.overall.model_dump()
