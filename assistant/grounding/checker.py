"""Is a sentence supported by the passages it cites? Offline, without an LLM.

A sentence is supported when the passages say it, word for word (an exact or ellipsis quote) or
in other words (most of its content words, or its meaning, match the sentences it aligns with),
and nothing it asserts contradicts them: every number, date and name it gives is in the
passages, in the place it aligns with, and it neither adds nor drops a negation. The fact and
negation checks (assistant.grounding.agreement) exist because embeddings and word overlap both rate
"288,000" and "298,000", or "is" and "is not", as near-identical.

Fast enough to run on every generated sentence: passages are analysed once (cached by text) and
the embedder is consulted only when word overlap alone does not settle the matter.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from pydantic import BaseModel, Field

from assistant.common.markers import strip_markers
from assistant.common.text import content_stems, normalise
from assistant.grounding.agreement import fact_problems, negation_problems, opening_problem, shorten
from assistant.grounding.alignment import Sources, SourceSentence, align, coverage, sources, trimmed
from assistant.grounding.facts import facts
from assistant.index.embedder import Embedder

_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|…)\s*")
_EDGE = ".,;:!?\"' "


class Support(BaseModel):
    """The checker's verdict on one sentence."""

    supported: bool
    score: float = Field(description="0..1, how strongly the passages support the sentence.")
    reasons: list[str] = Field(default_factory=list, description="Why not, in words a user can read.")


class GroundingChecker:
    """Offline support check: exact/fuzzy span match, number/date/name and negation agreement,
    word coverage and MiniLM similarity to the best-aligned source sentences.

    A sentence with no disagreement is supported when the aligned sentences hold at least
    `accept_coverage` of its content words, or its meaning similarity reaches
    `accept_similarity`, or both reach the lower `min_coverage` and `min_similarity`. Without
    an embedder only word coverage counts (stricter on paraphrases, as fast as it gets).

    The score is 1.0 for a quote, else the better of coverage and similarity, halved when a
    fact or negation disagrees (those verdicts do not depend on the score).
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        accept_coverage: float = 0.8,
        accept_similarity: float = 0.75,
        min_coverage: float = 0.5,
        min_similarity: float = 0.55,
        cache_size: int = 50_000,
    ) -> None:
        self.embedder = embedder
        self.accept_coverage = accept_coverage
        self.accept_similarity = accept_similarity
        self.min_coverage = min_coverage
        self.min_similarity = min_similarity
        self.cache_size = cache_size
        self._vectors: dict[str, np.ndarray] = {}

    def check(self, sentence: str, passages: list[str]) -> Support:
        """Verdict on one sentence against the passages it cites (all of them together)."""
        claim = clean(sentence)
        passages = [p for p in passages if p.strip()]
        if not passages:
            return Support(supported=False, score=0.0, reasons=["it cites no passage"])
        if not claim or quoted(claim, passages):
            return Support(supported=True, score=1.0)
        src = sources(tuple(passages))
        stems = set(content_stems(claim))
        claim_facts = facts(claim)
        region = align(stems, claim_facts, src)
        problems = [*fact_problems(claim, claim_facts, src, region), *opening_problem(claim, src, region),
                    *negation_problems(claim, src, region)]
        aligned = [src.sentences[i] for i in region]
        if problems:
            return Support(supported=False, score=round(coverage(stems, aligned) / 2, 3), reasons=problems)
        strength, weak = self._strength(claim, stems, src, aligned)
        return Support(supported=not weak, score=round(strength, 3), reasons=[weak] if weak else [])

    def _strength(self, claim: str, stems: set[str], src: Sources, aligned: list[SourceSentence]) -> tuple[float, str]:
        """How well the aligned sentences say the same thing, and a reason when not well enough.
        Word coverage settles most sentences; meaning similarity decides paraphrases."""
        covered = coverage(stems, aligned)
        if covered >= self.accept_coverage:
            return covered, ""
        similarity, closest = self._similarity(claim, stems, src, aligned)
        if similarity >= self.accept_similarity or (similarity >= self.min_similarity and covered >= self.min_coverage):
            return max(covered, similarity), ""
        return max(covered, similarity), (
            f"{src.where} does not say this (closest: “{shorten(closest)}”; {covered:.0%} of its words, "
            f"meaning similarity {similarity:.2f})"
        )

    def _similarity(self, claim: str, stems: set[str], src: Sources, aligned: list[SourceSentence]) -> tuple[float, str]:
        """Best cosine between the claim and the aligned sentences (whole, together, and trimmed
        to the clauses it shares words with) or the passages' other likeliest sentences."""
        ranked = sorted(src.sentences, key=lambda s: -src.weight(stems, s))[:4]
        texts = list(dict.fromkeys([*(s.text for s in aligned), *(s.text for s in ranked)]))
        texts += [t for t in (" ".join(s.text for s in aligned), trimmed(stems, aligned)) if t and t not in texts]
        if self.embedder is None or not texts:
            return 0.0, texts[0] if texts else ""
        vectors = self._embed([claim, *texts])
        sims = vectors[1:] @ vectors[0]
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
