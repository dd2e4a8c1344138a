"""The CI gate: every dev set (extractive answers, its own library) must meet its section of
evals/gate.toml, as a whole and in each half.

The slow tests run the real evaluation: the dev set on the session's bundled index (see
tests/conftest.py; well under three minutes on a quiet two-core machine), dev_nhs and dev_pdf on
their libraries from ../shared (skipped where ../shared is missing; a few minutes each). One
test is a test OF the gate: with a retriever that finds nothing, the dev run must fail it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import Assistant
from evals.cli import app
from evals.dataset import SHARED_DIR, Dataset, DatasetError, load_named_set, named_sets
from evals.gate import GateError, GateSpec, check_gate, load_gate
from evals.metrics import METRIC_BY_KEY
from evals.report import write_reports
from evals.results import RunReport, SystemResult
from evals.runner import ingest_corpus
from evals.splits import HALVES
from evals.suite import evaluate


def dev_report(assistant: Assistant, dataset: Dataset, every: int = 1) -> RunReport:
    """The gate's run: our system only (no baselines, no planted cases), every `every`-th question."""
    dataset = dataset.subset([q.id for q in dataset.questions[::every]])
    return evaluate(dataset, assistant, baselines=False, planted=False)


def test_gate_file_has_a_section_for_every_set_with_real_metrics_and_sane_limits() -> None:
    gate = load_gate()
    assert gate.system == "assistant" and set(gate.sets) == set(named_sets())
    for name, section in gate.sets.items():
        assert section.min, name
        for limits in (section, section.A, section.B):
            for key, limit in {**limits.min, **limits.max}.items():
                metric = METRIC_BY_KEY[key]
                assert limit > 0 and (metric.unit == "ms" or limit <= 1), (name, key)


def test_the_gate_picks_the_section_of_the_reports_set_and_half(
    make_report: Callable[..., RunReport], good_system: SystemResult, tmp_path: Path,
) -> None:
    gate_file = tmp_path / "gate.toml"
    gate_file.write_text(
        'system = "assistant"\n[tiny.min]\nrecall_at_5 = 0.9\nrefusal_f1 = 0.5\n'
        "[tiny.A.min]\nrecall_at_5 = 0.5\n[other.min]\nrecall_at_5 = 0.1\n"
    )
    gate = load_gate(gate_file)
    report = make_report(good_system)  # dataset "tiny", recall@5 0.875
    whole = check_gate(report, gate)
    assert not whole.passed and whole.summary().startswith("gate FAILED for assistant on tiny: recall_at_5")
    report.split = "A"  # as if it were half A: A's own minimums replace the set's
    assert gate.spec_for(report).min == {"recall_at_5": 0.5}
    assert check_gate(report, gate).summary() == "gate passed: 1 threshold(s) met by assistant on tiny half A"
    report.split = "B"  # B has no table of its own: the set's
    assert gate.spec_for(report).min == {"recall_at_5": 0.9, "refusal_f1": 0.5}
    report.dataset = "unknown"
    with pytest.raises(GateError, match="no section for dataset 'unknown' \\(it has other, tiny\\)"):
        check_gate(report, gate)


def test_a_gate_file_with_a_typo_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "gate.toml"
    bad.write_text("[dev.min]\nrecal_at_5 = 0.9\n")
    with pytest.raises(GateError, match="unknown metric keys recal_at_5"):
        load_gate(bad)
    bad.write_text("[dev.minimum]\nrecall_at_5 = 0.9\n")
    with pytest.raises(GateError, match="minimum"):
        load_gate(bad)


