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

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz

from assistant.answer.citations import make_citation, refusal, to_passage
from assistant.common.markers import leading_markers, marker_numbers, strip_markers
from assistant.common.prompts import templates
from assistant.common.text import Span, content_stems, normalise, sentence_spans, words
from assistant.config import Settings
from assistant.grounding import Support
from assistant.ingest.instructions import is_set_aside
from assistant.models import Answer, AnswerSentence, Citation, DocumentMeta
from assistant.retrieve import ScoredChunk

# [1], [1, 2], [1][2], [1-3], [Source 2]: what models write when asked to cite [n].
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_ECHO = re.compile(r"^\s*(?:(?:question|sources?|standalone question)\s*:|answer using only\b)", re.I)
_LABEL = re.compile(r"^\s*(?:\*\*)?(?:answer|response)\s*:\s*(?:\*\*)?\s*", re.I)
_NO_ANSWER = re.compile(
    r"\b(sources?|documents?|passages?|context|library)\b.{0,60}\b(do|does|did|can|could)\s*(not|n't)\b"
    r".{0,40}\b(answer|say|state|mention|contain|provide|include|cover|specify|address)"
    r"|\bnot enough information\b|\bno information (about|on)\b",
    re.I,
)
# A passage sentence must match an answer sentence at least this well (0..100) to be quoted for it.
_MIN_QUOTE_MATCH = 30.0


class Checker(Protocol):
    """What the guard needs of assistant.grounding.GroundingChecker (which may be swapped)."""

    def check(self, sentence: str, passages: list[str]) -> Support: ...


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
class Draft:
    """One sentence of the model's answer, its citation markers taken off."""

    text: str
    markers: list[int]
    line: int
    bullet: str = ""

    @property
    def no_answer(self) -> bool:
        return bool(_NO_ANSWER.search(self.text))

    @property
    def fragment(self) -> bool:
        """Not a claim: a heading or stray word ('Sources:'), a question, or the prompt echoed
        back ('Question: ...', 'Answer using only the sources above')."""
        return (not self.markers and len(words(self.text)) < 3) or self.text.rstrip().endswith("?") \
            or bool(_ECHO.match(self.text))


@dataclass
class SentenceVerdict:
    """What the guard decided about one draft sentence."""

    draft: Draft
    sources: list[int]
    supported: bool
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def parse(raw: str) -> list[Draft]:
    """Sentences of the model's text with their [n] markers; markers a sentence begins with
    belong to the sentence before (models write 'Foo. [1] Bar.')."""
    drafts: list[Draft] = []
    for line_no, line in enumerate(raw.splitlines()):
        line = _LABEL.sub("", line)
        bullet = _BULLET.match(line)
        body = line[bullet.end() :] if bullet else line
        for i, (start, end) in enumerate(sentence_spans(body)):
            piece = body[start:end]
            lead = leading_markers(piece)
            if lead and drafts and drafts[-1].line == line_no:
                drafts[-1].markers.extend(marker_numbers(lead.group()))
                piece = piece[lead.end() :]
            markers = marker_numbers(piece)
            text = strip_markers(piece).replace("**", "").strip()
            text = re.sub(r"\s+([.,;:!?])", r"\1", text)
            if not text.strip(" .,;:"):
                continue
            drafts.append(Draft(text=text, markers=markers, line=line_no,
                                bullet=bullet.group().strip() if bullet and i == 0 else ""))
    return drafts


class Guard:
    """Checks a generated answer sentence by sentence and builds the Answer the user sees."""

    def __init__(self, checker: Checker, settings: Settings, document_text: Callable[[str], str]) -> None:
        self.checker = checker
        self.settings = settings
        self.document_text = document_text
        self.words = templates(settings.prompts_dir, "generative_guard.toml")

    def verify(self, draft: Draft, sources: Sequence[Source]) -> SentenceVerdict:
        """Support from the cited sources; else from the one source that supports it best."""
        valid = [n for n in draft.markers if 1 <= n <= len(sources)]
        reasons = [f"citation [{n}] does not exist; removed" for n in draft.markers if n not in valid]
        support = None
        if valid:
            support = self.checker.check(draft.text, [sources[n - 1].text for n in valid])
            if support.supported:
                return SentenceVerdict(draft, valid, True, support.score, reasons)
        best = self._best_source(draft.text, sources, exclude=set(valid))
        if best is not None:
            n, found = best
            was = "".join(f"[{m}]" for m in valid)
            reasons.append(f"cited {was}, but [{n}] supports it: corrected" if valid
                           else f"uncited; [{n}] supports it: citation added")
            return SentenceVerdict(draft, [n], True, found.score, reasons)
        reasons.extend(support.reasons if support else ["no citation, and no source supports it"])
        return SentenceVerdict(draft, valid, False, support.score if support else 0.0, reasons)

    def _best_source(
        self, text: str, sources: Sequence[Source], exclude: set[int]
    ) -> tuple[int, Support] | None:
        found = [(s.n, self.checker.check(text, [s.text])) for s in sources if s.n not in exclude]
        supported = [f for f in found if f[1].supported]
        return max(supported, key=lambda f: f[1].score) if supported else None

    def answer(
        self, question: str, standalone: str, raw: str, sources: Sequence[Source],
        retrieved: list[ScoredChunk], metas: dict[str, DocumentMeta], fallback: Callable[[], Answer],
    ) -> Answer:
        """The guarded Answer for the model's raw text (or the fallback, with a notice)."""
        drafts = [d for d in parse(raw) if not d.fragment]
        claims = [d for d in drafts if not d.no_answer]
        if not claims:
            if drafts:  # the model said the sources do not answer
                answer = refusal(question, standalone, retrieved, metas, self.settings)
                return answer.model_copy(update={"mode": "llm", "raw_answer": raw})
            return self._fall_back(fallback, raw, 0, 0)
        verdicts = [self.verify(d, sources) if not d.no_answer else SentenceVerdict(d, [], False, 0.0, [
            "says what the sources do not cover; not a claim to check"]) for d in drafts]
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
            is_claim = not verdict.draft.no_answer
            if is_claim and not verdict.supported and not mark:
                continue
            numbers = [self._cite(verdict.draft.text, sources[n - 1], citations)
                       for n in verdict.sources] if verdict.supported else []
            flag = "" if verdict.supported or not is_claim else self.words["unverified_mark"]
            shown.append((verdict, AnswerSentence(text=verdict.draft.text + flag, citations=numbers,
                                                  verified=verdict.supported,
                                                  reason="; ".join(verdict.reasons))))
        dropped = sum(1 for v in verdicts if not v.supported and not v.draft.no_answer) if not mark else 0
        marked = sum(1 for v, _ in shown if not v.supported and not v.draft.no_answer)
        notices = ([self.words["dropped"].format(dropped=dropped)] if dropped else []) + \
                  ([self.words["marked"].format(marked=marked)] if marked else [])
        return Answer(
            question="", standalone_question="", answer_markdown=_render(shown), refused=False,
            citations=citations, sentences=[s for _, s in shown], mode="llm", notice=" ".join(notices),
        )

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
