"""Candidate answer units from retrieved passages, scored against the question.

The candidates are the answer units (sentences, list items with their lead-in, table rows with
their header) of the retrieved chunks, read from the catalogue with the vectors made at ingest:
nothing is embedded at question time but the question. A unit scores by meaning (MiniLM cosine) and by the share of the question's rarer words it
contains (IDF-weighted), with a small bonus when it has what the question asks for (a date for
"when", a number for "how many", a name for "who").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.common.text import content_stems, words
from assistant.index.bm25 import KeywordIndex
from assistant.index.search_text import unit_text
from assistant.ingest.instructions import is_set_aside
from assistant.models import AnswerUnit, DocumentMeta
from assistant.retrieve import ScoredChunk

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b|\b\d{1,2} (January|February|March|April|May|June|July|"
                   r"August|September|October|November|December)\b")
_NUMBER = re.compile(r"\d")
_NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+")

# Weights of the sentence score (chosen on the dev set; see README "How answers are chosen").
DENSE_WEIGHT = 0.55
LEXICAL_WEIGHT = 0.45
RANK_WEIGHT = 0.03


@dataclass
class Candidate:
    """One answer unit of a retrieved chunk (the best-ranked chunk it lies in), with its vector."""

    unit: AnswerUnit
    vector: np.ndarray
    chunk: ScoredChunk
    rank: int
    dense: float = 0.0
    lexical: float = 0.0
    score: float = 0.0
    named: bool = False

    @property
    def doc_id(self) -> str:
        return self.unit.doc_id

    @property
    def start(self) -> int:
        return self.unit.start

    @property
    def end(self) -> int:
        return self.unit.end

    @property
    def text(self) -> str:
        return self.unit.text


def candidates(retrieved: list[ScoredChunk], units: list[tuple[AnswerUnit, np.ndarray]]) -> list[Candidate]:
    """Each answer unit of the retrieved chunks once, with the best-ranked chunk it lies in.
    Sentences addressed to an AI never became units at ingest; a unit that reads as one (in a
    catalogue written before they were marked) is left out here too."""
    out: list[Candidate] = []
    for unit, vector in units:
        for rank, scored in enumerate(retrieved):
            chunk = scored.chunk
            if chunk.doc_id == unit.doc_id and unit.start < chunk.end and chunk.start < unit.end:
                if not is_set_aside(chunk, unit.start, unit.end):
                    out.append(Candidate(unit, vector, scored, rank))
                break
    return out


class SentenceScorer:
    """Scores candidate units by meaning and words; their vectors were made at ingest."""

    def score(
        self, question: str, qvec: np.ndarray, cands: list[Candidate], keywords: KeywordIndex,
        metas: dict[str, DocumentMeta],
    ) -> None:
        """Fill in dense, lexical and combined scores, in place.

        Words of the question that name a candidate's document or speaker ("according to
        McShane", "the SHA blog") pick the document, not the sentence: they are left out of that
        candidate's lexical score, and instead give a bonus when they name its speaker.
        """
        if not cands:
            return
        sims = np.stack([c.vector for c in cands]) @ qvec
        q_stems = set(content_stems(question))
        weights = {t: keywords.idf(t) for t in q_stems}
        wants = _wants(question)
        q_words = set(words(question))
        for cand, sim in zip(cands, sims, strict=False):
            meta = metas[cand.doc_id]
            speaker = cand.chunk.chunk.speaker or meta.author_line
            selectors = set(content_stems(" ".join([meta.author_line, meta.author_role, meta.publisher, speaker])))
            own = {t: w for t, w in weights.items() if t not in selectors}
            stems = set(content_stems(unit_text(cand.unit)))
            cand.dense = float(sim)
            cand.lexical = sum(w for t, w in own.items() if t in stems) / (sum(own.values()) or 1.0)
            cand.named = any(len(w) > 2 and w in q_words for w in words(speaker)) or names_document(question, meta)
            bonus = (0.05 if wants and wants.search(cand.text) else 0.0) + (0.06 if cand.named else 0.0)
            cand.score = DENSE_WEIGHT * cand.dense + LEXICAL_WEIGHT * cand.lexical + bonus + RANK_WEIGHT / (1 + cand.rank)
            if cand.text.strip() == meta.title.strip() or cand.chunk.chunk.section == "page furniture":
                cand.score *= 0.8  # headlines and page furniture name the topic; they rarely answer


def names_document(question: str, meta: DocumentMeta) -> bool:
    """Does the question point at this document: a quoted phrase of its title, or its
    publisher's acronym ("the SHA blog", "the MJ")?"""
    quoted = re.findall(r"[‘'\"“]([^’'\"”]{4,})[’'\"”]", question)
    if any(phrase.lower() in meta.title.lower() for phrase in quoted):
        return True
    acronyms = set(re.findall(r"\b[A-Z]{2,5}\b", f"{meta.publisher} {meta.author_role}")) - {"NHS", "UK"}
    return any(re.search(rf"\b{a}\b", question) for a in acronyms)


def _wants(question: str) -> re.Pattern[str] | None:
    q = question.lower()
    if re.search(r"\b(when|what date|which year|what year)\b", q):
        return _YEAR
    if re.search(r"\b(how many|how much|what share|what proportion|what percentage|roughly)\b", q):
        return _NUMBER
    if re.search(r"\b(who|whom|which minister|which person)\b", q):
        return _NAME
    return None
