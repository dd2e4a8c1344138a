"""Page-aware figures: for a set whose evidence gives its page, do the answer's citations land on it?"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.models import Answer, Citation
from evals.dataset import Question
from evals.evaluate import score
from evals.report import write_reports
from evals.results import RunReport, SystemResult
from evals.runner import Observation

TEXT = "The standard period is a maximum of 30 working days. Requests are closed after 10 working days."
QUESTION = Question(
    id="p1", question="How long may a decision take?", type="factual", key_facts=["30 working days"],
    doc=["sop.pdf", "sop.pdf"], page=[5, 6],
    evidence=["a maximum of 30 working days", "closed after 10 working days"],
)


def answer(page: int | None, page_end: int | None = None, source: str = "/corpus/sop.pdf") -> Answer:
    citation = Citation(
        n=1, quote=TEXT[:52], start=0, end=52, score=1.0, context_start=0, context_end=52, doc_id="sop",
        title="SOP", author="NHS England", date="2023", section="", source=source, page=page, page_end=page_end,
    )
    return Answer(question=QUESTION.question, standalone_question=QUESTION.question, refused=False,
                  answer_markdown=f"“{TEXT[:52]}” [1]", citations=[citation])


def scored(given: Answer) -> Observation:
    return Observation(answer=given, ranked=[TEXT], context=[TEXT], cited={1: TEXT[:52]}, latency_ms=1.0)


def test_a_citation_on_a_gold_page_of_the_gold_document_matches() -> None:
    result = score(QUESTION, scored(answer(5)), None, lambda doc_id: TEXT)
    assert result.cited_page_match == 1.0 and result.cited_pages == ["[1] sop.pdf p.5"]
    assert result.evidence_cited == 0.5  # the cited passage holds one of the two evidence strings
    assert score(QUESTION, scored(answer(4, 5)), None, lambda d: TEXT).cited_pages == ["[1] sop.pdf p.4-5"]
    assert score(QUESTION, scored(answer(4, 5)), None, lambda d: TEXT).cited_page_match == 1.0
    assert score(QUESTION, scored(answer(9)), None, lambda d: TEXT).cited_page_match == 0.0
    assert score(QUESTION, scored(answer(5, source="/x/other.pdf")), None, lambda d: TEXT).cited_page_match == 0.0


def test_without_pages_on_citations_the_figure_is_not_available() -> None:
    result = score(QUESTION, scored(answer(None)), None, lambda doc_id: TEXT)
    assert result.cited_page_match is None and result.cited_pages == []
    unpaged = QUESTION.model_copy(update={"page": []})
    assert score(unpaged, scored(answer(5)), None, lambda doc_id: TEXT).cited_page_match is None


def test_the_report_shows_cited_pages_only_when_citations_have_them(
    tmp_path: Path, make_report: Callable[..., RunReport], make_system: Callable[..., SystemResult],
) -> None:
    with_pages = score(QUESTION, scored(answer(6)), None, lambda doc_id: TEXT)
    md = write_reports(make_report(make_system("assistant", [with_pages])), tmp_path / "p")["md"].read_text()
    assert "| Cited page match | 1.000 |" in md and "Cited pages" in md and "[1] sop.pdf p.6" in md
    assert "Cited page match: for sets whose gold evidence gives its page" in md  # its definition
    without = score(QUESTION, scored(answer(None)), None, lambda doc_id: TEXT)
    md = write_reports(make_report(make_system("assistant", [without])), tmp_path / "n")["md"].read_text()
    assert "| Cited page match | n/a |" in md and "Cited pages" not in md
