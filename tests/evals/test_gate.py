"""The CI gate: the dev set (extractive answers, bundled corpus) must meet evals/gate.toml.

The slow tests run the real evaluation on the session's bundled index (see tests/conftest.py);
the gate run takes well under three minutes on a quiet two-core machine. The last test is a test
OF the gate: with a retriever that finds nothing, the same run must fail it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import Assistant
from evals.dataset import load_dataset
from evals.gate import GateSpec, check_gate, load_gate
from evals.metrics import METRIC_BY_KEY
from evals.report import write_reports
from evals.results import RunReport, SystemResult
from evals.suite import evaluate

DEV = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "dev.jsonl"


def dev_report(assistant: Assistant, every: int = 1) -> RunReport:
    """The gate's run: our system only (no baselines, no planted cases), every `every`-th question."""
    dataset = load_dataset(DEV)
    dataset = dataset.subset([q.id for q in dataset.questions[::every]])
    return evaluate(dataset, assistant, baselines=False, planted=False)


def test_gate_file_names_real_metrics_with_sane_limits() -> None:
    spec = load_gate()
    assert spec.system == "assistant" and spec.min
    for key, limit in {**spec.min, **spec.max}.items():
        metric = METRIC_BY_KEY[key]
        assert limit > 0 and (metric.unit == "ms" or limit <= 1), key


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
def test_dev_set_meets_the_gate(bundled: Assistant, tmp_path: Path) -> None:
    began = time.perf_counter()
    report = dev_report(bundled)
    result = check_gate(report)
    paths = write_reports(report, tmp_path)
    print(f"\n{result.summary()} ({time.perf_counter() - began:.0f} s; report in {tmp_path})")
    assert result.passed, result.summary()
    assert all(p.stat().st_size > 1000 for p in paths.values())
    assert len(report.primary.questions) == 35


@pytest.mark.slow
def test_gate_fails_when_retrieval_returns_nothing(
    bundled: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundled.retriever, "search", lambda *args, **kwargs: [])
    report = dev_report(bundled, every=3)  # 12 questions, two of them unanswerable: enough to fail
    result = check_gate(report)
    print(f"\n{result.summary()}")
    assert not result.passed
    failed = {c.key for c in result.failures}
    assert {"recall_at_5", "mrr", "key_fact_coverage"} <= failed
    assert report.primary.overall.refused_share == 1.0  # with nothing retrieved it refuses everything
