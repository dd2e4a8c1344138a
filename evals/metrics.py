"""The metrics, one function each; a function's docstring is the metric's definition.

The report prints the first paragraph of these docstrings under "Definitions", so what is
computed and what is written down cannot drift apart. Functions here score one question (or
one list of numbers); results.py averages them over questions.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.common.markers import marker_numbers
from assistant.common.text import normalise, sentence_spans
from assistant.ingest.markdown_reader import read_markdown
from assistant.ingest.reading import reading_form

# A support judgement: is `sentence` supported by these passages (taken together)?
Judge = Callable[[str, list[str]], bool]

RECALL_KS = (1, 3, 5, 10)


def squash(text: str) -> str:
    """The form gold evidence is matched in, as the gold sets were checked: NFKC (ligatures
    undone), quotes and dashes straightened, runs of any whitespace (incl. NBSP) one space."""
    return normalise(unicodedata.normalize("NFKC", text))


def evidence_forms(evidence: str) -> tuple[str, ...]:
    """Gold evidence in the forms it is looked for in reading text. Copied from raw extracted
    text, it is read as the reading text reads it (lines unwrapped, line-end hyphens and words
    broken by extraction repaired: `reading_form`), then squashed as above; evidence copied from a
    Markdown file is also read as the Markdown reader renders it (no emphasis, escapes or
    bullets), since that is what the reading text of such a file holds."""
    forms = [evidence_form(evidence)]
    if _MARKDOWN_SYNTAX.search(evidence):
        forms.append(evidence_form(read_markdown(evidence).text))
    return tuple(dict.fromkeys(f for f in forms if f))


def evidence_form(evidence: str) -> str:
    """Gold evidence as the reading text reads raw extracted text (see `evidence_forms`)."""
    return squash(reading_form(_LOST_LINE_BREAK.sub("\n", evidence)))


def holds_evidence(forms: Sequence[str], text: str) -> bool:
    """Whether squashed `text` contains gold evidence in any of its forms (`evidence_forms`)."""
    return any(f in text for f in forms)


# "data- driven": a gold string whose line break was collapsed to a space after a hyphen.
_LOST_LINE_BREAK = re.compile(r"(?<=[A-Za-z][-\u2010\u2011]) (?=[a-z])")
# Emphasis, an escape or a bullet: evidence that may have been copied from a Markdown file's source.
_MARKDOWN_SYNTAX = re.compile(r"[*_]{1,2}\S|\\[^\w\s]|^\s*[•#>]|^\s*[-+*]\s", re.M)


def first_hit_rank(evidence: Sequence[str], ranked: Sequence[str]) -> int | None:
    """1-based rank of the first ranked chunk containing any evidence string; None if none does."""
    wanted = [evidence_forms(e) for e in evidence if e.strip()]
    for rank, chunk in enumerate(ranked, start=1):
        text = squash(chunk)
        if any(holds_evidence(e, text) for e in wanted):
            return rank
    return None


def recall_at_k(evidence: Sequence[str], ranked: Sequence[str], k: int) -> float:
    """Retrieval recall@k: the share of a question's gold evidence strings found in the top k
    retrieved chunks, where a string counts as found when one chunk contains it after both are
    normalised (NFKC, quotes and dashes straightened, whitespace incl. NBSP collapsed); averaged
    over answerable questions that have evidence.

    One ranked list per question (the retriever asked for 10) is cut at k = 1, 3, 5, 10, so
    recall@k never falls as k grows. Evidence split across two chunks is not found: the
    answerer needs it in one passage.
    """
    wanted = [evidence_forms(e) for e in evidence if e.strip()]
    if not wanted:
        return 0.0
    top = [squash(c) for c in ranked[:k]]
    return sum(any(holds_evidence(e, c) for c in top) for e in wanted) / len(wanted)


def reciprocal_rank(evidence: Sequence[str], ranked: Sequence[str]) -> float:
    """MRR: 1 / the rank of the first retrieved chunk that contains any gold evidence string
    (0 when none of the top 10 does), averaged over answerable questions with evidence."""
    rank = first_hit_rank(evidence, ranked)
    return 1.0 / rank if rank else 0.0


def key_fact_coverage(key_facts: Sequence[str], answer: str) -> float:
    """Key-fact coverage: the share of a question's key facts that appear in the answer text,
    case-insensitively (quotes, dashes and whitespace straightened first, so "Architects'" in
    the gold set matches "Architects’" in a document); averaged over answerable questions. A
    refusal covers nothing."""
    facts = [f for f in key_facts if f.strip()]
    if not facts:
        return 0.0
    text = normalise(answer).casefold()
    return sum(normalise(f).casefold() in text for f in facts) / len(facts)


def evidence_cited(evidence: Sequence[str], cited: Sequence[str]) -> float:
    """Evidence cited: the share of a question's gold evidence strings found (normalised as for
    recall) in the passages its answer cites (each citation's surrounding chunk), averaged over
    answered answerable questions with evidence: does the answer point the officer at the text
    that holds the answer? (Evidence in the retrieved text is Recall@k.)"""
    wanted = [evidence_forms(e) for e in evidence if e.strip()]
    if not wanted:
        return 0.0
    passages = [squash(c) for c in cited]
    return sum(any(holds_evidence(e, p) for p in passages) for e in wanted) / len(wanted)


_BREAKS_OFF = re.compile(r"(?:[,(/–-]|\b(?:a|an|and|as|at|by|for|from|in|of|on|or|that|the|to|which|with))$", re.I)
_ENDS = re.compile(r"[.!?:;…]['’”)\]]*$")


def whole_quotes(quotes: Sequence[tuple[str, int, int]], document_text: Callable[[str], str]) -> float:
    """Whole quotes: the share of an answer's quotes that are whole sentences, list items or
    table rows of the reading text, never a line fragment: each starts where a sentence (or a
    line of the reading text, one block a line) starts and ends where one ends, and a quote
    ending its line without a full stop does not break off (on a comma, a dash, or a word such
    as 'the', 'and', 'of') unless it is a whole item of a list; averaged over answered questions
    with quotes."""
    if not quotes:
        return 0.0
    return sum(_whole(document_text(doc_id), start, end) for doc_id, start, end in quotes) / len(quotes)


def _whole(text: str, start: int, end: int) -> bool:
    first = text.rfind("\n", 0, start) + 1  # the quote's first line, and its last
    first_end = text.find("\n", start)
    first_end = len(text) if first_end < 0 else first_end
    last = text.rfind("\n", 0, end) + 1
    stop = text.find("\n", end)
    stop = len(text) if stop < 0 else stop
    starts = {first} | {s.start for s in sentence_spans(text, first, first_end)}
    ends = {stop} | {s.end for s in sentence_spans(text, last, stop)}
    quote = text[start:end].rstrip()
    if start not in starts or end not in ends:
        return False
    # A whole item of a list (set tight under the item before it, or right under its lead-in)
    # may end on a comma or 'and': "vacancies and recruitment challenges, and".
    listed = start == first and end == stop and first >= 1 and (
        text[first - 2 : first] != "\n\n" or text[:first].rstrip().endswith(":"))
    return listed or bool(_ENDS.search(quote)) or not _BREAKS_OFF.search(quote)


@dataclass(frozen=True)
class CitedPages:
    """Where one citation points: the document's file name and its pages (None: no page known)."""

    document: str
    page: int | None
    page_end: int | None

    @property
    def pages(self) -> range:
        first = self.page or 0
        return range(first, max(self.page_end or first, first) + 1) if self.page else range(0)


def cited_page_match(gold_pages: Mapping[str, Collection[int]], cited: Sequence[CitedPages]) -> float | None:
    """Cited page match: for sets whose gold evidence gives its page (dev_pdf), the share of
    answered answerable questions where a citation of a gold document spans (page to page_end) a
    page that document's evidence is on. Questions whose citations carry no page are not counted,
    so the figure is n/a until citations carry pages."""
    paged = [c for c in cited if c.page is not None]
    if not gold_pages or not paged:
        return None
    return float(any(set(c.pages) & set(gold_pages.get(c.document, ())) for c in paged))


@dataclass(frozen=True)
class RefusalScores:
    precision: float | None
    recall: float | None
    f1: float | None


def refusal_scores(outcomes: Sequence[tuple[bool, bool]]) -> RefusalScores:
    """Refusal precision / recall / F1, with unanswerable questions as the positives: precision
    is the share of refusals that were on unanswerable questions, recall the share of
    unanswerable questions refused, F1 their harmonic mean (2TP / (2TP + FP + FN), so 0 for a
    system that never refuses). Undefined (n/a) when there is nothing to divide by. `outcomes`
    holds (unanswerable, refused) per question."""
    tp = sum(u and r for u, r in outcomes)
    fp = sum(r and not u for u, r in outcomes)
    fn = sum(u and not r for u, r in outcomes)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None  # = harmonic mean; 0 for a never-refuser
    return RefusalScores(precision, recall, f1)


def citation_problems(
    markdown: str, quotes: dict[int, tuple[str, int, int, str]], document_text: Callable[[str], str]
) -> list[str]:
    """Citation validity: an answer's citations are valid when every [n] marker in its text
    resolves to a citation numbered n, it has at least one citation, and each citation's quote
    is exactly document_text(doc_id)[start:end]; reported as the share of (non-refused) answers
    with no problem. `quotes` maps n to (doc_id, start, end, quote)."""
    problems: list[str] = []
    if not quotes:
        problems.append("the answer cites nothing")
    for n in sorted(set(marker_numbers(markdown)) - set(quotes)):
        problems.append(f"[{n}] has no citation")
    for n, (doc_id, start, end, quote) in sorted(quotes.items()):
        try:
            actual = document_text(doc_id)[start:end]
        except KeyError:
            problems.append(f"[{n}] cites unknown document {doc_id}")
            continue
        if actual != quote:
            problems.append(f"[{n}] quote differs from {doc_id}[{start}:{end}]")
    return problems


@dataclass(frozen=True)
class CitedSentence:
    """An answer sentence and the passages its citations point to (None: a dangling citation)."""

    text: str
    passages: list[str | None]


def citation_recall(sentences: Sequence[CitedSentence], judge: Judge) -> float:
    """Citation recall (ALCE, Gao et al. 2023): the share of answer sentences that are supported
    by the concatenation of the passages they cite, as judged by the grounding checker; a
    sentence with no citation, or a dangling one, counts as unsupported. Averaged over answers."""
    if not sentences:
        return 0.0
    return sum(_jointly_supported(s, judge) for s in sentences) / len(sentences)


def citation_precision(sentences: Sequence[CitedSentence], judge: Judge) -> float:
    """Citation precision (ALCE): the share of citations that are relevant. A citation of a
    sentence is relevant when its sentence is supported by all its citations together and the
    citation either supports the sentence on its own or is needed (the other citations without
    it do not support the sentence). 0 for an answer without citations. Averaged over answers."""
    total = sum(len(s.passages) for s in sentences)
    if not total:
        return 0.0
    relevant = 0
    for sentence in sentences:
        if not _jointly_supported(sentence, judge):
            continue
        passages = [p for p in sentence.passages if p is not None]
        for i, passage in enumerate(passages):
            others = passages[:i] + passages[i + 1 :]
            alone = len(passages) == 1 or judge(sentence.text, [passage])
            relevant += alone or not (others and judge(sentence.text, others))
    return relevant / total


def faithfulness(sentences: Sequence[str], context: Sequence[str], judge: Judge) -> float:
    """Faithfulness (as in ragas): the share of answer sentences supported by the retrieved
    context the answerer was given (all of it, cited or not), as judged by the grounding
    checker. Averaged over answers that were not refusals."""
    if not sentences:
        return 0.0
    return sum(judge(s, list(context)) for s in sentences) / len(sentences)


def raw_faithfulness(sentences: Sequence[str], context: Sequence[str], judge: Judge) -> float:
    """Raw faithfulness (llm mode only): faithfulness, as above, of the model's own answer before
    the grounding guard dropped, repaired or replaced anything; n/a for extractive answers. Set
    beside faithfulness it shows what the guard saves an officer from."""
    return faithfulness(sentences, context, judge)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Latency p50 / p95: the 50th and 95th percentiles (linear interpolation) of wall-clock
    time per question, from the question going in to the answer coming out; retrieval for the
    recall figures and the grounding checks are not counted."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else None


def _jointly_supported(sentence: CitedSentence, judge: Judge) -> bool:
    if not sentence.passages or any(p is None for p in sentence.passages):
        return False
    return judge(sentence.text, [p for p in sentence.passages if p is not None])


@dataclass(frozen=True)
class Metric:
    """A figure of the report: its key on Figures, a label, and the function defining it."""

    key: str
    label: str
    defined_by: Callable[..., object]
    unit: Literal["share", "ms"] = "share"
    higher_is_better: bool = True
    tolerance: float = 1e-9  # changes smaller than this (relative for ms) are 'unchanged'

    @property
    def definition(self) -> str:
        doc = inspect.getdoc(self.defined_by) or ""
        return " ".join(doc.split("\n\n")[0].split())

    def format(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value:,.0f} ms" if self.unit == "ms" else f"{value:.3f}"


METRICS: tuple[Metric, ...] = (
    *(Metric(f"recall_at_{k}", f"Recall@{k}", recall_at_k) for k in RECALL_KS),
    Metric("mrr", "MRR", reciprocal_rank),
    Metric("key_fact_coverage", "Key-fact coverage", key_fact_coverage),
    Metric("refusal_precision", "Refusal precision", refusal_scores),
    Metric("refusal_recall", "Refusal recall", refusal_scores),
    Metric("refusal_f1", "Refusal F1", refusal_scores),
    Metric("citation_validity", "Citation validity", citation_problems),
    Metric("evidence_cited", "Evidence cited", evidence_cited),
    Metric("cited_page_match", "Cited page match", cited_page_match),
    Metric("whole_quotes", "Whole quotes", whole_quotes),
    Metric("citation_recall", "Citation recall (ALCE)", citation_recall),
    Metric("citation_precision", "Citation precision (ALCE)", citation_precision),
    Metric("faithfulness", "Faithfulness", faithfulness),
    Metric("raw_faithfulness", "Faithfulness, raw model output", raw_faithfulness),
    Metric("latency_p50_ms", "Latency p50", percentile, "ms", False, 0.25),
    Metric("latency_p95_ms", "Latency p95", percentile, "ms", False, 0.25),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}


def definitions() -> dict[str, str]:
    """Each defining function's first docstring paragraph, once, keyed by the metrics it defines."""
    grouped: dict[Callable[..., object], list[str]] = {}
    for metric in METRICS:
        grouped.setdefault(metric.defined_by, []).append(metric.label)
    return {", ".join(labels): METRIC_BY_KEY[_key_of(fn)].definition for fn, labels in grouped.items()}


def _key_of(fn: Callable[..., object]) -> str:
    return next(m.key for m in METRICS if m.defined_by is fn)
