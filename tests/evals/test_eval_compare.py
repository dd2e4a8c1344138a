"""`python -m evals compare OLD NEW`: per metric and per question, improved or regressed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from evals.cli import app
from evals.compare import judge_change, metric_changes, question_changes
from evals.report import write_reports
from evals.results import RunReport, SystemResult


def test_direction_and_noise_decide_the_verdict() -> None:
    assert judge_change(0.5, 0.6) == "improved"
    assert judge_change(0.6, 0.5) == "regressed"
    assert judge_change(100.0, 200.0, higher_is_better=False, tolerance=0.25, relative=True) == "regressed"
    assert judge_change(100.0, 110.0, higher_is_better=False, tolerance=0.25, relative=True) == "unchanged"
    assert judge_change(None, 0.5) == "n/a"


def test_metric_and_question_changes(good_system: SystemResult, weak_system: SystemResult) -> None:
    verdicts = {c.metric.key: c.verdict for c in metric_changes(weak_system, good_system)}
    assert verdicts["recall_at_5"] == "improved" and verdicts["refusal_f1"] == "improved"
    assert verdicts["latency_p50_ms"] == "unchanged"
    moved = {c.id: c.verdict for c in question_changes(weak_system, good_system)}
    assert moved == {"q1": "improved", "q3": "improved", "q4": "improved", "q5": "improved"}
    back = {c.id: c.verdict for c in question_changes(good_system, weak_system)}
    assert set(back.values()) == {"regressed"}


def test_the_command_prints_both_directions(
    tmp_path: Path, make_report: Callable[..., RunReport], good_system: SystemResult,
    weak_system: SystemResult,
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    write_reports(make_report(good_system), old)
    write_reports(make_report(weak_system), new)
    result = CliRunner().invoke(app, ["compare", str(old / "report.json"), str(new)], terminal_width=160)
    assert result.exit_code == 0, result.output
    assert "Recall@5" in result.output and "regressed" in result.output
    assert "q1  recall@5 1.00 → 0.00" in result.output
    assert "q2" not in result.output  # unchanged questions are not listed
    failing = CliRunner().invoke(app, ["compare", str(old), str(new), "--fail-on-regression"])
    assert failing.exit_code == 1
    improving = CliRunner().invoke(app, ["compare", str(new), str(old), "--fail-on-regression"])
    assert improving.exit_code == 0 and "improved" in improving.output