def test_the_gate_command_exits_0_1_or_2(
    make_report: Callable[..., RunReport], good_system: SystemResult, weak_system: SystemResult,
    tmp_path: Path,
) -> None:
    gate_file = tmp_path / "gate.toml"
    gate_file.write_text("[tiny.min]\nrecall_at_5 = 0.8\n")
    write_reports(make_report(good_system), tmp_path / "good")
    write_reports(make_report(weak_system), tmp_path / "weak")
    runner = CliRunner()
    passed = runner.invoke(app, ["gate", str(tmp_path / "good"), "--thresholds", str(gate_file)])
    assert passed.exit_code == 0 and "gate passed" in passed.output
    failed = runner.invoke(app, ["gate", str(tmp_path / "weak"), "--thresholds", str(gate_file)])
    assert failed.exit_code == 1 and "recall_at_5 = 0.625" in failed.output
    other = runner.invoke(app, ["gate", str(tmp_path / "good")])  # the real gate.toml has no 'tiny'
    assert other.exit_code == 2 and "no section for dataset 'tiny'" in other.output


def test_gate_passes_and_fails_on_hand_made_reports(
    make_report: Callable[..., RunReport], good_system: SystemResult, weak_system: SystemResult,
) -> None:
    spec = GateSpec(min={"recall_at_5": 0.8, "refusal_f1": 0.9}, max={"latency_p95_ms": 1000})
    assert check_gate(make_report(good_system), spec).passed
    failed = check_gate(make_report(weak_system), spec)
    assert not failed.passed
    assert {c.key for c in failed.failures} == {"recall_at_5", "refusal_f1"}
    assert "recall_at_5 = 0.625 (needs ≥ 0.800)" in failed.summary()
    slow = check_gate(make_report(good_system), GateSpec(max={"latency_p95_ms": 100}))
    assert not slow.passed  # maximums too
    missing = check_gate(make_report(good_system), GateSpec(min={"citation_recall": 0.5}))
    assert missing.passed
    good_system.questions = [q.model_copy(update={"citation_recall": None}) for q in good_system.questions]
    no_figure = check_gate(make_report(good_system), GateSpec(min={"citation_recall": 0.5}))
    assert not no_figure.passed  # a figure the gate names must be there


@pytest.mark.slow
def test_dev_set_meets_the_gate(bundled: Assistant, dev_set: Dataset, tmp_path: Path) -> None:
    began = time.perf_counter()
    report = dev_report(bundled, dev_set)
    result = check_gate(report)
    paths = write_reports(report, tmp_path)
    print(f"\n{result.summary()} ({time.perf_counter() - began:.0f} s; report in {tmp_path})")
    assert result.passed, result.summary()
    assert all(p.stat().st_size > 1000 for p in paths.values())
    assert len(report.primary.questions) == 35
    for half in HALVES:
        assert check_gate(report.half(half)).passed, check_gate(report.half(half)).summary()


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_DIR.is_dir(), reason="the shared sets are read from ../shared")
@pytest.mark.parametrize("name", ["dev_pdf", "dev_nhs"])
def test_the_shared_dev_sets_meet_their_gates(
    name: str, make_assistant: Callable[..., Assistant], tmp_path: Path
) -> None:
    began = time.perf_counter()
    try:
        dataset = load_named_set(name)
    except DatasetError as missing:
        pytest.skip(str(missing))
    assistant = make_assistant()
    ingest_corpus(assistant, dataset.corpus)
    report = evaluate(dataset, assistant, baselines=False, planted=False)
    write_reports(report, tmp_path)
    results = [check_gate(report), *(check_gate(report.half(h)) for h in HALVES)]
    print("\n" + "\n".join(r.summary() for r in results) + f"\n({time.perf_counter() - began:.0f} s; {tmp_path})")
    assert all(r.passed for r in results), [r.summary() for r in results if not r.passed]


@pytest.mark.slow
def test_gate_fails_when_retrieval_returns_nothing(
    bundled: Assistant, dev_set: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundled.retriever, "search", lambda *args, **kwargs: [])
    report = dev_report(bundled, dev_set, every=3)  # 12 questions, two of them unanswerable: enough to fail
    result = check_gate(report)
    print(f"\n{result.summary()}")
    assert not result.passed
    failed = {c.key for c in result.failures}
    assert {"recall_at_5", "mrr", "key_fact_coverage"} <= failed
    assert report.primary.overall.refused_share == 1.0  # with nothing retrieved it refuses everything
