"""Score observations: one Observation and its gold Question in, one QuestionResult out.

The support judgements (citation recall/precision, faithfulness) come from the project's
GroundingChecker, reading answers as the guard does (assistant.grounding.claims): only claims
count, and the question the answerer saw (and its standalone rewrite) is part of what a sentence
may repeat. So a guarded answer and this judge agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.common.markers import marker_numbers, strip_markers
from assistant.common.text import sentence_spans
from assistant.grounding import GroundingChecker
from assistant.grounding.claims import asked, is_claim, parse
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
    whole_quotes,
)
from evals.results import QuestionResult
from evals.runner import Observation

# A support judgement that knows the question: (sentence, passages, what was asked) -> supported?
AskedJudge = Callable[[str, list[str], str], bool]


@dataclass
class Grounding:
    """The grounding checker as the evals use it: a cached yes/no judge, and which checker it is."""

    checker: GroundingChecker
    judge: AskedJudge
    status: str


def load_grounding(embedder: Embedder | None = None) -> Grounding:
    """The project's GroundingChecker (with the embedder, for paraphrases), its verdicts cached."""
    checker = GroundingChecker(embedder=embedder)

    @lru_cache(maxsize=50_000)
    def cached(sentence: str, passages: tuple[str, ...], question: str) -> bool:
        return checker.check(sentence, list(passages), question).supported

    def judge(sentence: str, passages: list[str], question: str = "") -> bool:
        return cached(sentence, tuple(passages), question)

    status = "GroundingChecker" + (f" with {embedder.name} similarity" if embedder else "")
    return Grounding(checker, judge, status)


def score(
    question: Question, seen: Observation, asked_judge: AskedJudge | None, document_text: Callable[[str], str]
) -> QuestionResult:
    """All per-question figures; answer figures are left None where they do not apply."""
    answer = seen.answer
    what = asked(answer.question or question.question, answer.standalone_question)
    judge = _bound(asked_judge, what) if asked_judge is not None else None
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
        _score_answer(result, answer, seen, judge, document_text, what)
        if question.answerable:
            _score_sources(result, question, answer, seen)
    if answer.raw_answer.strip() and judge is not None:
        raw = [d.text for d in parse(answer.raw_answer) if is_claim(d.text, what, cited=bool(d.markers))]
        result.raw_faithfulness = raw_faithfulness(raw, seen.context, judge) if raw else None
    return result


def _bound(asked_judge: AskedJudge, what: str) -> Judge:
    """The judge for one question's answer."""
    def judge(sentence: str, passages: list[str]) -> bool:
        return asked_judge(sentence, passages, what)
    return judge


def _score_answer(
    result: QuestionResult, answer: Answer, seen: Observation, judge: Judge | None,
    document_text: Callable[[str], str], what: str = "",
) -> None:
    quotes = {c.n: (c.doc_id, c.start, c.end, c.quote) for c in answer.citations}
    result.citation_problems = citation_problems(answer.answer_markdown, quotes, document_text)
    result.citation_valid = not result.citation_problems
    if answer.citations:
        result.whole_quotes = whole_quotes([(c.doc_id, c.start, c.end) for c in answer.citations], document_text)
    if judge is None:
        return
    sentences = [s for s in answer_sentences(answer, seen.cited)
                 if is_claim(s.text, what, cited=bool(s.passages))]
    if not sentences:  # nothing it says is a claim to check
        return
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
