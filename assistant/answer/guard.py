"""The runtime grounding guard: a generated answer is shown only as far as the sources bear it out.

A model, however good, can invent a figure, cite the wrong source or cite one that does not
exist. So every generated answer is split into sentences and each is checked, by the offline
GroundingChecker, against the passages it cites. A citation to a source that does not exist is
removed; a sentence whose citation is wrong or missing is re-attributed to the source that does
support it, if any; what no source supports is dropped or visibly marked. When too little
survives, the user gets the extractive answer instead, with a notice saying so.

Citations of the final answer quote the best-matching sentences of the cited passage verbatim,
so `document_text[start:end] == quote` holds on this path as on the extractive one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz

from assistant.answer.citations import make_citation, refusal, to_passage
from assistant.common.prompts import templates
from assistant.common.text import Span, content_stems, normalise, sentence_spans
from assistant.config import Settings
from assistant.grounding import Support
from assistant.grounding.claims import Draft, SentenceKind, asked, kind, parse
from assistant.ingest.instructions import is_set_aside
from assistant.models import Answer, AnswerSentence, Citation, DocumentMeta
from assistant.retrieve import ScoredChunk

# A passage sentence must match an answer sentence at least this well (0..100) to be quoted for it.
_MIN_QUOTE_MATCH = 30.0


class Checker(Protocol):
    """What the guard needs of assistant.grounding.GroundingChecker (which may be swapped)."""

    def check(self, sentence: str, passages: list[str], question: str = "") -> Support: ...


@dataclass
class Source:
    """One numbered passage as the model was shown it: `[n]` in the prompt and the answer."""

    n: int
    scored: ScoredChunk
    meta: DocumentMeta
    text: str
    withheld: list[Span] = field(default_factory=list)


def make_source(n: int, scored: ScoredChunk, meta: DocumentMeta, placeholder: str) -> Source:
    """The passage with any sentence addressed to an AI assistant replaced by a placeholder:
    document text is data, and an instruction in it is neither shown to the model nor able to
    support a sentence of the answer."""
    chunk = scored.chunk
    withheld = [s for s in sentence_spans(chunk.text)
                if is_set_aside(chunk, chunk.start + s.start, chunk.start + s.end)]
    text = chunk.text
    for span in reversed(withheld):
        text = text[: span.start] + placeholder + text[span.end :]
    absolute = [Span(chunk.start + s.start, chunk.start + s.end) for s in withheld]
    return Source(n=n, scored=scored, meta=meta, text=text, withheld=absolute)


@dataclass
class SentenceVerdict:
    """What the guard decided about one draft sentence."""

    draft: Draft
    sources: list[int]
    supported: bool
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    kind: SentenceKind = "claim"
    unsupported: list[str] = field(default_factory=list)  # the words no source bears out

    @property
    def claim(self) -> bool:
        return self.kind == "claim"


class Guard:
    """Checks a generated answer sentence by sentence and builds the Answer the user sees."""

    def __init__(self, checker: Checker, settings: Settings, document_text: Callable[[str], str]) -> None:
        self.checker = checker
        self.settings = settings
        self.document_text = document_text
        self.words = templates(settings.prompts_dir, "generative_guard.toml")

    def verify(self, draft: Draft, sources: Sequence[Source], question: str = "",
               context: Sequence[str] = ()) -> SentenceVerdict:
        """Support from the cited sources; else from the one source that supports it best. With
        `context` (every passage the answerer was given) a sentence is kept only if that whole
        context supports it too: the very judgement the evals' faithfulness makes, so a guarded
        answer scores 1.0 by construction."""
        valid = [n for n in draft.markers if 1 <= n <= len(sources)]
        reasons = [f"citation [{n}] does not exist; removed" for n in draft.markers if n not in valid]
        in_context = self.checker.check(draft.text, list(context), question) if context else None
        if in_context is not None and not in_context.supported:
            return SentenceVerdict(draft, valid, False, in_context.score, reasons + in_context.reasons,
                                   unsupported=in_context.unsupported)
        support = None
        if valid:
            support = self.checker.check(draft.text, [sources[n - 1].text for n in valid], question)
            if support.supported:
                return SentenceVerdict(draft, valid, True, support.score, reasons)
        best = self._best_source(draft.text, sources, exclude=set(valid), question=question)
        if best is not None:
            n, found = best
            was = "".join(f"[{m}]" for m in valid)
            reasons.append(f"cited {was}, but [{n}] supports it: corrected" if valid
                           else f"uncited; [{n}] supports it: citation added")
            return SentenceVerdict(draft, [n], True, found.score, reasons)
        reasons.extend(support.reasons if support else ["no citation, and no source supports it"])
        return SentenceVerdict(draft, valid, False, support.score if support else 0.0, reasons,
                               unsupported=support.unsupported if support else [])

    def _best_source(
        self, text: str, sources: Sequence[Source], exclude: set[int], question: str = ""
    ) -> tuple[int, Support] | None:
        found = [(s.n, self.checker.check(text, [s.text], question)) for s in sources if s.n not in exclude]
        supported = [f for f in found if f[1].supported]
        return max(supported, key=lambda f: f[1].score) if supported else None

    def answer(
        self, question: str, standalone: str, raw: str, sources: Sequence[Source],
        retrieved: list[ScoredChunk], metas: dict[str, DocumentMeta], fallback: Callable[[], Answer],
    ) -> Answer:
        """The guarded Answer for the model's raw text (or the fallback, with a notice). Framing
        ("Here is a summary:") is left out; refusals and the question restated are shown but not
        checked; every claim is checked against its sources and the whole retrieved context."""
        question_asked = asked(question, standalone)
        context = [r.chunk.text for r in retrieved]
        drafts = [(d, kind(d.text, question_asked, cited=bool(d.markers))) for d in parse(raw)]
        drafts = [(d, k) for d, k in drafts if k not in ("fragment", "question", "framing")]
        claims = [d for d, k in drafts if k == "claim"]
        if not claims:
            if drafts:  # the model said the sources do not answer
                answer = refusal(question, standalone, retrieved, metas, self.settings)
                return answer.model_copy(update={"mode": "llm", "raw_answer": raw})
            return self._fall_back(fallback, raw, 0, 0)
        verdicts = [self.verify(d, sources, question_asked, context) if k == "claim" else SentenceVerdict(
            d, [], False, 0.0, [f"not a claim to check ({k.replace('_', ' ')})"], kind=k) for d, k in drafts]
        supported = sum(v.supported for v in verdicts)
        if supported == 0 or supported / len(claims) < self.settings.guard_min_supported:
            return self._fall_back(fallback, raw, supported, len(claims))
        answer = self._compose(verdicts, sources)
        return answer.model_copy(update={
            "question": question, "standalone_question": standalone, "raw_answer": raw,
            "related": [to_passage(r, metas[r.chunk.doc_id]) for r in retrieved[:3]],
        })

    def _fall_back(self, fallback: Callable[[], Answer], raw: str, supported: int, total: int) -> Answer:
        answer = fallback()
        notice = self.words["fallback"].format(supported=supported, total=total)
        return answer.model_copy(update={
            "notice": " ".join(p for p in (notice, answer.notice) if p), "raw_answer": raw,
            "mode": "extractive",
        })

    def _compose(self, verdicts: list[SentenceVerdict], sources: Sequence[Source]) -> Answer:
        """Supported sentences with fresh citation numbers; unsupported ones dropped or marked."""
        mark = self.settings.unsupported_sentences == "mark"
        citations: list[Citation] = []
        shown: list[tuple[SentenceVerdict, AnswerSentence]] = []
        for verdict in verdicts:
            if verdict.claim and not verdict.supported and not mark:
                continue
            numbers = [self._cite(verdict.draft.text, sources[n - 1], citations)
                       for n in verdict.sources] if verdict.supported else []
            text = verdict.draft.text
            if verdict.claim and not verdict.supported:
                text = self._marked(text, verdict.unsupported) + self.words["unverified_mark"]
            shown.append((verdict, AnswerSentence(text=text, citations=numbers, verified=verdict.supported,
                                                  reason="; ".join(verdict.reasons),
                                                  unsupported=verdict.unsupported)))
        dropped = sum(1 for v in verdicts if v.claim and not v.supported) if not mark else 0
        marked = sum(1 for v, _ in shown if v.claim and not v.supported)
        notices = ([self.words["dropped"].format(dropped=dropped)] if dropped else []) + \
                  ([self.words["marked"].format(marked=marked)] if marked else [])
        return Answer(
            question="", standalone_question="", answer_markdown=_render(shown), refused=False,
            citations=citations, sentences=[s for _, s in shown], mode="llm", notice=" ".join(notices),
        )

    def _marked(self, text: str, unsupported: list[str]) -> str:
        """The sentence with the words no source bears out marked (the unverified mark after it
        flags the sentence as a whole)."""
        spans: list[list[int]] = []
        for start, end in sorted((at, at + len(w)) for w in unsupported if w and (at := text.find(w)) >= 0):
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        for start, end in reversed(spans):
            text = text[:start] + self.words["unsupported_words"].format(words=text[start:end]) + text[end:]
        return text

    def _cite(self, sentence: str, source: Source, citations: list[Citation]) -> int:
        """The number of a citation quoting the passage sentences that best match `sentence`
        (added to `citations` unless the same span is already cited)."""
        doc_text = self.document_text(source.meta.doc_id)
        start, end = quote_span(sentence, source, doc_text)
        for c in citations:
            if (c.doc_id, c.start, c.end) == (source.meta.doc_id, start, end):
                return c.n
        n = len(citations) + 1
        citations.append(make_citation(n, source.meta, source.scored, start, end, doc_text,
                                       source.scored.score))
        return n


def quote_span(sentence: str, source: Source, doc_text: str) -> tuple[int, int]:
    """The one or two adjacent sentences of the passage that best match the answer sentence;
    the whole passage when none matches well. Withheld sentences are never quoted."""
    chunk = source.scored.chunk
    spans = [s for s in sentence_spans(doc_text, chunk.start, chunk.end)
             if not any(s.start < w.end and w.start < s.end for w in source.withheld)]
    if not spans:
        return chunk.start, chunk.end
    target = normalise(sentence)
    scores = [_match(target, normalise(doc_text[s.start : s.end])) for s in spans]
    best = max(range(len(spans)), key=scores.__getitem__)
    if scores[best] < _MIN_QUOTE_MATCH:
        return chunk.start, chunk.end
    start, end = spans[best]
    missing = set(content_stems(sentence)) - set(content_stems(doc_text[start:end]))
    for i in (best - 1, best + 1):  # a neighbour that supplies what the best sentence lacks
        if not 0 <= i < len(spans) or scores[i] < _MIN_QUOTE_MATCH:
            continue
        if missing & set(content_stems(doc_text[spans[i].start : spans[i].end])):
            start, end = min(start, spans[i].start), max(end, spans[i].end)
            break
    return start, end


def _match(a: str, b: str) -> float:
    return float(fuzz.token_set_ratio(a, b)) * 0.5 + float(fuzz.partial_ratio(a, b)) * 0.5


def _render(shown: list[tuple[SentenceVerdict, AnswerSentence]]) -> str:
    """Kept sentences with their new citation numbers, one paragraph or bullet per model line."""
    lines: dict[int, list[str]] = {}
    for verdict, sentence in shown:
        markers = "".join(f"[{n}]" for n in sentence.citations)
        text = sentence.text
        if markers:
            stop = text[-1] if text[-1] in ".!?" else ""
            text = f"{text[: len(text) - len(stop)]} {markers}{stop}"
        bullet = verdict.draft.bullet
        lines.setdefault(verdict.draft.line, []).append(f"{bullet} {text}" if bullet else text)
    return "\n\n".join(" ".join(parts) for parts in lines.values())
