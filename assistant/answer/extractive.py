"""The default answerer: verbatim sentences from the library, attributed and cited.

Grounded by construction: every sentence of the answer is a span of a document, quoted as it
stands and cited with its offsets; only the short attribution in front of it is ours.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.answer.answerability import judge
from assistant.answer.citations import attribution, make_citation, refusal, to_passage
from assistant.answer.question import Question, read_question
from assistant.answer.replies import favour, reply_candidates
from assistant.answer.scoring import Candidate, UnitScorer, candidates
from assistant.answer.selection import select
from assistant.common.markers import unmarked
from assistant.common.prompts import templates
from assistant.common.text import Span, sentence_spans
from assistant.config import Settings
from assistant.index.library import Library
from assistant.ingest.instructions import addressed_to_ai, overlaps
from assistant.models import Answer, AnswerSentence, AnswerUnit, Citation, DocumentMeta
from assistant.retrieve import ScoredChunk

# A real sentence must score at least this share of the best match, set-aside sentences included, to
# lead an answer (as answerability's contenders must of the best candidate): else what matched the
# question is text addressed to an AI, and the answer refuses saying so.
_CONTENDER_SHARE = 0.85
_ONLY_SET_ASIDE = ("the only passages that match it are sentences in “{title}” addressed to an AI assistant; "
                   "they are instructions, not information, so they were set aside")
_ALSO_SET_ASIDE = ("A sentence in “{title}” addressed to an AI assistant also matched this question; it was "
                   "set aside, not quoted.")
_ABOUT_DOCUMENT = re.compile(r"\bwho (wrote|is the author of|authored|published)\b|\bwhen was (it|this|that|the)\b.*"
                             r"\b(written|published)\b|\bwho is (its|the) (author|publisher)\b", re.I)


class ExtractiveAnswerer:
    """Picks the sentences that answer the question, and decides when none do."""

    def __init__(self, library: Library, settings: Settings) -> None:
        self.library = library
        self.settings = settings
        self.scorer = UnitScorer(library.embedder)

    def answer(self, question: str, standalone: str, retrieved: list[ScoredChunk], qvec: np.ndarray) -> Answer:
        metas = self.library.metas()
        if _ABOUT_DOCUMENT.search(standalone) and retrieved:
            return self._about_document(question, standalone, retrieved[0], metas)
        asked = read_question(standalone)
        keywords = self.library.keywords()
        spans = [(s.chunk.doc_id, s.chunk.start, s.chunk.end) for s in retrieved]
        cands = candidates(retrieved, self.library.units_within(spans))
        replies = reply_candidates(standalone, cands, retrieved, self.library)
        self.scorer.score(asked, qvec, cands, keywords, metas)
        favour(cands, replies)
        cands.sort(key=lambda c: c.score, reverse=True)
        verdict = judge(asked, cands, retrieved, self.settings.refusal_threshold, metas,
                        self.library.catalog.document_text)
        aside = self._best_set_aside(asked, qvec, retrieved, metas)
        outmatched = aside is not None and aside.score >= self.settings.refusal_threshold and (
            verdict.lead is None or verdict.lead.score < aside.score * _CONTENDER_SHARE)
        if outmatched or not verdict.answerable or verdict.lead is None:
            reason = verdict.reason
            if aside is not None and outmatched:
                reason = _ONLY_SET_ASIDE.format(title=metas[aside.doc_id].title or aside.doc_id)
            return refusal(question, standalone, retrieved, metas, self.settings, reason)
        weights = keywords.weights(standalone, closed_forms=False)
        chosen = select(asked, cands, verdict.lead, self.settings.max_answer_sentences, weights)
        answer = self._compose(question, standalone, chosen, retrieved, metas)
        if aside is not None and aside.score > verdict.lead.score:
            answer.notice = _ALSO_SET_ASIDE.format(title=metas[aside.doc_id].title or aside.doc_id)
        return answer

    def _best_set_aside(
        self, question: Question, qvec: np.ndarray, retrieved: list[ScoredChunk], metas: dict[str, DocumentMeta],
    ) -> Candidate | None:
        """The best-scoring retrieved sentence addressed to an AI, if any: never quoted, but it
        says why an answer is refused or what was left out."""
        seen: set[tuple[str, int]] = set()
        aside: list[Candidate] = []
        for rank, scored in enumerate(retrieved):
            chunk = scored.chunk
            for start, end in chunk.set_aside:
                if (chunk.doc_id, start) in seen or not (chunk.start <= start < chunk.end):
                    continue
                seen.add((chunk.doc_id, start))
                text = chunk.text[start - chunk.start : end - chunk.start]
                unit = AnswerUnit(unit_id=f"{chunk.doc_id}:set-aside:{start}", doc_id=chunk.doc_id, text=text,
                                  start=start, end=start + len(text), position=-1, section=chunk.section,
                                  speaker=chunk.speaker, heading=chunk.heading)
                aside.append(Candidate(unit, np.zeros(0, dtype=np.float32), scored, rank))
        if not aside:
            return None
        for cand, vector in zip(aside, self.library.embedder.embed([c.text for c in aside]), strict=True):
            cand.vector = vector  # embedded now: such sentences have no stored vector, being no unit
        self.scorer.score(question, qvec, aside, self.library.keywords(), metas)
        return max(aside, key=lambda c: c.score)

    def _compose(
        self, question: str, standalone: str, chosen: list[Candidate], retrieved: list[ScoredChunk],
        metas: dict[str, DocumentMeta],
    ) -> Answer:
        """Group sentences by document (in order of their best sentence), merge adjacent ones,
        and write one attributed paragraph per group."""
        groups: dict[tuple[str, str, str], list[Candidate]] = {}
        for cand in chosen:
            key = (cand.doc_id, cand.chunk.chunk.section, cand.chunk.chunk.speaker)
            groups.setdefault(key, []).append(cand)
        words = templates(self.settings.prompts_dir, "extractive.toml")
        paragraphs: list[str] = []
        citations: list[Citation] = []
        sentences: list[AnswerSentence] = []
        text_cache: dict[str, str] = {}
        hidden = {d: [(s, e) for s, e, _ in marks] for d, marks in self.library.catalog.set_aside(
            {c.doc_id for c in chosen}).items()}
        for (doc_id, section, speaker), group in groups.items():
            meta = metas[doc_id]
            doc_text = text_cache.setdefault(doc_id, self.library.catalog.document_text(doc_id))
            quotes: list[str] = []
            lead_first = sorted(_spans(group, doc_text, hidden.get(doc_id, [])),
                                key=lambda p: (p[1] is not chosen[0], p[0]))
            for start, end, members in _merge_adjacent(lead_first, doc_text):
                n = len(citations) + 1
                citations.append(make_citation(n, meta, members[0].chunk, start, end, doc_text,
                                               max(c.score for c in members)))
                quotes.append(f"“{unmarked(doc_text[start:end])}” [{n}]")
                sentences.append(AnswerSentence(text=doc_text[start:end], citations=[n]))
            paragraphs.append(f"{attribution(meta, section, speaker, words)} {' … '.join(quotes)}")
        return Answer(
            question=question, standalone_question=standalone, answer_markdown="\n\n".join(paragraphs),
            refused=False, citations=citations, sentences=sentences,
            related=[to_passage(s, metas[s.chunk.doc_id]) for s in retrieved[:3]],
        )

    def _about_document(
        self, question: str, standalone: str, top: ScoredChunk, metas: dict[str, DocumentMeta]
    ) -> Answer:
        """'Who wrote it?': answered from the catalogue, citing where the text names the author."""
        meta = metas[top.chunk.doc_id]
        words = templates(self.settings.prompts_dir, "extractive.toml")
        doc_text = self.library.catalog.document_text(meta.doc_id)
        sentence = words["about_document"].format(
            title=meta.title, author=meta.author_line or "an unnamed author",
            role_clause=f", {meta.author_role}" if meta.author_role else "",
            publisher_clause=f", published by {meta.publisher}" if meta.publisher else "",
            year=meta.year or words["unknown_year"],
        )
        start, end = _byline_span(doc_text, meta)
        citation = make_citation(1, meta, top, start, end, doc_text, top.score)
        return Answer(
            question=question, standalone_question=standalone, answer_markdown=f"{sentence} [1]",
            refused=False, citations=[citation], sentences=[AnswerSentence(text=sentence, citations=[1])],
        )


def _spans(
    group: list[Candidate], doc_text: str, hidden: list[tuple[int, int]],
) -> list[tuple[tuple[int, int], Candidate]]:
    """What to quote of each unit: a list item after its lead-in, a table row after its header,
    a sentence with the neighbour it leans on."""
    spans: list[tuple[tuple[int, int], Candidate]] = []
    for cand in group:
        unit = cand.unit
        if unit.lead_start is not None and unit.lead_end is not None:
            spans.append(((unit.lead_start, unit.lead_end), cand))
        if unit.kind == "sentence":
            spans.append((_with_context(unit.start, unit.end, doc_text, hidden), cand))
        else:
            spans.append(((unit.start, unit.end), cand))
    return spans


def _merge_adjacent(
    group: list[tuple[tuple[int, int], Candidate]], doc_text: str
) -> list[tuple[int, int, list[Candidate]]]:
    """Spans that overlap or are separated only by spaces become one quote; a span inside one
    already quoted is not quoted again."""
    merged: list[tuple[int, int, list[Candidate]]] = []
    for (start, end), cand in group:
        within = next((i for i, (first, last, _) in enumerate(merged) if first <= start and end <= last), None)
        if within is not None:  # already quoted, as a neighbour of a unit before it
            merged[within][2].append(cand)
            continue
        if merged and merged[-1][0] <= start and (
            start <= merged[-1][1] or not doc_text[merged[-1][1] : start].strip(" \t\u00a0")
        ):
            first, last, members = merged[-1]
            merged[-1] = (first, max(last, end), [*members, cand])
        else:
            merged.append((start, end, [cand]))
    return merged


_CONTINUES = re.compile(r"^(This|These|That|Those|It|Its|They|Such|Including|And|But|Both|Another|One|"
                        r"The (most|first|second|third|other|latter|former|last)|He|She)\b"
                        r"|^\w+ (\w+ )?(expect|want|include|mean|require|list|set out)s? (these|this|them|those)\b")
_POINTS_BACK = re.compile(r"^(This|These|That|Those|It|They|He|She|His|Her|Their|Such|But|And|Indeed)\b")


def _with_context(start: int, end: int, doc_text: str, hidden: list[tuple[int, int]]) -> tuple[int, int]:
    """A sentence plus the neighbour it leans on, within its paragraph: the next sentence when
    that one continues it ("The most radical is..."), the previous one when it points back;
    never a neighbour that is addressed to an AI (`hidden`, or reading as such)."""
    para_start = doc_text.rfind("\n", 0, start) + 1
    para_end = doc_text.find("\n", end)
    para_end = len(doc_text) if para_end < 0 else para_end
    spans = sentence_spans(doc_text, para_start, para_end)
    index = next((i for i, s in enumerate(spans) if s.start <= start < s.end), None)
    if index is None:
        return start, end

    def usable(span: Span) -> bool:
        return not overlaps(span.start, span.end, hidden) and addressed_to_ai(doc_text[span.start : span.end]) is None

    if index + 1 < len(spans) and _CONTINUES.match(doc_text[spans[index + 1].start :]) and usable(spans[index + 1]):
        end = max(end, spans[index + 1].end)
    if index > 0 and _POINTS_BACK.match(doc_text[start:]) and usable(spans[index - 1]):
        start = min(start, spans[index - 1].start)
    return start, end


def _byline_span(doc_text: str, meta: DocumentMeta) -> tuple[int, int]:
    """The line naming the author, else the document's first line (never a line addressed to an AI)."""
    for author in meta.authors:
        for match in re.finditer(re.escape(author), doc_text):
            line_start = doc_text.rfind("\n", 0, match.start()) + 1
            line_end = doc_text.find("\n", match.end())
            line = doc_text[line_start : line_end if line_end >= 0 else len(doc_text)]
            if len(line) < 200 and addressed_to_ai(line) is None:
                return line_start, line_start + len(line.rstrip())
    for first in re.finditer(r"\S[^\n]*", doc_text):
        if addressed_to_ai(first.group()) is None:
            return first.start(), first.end()
    return 0, 0
