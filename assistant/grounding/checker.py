"""Is a sentence supported by the passages it cites? Offline, without an LLM.

The checker reads a claim against the source sentences it restates (the region) and gathers
signals: is it a quote; how many of its content words the region (or the question) holds, and
how many no passage has at all; how close its meaning is (MiniLM cosine); and what it asserts
that the passages contradict or lack (numbers, dates and names, units, negations, direction
words: assistant.grounding.agreement). A calibrated model (assistant.grounding.verdict) turns
the signals into one probability that the sentence is supported, with a threshold chosen on
labelled data. The words at fault are reported, so an answer can mark them.

Fast enough to run on every generated sentence: passages are analysed once (cached by text) and
their sentence vectors are cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pydantic import BaseModel, Field

from assistant.common.markers import strip_markers
from assistant.common.text import STOPWORDS, content_stems, normalise, stem
from assistant.grounding.agreement import (
    Disagreement,
    direction_problems,
    fact_problems,
    negation_problems,
    opening_problem,
    shorten,
)
from assistant.grounding.alignment import Sources, SourceSentence, align, sources
from assistant.grounding.claims import Draft, SentenceKind, kind, lead_stripped, parse
from assistant.grounding.facts import facts, source_keys
from assistant.grounding.verdict import Signals, Verdict, load_verdict
from assistant.index.embedder import Embedder

_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|…)\s*")
_EDGE = ".,;:!?\"' "
_TOKEN = re.compile(r"[A-Za-z0-9£$€%]+(?:['’.,-][A-Za-z0-9]+)*")


class Support(BaseModel):
    """The checker's verdict on one sentence."""

    supported: bool
    score: float = Field(description="0..1, the calibrated probability that the passages support the sentence.")
    reasons: list[str] = Field(default_factory=list, description="Why not, in words a user can read.")
    unsupported: list[str] = Field(
        default_factory=list, description="The sentence's words the passages do not bear out (when not supported).")


@dataclass
class ClaimCheck:
    """One sentence of an answer, what sort of sentence it is, and (for a claim) the verdict."""

    draft: Draft
    kind: SentenceKind
    support: Support
    answer: str = ""

    @property
    def claim(self) -> bool:
        return self.kind == "claim"

    @property
    def start(self) -> int:
        return self.draft.start

    @property
    def end(self) -> int:
        return self.draft.end

    def unsupported_chars(self) -> set[int]:
        """Character offsets of the answer that the verdict marks unsupported (the whole sentence
        when it names no words)."""
        if self.support.supported:
            return set()
        piece = self.answer[self.start : self.end].lower()
        found: set[int] = set()
        for words in self.support.unsupported:
            at = piece.find(words.lower())
            if at >= 0:
                found |= set(range(self.start + at, self.start + at + len(words)))
        return found or set(range(self.start, self.end))


