"""Score observations: one Observation and its gold Question in, one QuestionResult out.

The support judgements (citation recall/precision, faithfulness) come from the project's
GroundingChecker. Until it is implemented those three figures are n/a, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.common.markers import marker_numbers, strip_markers
from assistant.common.text import sentence_spans
from assistant.grounding import GroundingChecker
from assistant.index.embedder import Embedder
from assistant.models import Answer, Citation
from evals.dataset import Question
from evals.metrics import (
    RECALL_KS,
    CitedPages,
    CitedSentence,
    Judge,
    citation_precision,
    citation_problems,
    citation_recall,
    cited_page_match,
    evidence_cited,
    faithfulness,
    first_hit_rank,
    key_fact_coverage,
    raw_faithfulness,
    recall_at_k,
    reciprocal_rank,
)
from evals.results import QuestionResult
from evals.runner import Observation


@dataclass
class Grounding:
    """The grounding checker as the evals use it: a cached yes/no judge, and which checker it is."""

    checker: GroundingChecker
    judge: Judge
    status: str


def load_grounding(embedder: Embedder | None = None) -> Grounding:
    """The project's GroundingChecker (with the embedder, for paraphrases), its verdicts cached."""
    checker = GroundingChecker(embedder=embedder)

    @lru_cache(maxsize=50_000)
    def judge(sentence: str, passages: tuple[str, ...]) -> bool:
        return checker.check(sentence, list(passages)).supported

    status = "GroundingChecker" + (f" with {embedder.name} similarity" if embedder else "")
    return Grounding(checker, lambda sentence, passages: judge(sentence, tuple(passages)), status)


def score(
    question: Question, seen: Observation, judge: Judge | None, document_text: Callable[[str], str]
) -> QuestionResult:
    """All per-question figures; answer figures are left None where they do not apply."""
    answer = seen.answer
    result = QuestionResult(
        id=question.id, type=question.type, question=question.question, answerable=question.answerable,
        refused=answer.refused, answer=answer.answer_markdown, latency_ms=round(seen.latency_ms, 1),
    )
    if question.answerable and question.evidence:
        result.recall = {k: recall_at_k(question.evidence, seen.ranked, k) for k in RECALL_KS}
        result.first_hit_rank = first_hit_rank(question.evidence, seen.ranked)
        result.reciprocal_rank = reciprocal_rank(question.evidence, seen.ranked)
    if question.answerable and question.key_facts:
        text = "" if answer.refused else answer.answer_markdown
        result.key_fact_coverage = key_fact_coverage(question.key_facts, text)
        result.missing_facts = [f for f in question.key_facts if key_fact_coverage([f], text) == 0]
    if not answer.refused:
        _score_answer(result, answer, seen, judge, document_text)
        if question.answerable:
            _score_sources(result, question, answer, seen)
    if answer.raw_answer.strip() and judge is not None:
        raw = [_split_markers(answer.raw_answer[s:e])[0] for s, e in sentence_spans(answer.raw_answer)]
        result.raw_faithfulness = raw_faithfulness([t for t in raw if t], seen.context, judge)
    return result


def _score_answer(
    result: QuestionResult, answer: Answer, seen: Observation, judge: Judge | None,
    document_text: Callable[[str], str],
) -> None:
    quotes = {c.n: (c.doc_id, c.start, c.end, c.quote) for c in answer.citations}
    result.citation_problems = citation_problems(answer.answer_markdown, quotes, document_text)
    result.citation_valid = not result.citation_problems
    if judge is None:
        return
    sentences = answer_sentences(answer, seen.cited)
    result.citation_recall = citation_recall(sentences, judge)
    result.citation_precision = citation_precision(sentences, judge)
    result.faithfulness = faithfulness([s.text for s in sentences], seen.context, judge)
    result.unsupported = [s.text for s in sentences if not judge(s.text, seen.context)]


def _score_sources(result: QuestionResult, question: Question, answer: Answer, seen: Observation) -> None:
    """Whether the answer cites the gold evidence, and (where both have pages) the gold page."""
    if question.evidence:
        result.evidence_cited = evidence_cited(question.evidence, list(seen.cited.values()))
    pages = [cited_pages(c) for c in answer.citations]
    result.cited_page_match = cited_page_match(question.gold_pages, pages)
    result.cited_pages = [f"[{c.n}] {p.document} p.{p.page}" + (f"-{p.page_end}" if p.page_end else "")
                          for c, p in zip(answer.citations, pages, strict=True) if p.page is not None]


def cited_pages(citation: Citation) -> CitedPages:
    """A citation's document (by file name, as the gold sets name documents) and pages."""
    return CitedPages(Path(citation.source).name, citation.page, citation.page_end)


def answer_sentences(answer: Answer, cited: dict[int, str]) -> list[CitedSentence]:
    """The answer's own sentences and citations; parsed from the markdown if it gives none."""
    if answer.sentences:
        pairs = [(s.text, s.citations) for s in answer.sentences]
    else:
        text = answer.answer_markdown
        pairs = [_split_markers(text[s:e]) for s, e in sentence_spans(text)]
    return [CitedSentence(text, [cited.get(n) for n in ns]) for text, ns in pairs if text.strip()]


def _split_markers(sentence: str) -> tuple[str, list[int]]:
    return strip_markers(sentence).strip(), marker_numbers(sentence)
