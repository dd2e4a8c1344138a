"""Hand-made results for the evals tests: reports without a model, an index or a run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evals.results import QuestionResult, RunReport, SystemResult


def result(
    qid: str, qtype: str = "factual", *, refused: bool = False, recall: float | None = 1.0,
    coverage: float | None = 1.0, valid: bool | None = True, faithful: float | None = 1.0, ms: float = 100.0,
) -> QuestionResult:
    """One question's result; unanswerable questions get no retrieval or coverage figures."""
    answerable = qtype != "unanswerable"
    return QuestionResult(
        id=qid, type=qtype, question=f"Question {qid}?", answerable=answerable, refused=refused,
        answer="The library does not answer this." if refused else f"Answer to {qid} [1]",
        recall={k: recall for k in (1, 3, 5, 10)} if answerable and recall is not None else {},
        reciprocal_rank=recall if answerable else None,
        key_fact_coverage=(0.0 if refused else coverage) if answerable else None,
        citation_valid=None if refused else valid, citation_recall=None if refused else faithful,
        citation_precision=None if refused else faithful, faithfulness=None if refused else faithful,
        latency_ms=ms,
    )


def system(name: str, results: list[QuestionResult]) -> SystemResult:
    return SystemResult(name=name, label=f"The {name} system", questions=results)


def report(*systems: SystemResult) -> RunReport:
    return RunReport(dataset="tiny", dataset_path="tiny.jsonl", corpus=["knowledge"], documents=2, chunks=5,
                     grounding="fake", systems=list(systems))


@pytest.fixture
def make_report() -> Callable[..., RunReport]:
    return report


@pytest.fixture
def make_result() -> Callable[..., QuestionResult]:
    return result


@pytest.fixture
def make_system() -> Callable[[str, list[QuestionResult]], SystemResult]:
    return system


@pytest.fixture
def good_system() -> SystemResult:
    """Four answerable questions answered well, one unanswerable refused."""
    return system("assistant", [
        result("q1"), result("q2", "history", recall=0.5, coverage=0.5), result("q3", "comparison"),
        result("q4", ms=300.0), result("q5", "unanswerable", refused=True, ms=50.0),
    ])


@pytest.fixture
def weak_system() -> SystemResult:
    """Retrieval misses, one false refusal, an unanswerable question answered."""
    return system("assistant", [
        result("q1", recall=0.0, coverage=0.0), result("q2", "history", recall=0.5, coverage=0.5),
        result("q3", "comparison", refused=True), result("q4", ms=300.0, valid=False, faithful=0.5),
        result("q5", "unanswerable", refused=False, ms=50.0),
    ])