class GroundingChecker:
    """Offline support check: quotes, fact, negation and direction agreement, word coverage and
    MiniLM similarity against the best-aligned source sentences, combined by a calibrated model.

    Without an embedder the lexical model is used (no similarity signal): stricter on
    paraphrases, and as fast as it gets.
    """

    def __init__(self, embedder: Embedder | None = None, *, verdict: Verdict | None = None,
                 cache_size: int = 50_000) -> None:
        self.embedder = embedder
        self.verdict = verdict or load_verdict(semantic=embedder is not None)
        self.cache_size = cache_size
        self._vectors: dict[str, np.ndarray] = {}

    def check(self, sentence: str, passages: list[str], question: str = "") -> Support:
        """Verdict on one sentence against the passages it cites (all of them together); words
        of the question (and the conversation's standalone question) count as given."""
        claim = lead_stripped(clean(sentence))
        passages = [p for p in passages if p.strip()]
        if not passages:
            return Support(supported=False, score=0.0, reasons=["it cites no passage"], unsupported=[claim])
        if not claim or quoted(claim, passages):
            return Support(supported=True, score=1.0)
        signals, closest = self.signals(claim, passages, question)
        probability = self.verdict.supported_probability(signals)
        if probability >= self.verdict.threshold:
            return Support(supported=True, score=round(probability, 3))
        reasons = [p.reason for p in signals.problems] or [
            f"{signals.where} does not say this (closest: “{shorten(closest)}”; {signals.coverage:.0%} of its "
            f"words, meaning similarity {signals.similarity:.2f})"]
        return Support(supported=False, score=round(probability, 3), reasons=reasons,
                       unsupported=_unsupported_words(claim, signals))

    def check_answer(self, answer: str, passages: list[str], question: str = "") -> list[ClaimCheck]:
        """Every sentence of an answer, sorted into claims and the rest; each claim checked."""
        checks = []
        for draft in parse(answer):
            sort = kind(draft.text, question, cited=bool(draft.markers))
            support = self.check(draft.text, passages, question) if sort == "claim" else Support(
                supported=True, score=1.0)
            checks.append(ClaimCheck(draft, sort, support, answer))
        return checks

    def signals(self, claim: str, passages: list[str], question: str = "") -> tuple[Signals, str]:
        """Everything the verdict weighs, and the closest source text (for the reason)."""
        src = sources(tuple(passages))
        asked = frozenset(content_stems(question))
        asked_keys = source_keys(question) if question else frozenset()
        stems = set(content_stems(claim))
        claim_facts = facts(claim)
        region = align(stems, claim_facts, src)
        aligned = [src.sentences[i] for i in region]
        problems: list[Disagreement] = [
            *fact_problems(claim, claim_facts, src, region, asked_keys), *opening_problem(claim, src, region, asked_keys),
            *negation_problems(claim, src, region), *direction_problems(claim, src, region)]
        region_stems = frozenset().union(*(s.stems for s in aligned)) | asked
        all_stems = frozenset().union(*(s.stems for s in src.sentences)) | asked
        loose = _loosely_found(claim, stems - all_stems, src)
        covered = len(stems & region_stems | loose) / len(stems) if stems else 1.0
        unknown = stems - all_stems - loose
        similarity, closest = self._similarity(claim, stems, src, aligned)
        signals = Signals(
            coverage=covered, coverage_anywhere=1 - len(unknown) / len(stems) if stems else 1.0,
            unknown_words=len(unknown), similarity=similarity, words=len(stems), facts=len(claim_facts),
            problems=problems, where=src.where,
            missing=frozenset(stems - region_stems - loose),
        )
        return signals, closest

    def _similarity(self, claim: str, stems: set[str], src: Sources, aligned: list[SourceSentence]) -> tuple[float, str]:
        """Best cosine between the claim and the aligned sentences (each, and together: their mean
        vector) or the passages' other likeliest sentences. Source sentences are embedded once
        (cached), so a claim costs one short embedding."""
        ranked = sorted(src.sentences, key=lambda s: -src.weight(stems, s))[:4]
        texts = list(dict.fromkeys([*(s.text for s in aligned), *(s.text for s in ranked)]))
        if self.embedder is None or not texts:
            return 0.0, texts[0] if texts else ""
        vectors = self._embed([claim, *texts])
        candidates = vectors[1:]
        if len(aligned) > 1:
            together = vectors[1 : 1 + len(aligned)].sum(axis=0)
            candidates = np.vstack([candidates, together / (np.linalg.norm(together) or 1.0)])
            texts = [*texts, " ".join(s.text for s in aligned)]
        sims = candidates @ vectors[0]
        best = int(np.argmax(sims))
        return float(sims[best]), texts[best]

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Vectors with a cache: the same passages are checked against many sentences."""
        assert self.embedder is not None
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            if len(self._vectors) + len(missing) > self.cache_size:
                self._vectors.clear()
            self._vectors.update(zip(missing, self.embedder.embed(missing), strict=True))
        return np.stack([self._vectors[t] for t in texts])


def _loosely_found(claim: str, absent: set[str], src: Sources) -> set[str]:
    """The claim's absent stems whose words the passages hold broken by extraction ("mil ion")."""
    if not absent:
        return set()
    found = set()
    for token in _TOKEN.findall(claim):
        word = token.lower()
        if (s := stem(word)) in absent and len(word) >= 5 and src.loosely_has(word):
            found.add(s)
    return found


def _unsupported_words(claim: str, signals: Signals) -> list[str]:
    """The stretches of the claim the passages do not bear out: the words at fault in a
    disagreement, and runs of content words the aligned sentences lack (stopwords may join a run)."""
    phrases = [p.words for p in signals.problems if p.words]
    runs: list[list[re.Match[str]]] = [[]]
    for m in _TOKEN.finditer(claim):
        word = m.group().lower().strip(".,'’")
        if word in STOPWORDS:
            if runs[-1]:
                runs[-1].append(m)
            continue
        if stem(word) in signals.missing:
            runs[-1].append(m)
        elif runs[-1]:
            runs.append([])
    for run in runs:
        while run and run[-1].group().lower() in STOPWORDS:
            run.pop()
        if run:
            phrases.append(claim[run[0].start() : run[-1].end()])
    return list(dict.fromkeys(phrases))


def clean(sentence: str) -> str:
    """The claim without citation markers ([1], [2, 3], [Source 1]) or a list bullet."""
    return normalise(_BULLET.sub("", strip_markers(sentence))).strip()


def quoted(claim: str, passages: list[str]) -> bool:
    """Word for word in one passage, in any case, allowing '...' for omitted words."""
    pieces = [p.strip(_EDGE).lower() for p in _ELLIPSIS.split(claim) if p.strip(_EDGE)]
    if not pieces:
        return False
    for passage in passages:
        text, pos = _lowered(passage), 0
        for piece in pieces:
            pos = text.find(piece, pos)
            if pos < 0:
                break
            pos += len(piece)
        else:
            return True
    return False


@lru_cache(maxsize=1024)
def _lowered(passage: str) -> str:
    return normalise(passage).lower()
