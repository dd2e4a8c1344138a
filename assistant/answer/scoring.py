"""Candidate answer units from the retrieved passages, scored against the question and its parts.

The candidates are the answer units (sentences, list items with their lead-in, table rows with
their header) of the retrieved chunks, read from the catalogue with the vectors made at ingest:
nothing is embedded at question time but the question (and its parts, when it has several). A
unit scores by meaning (MiniLM cosine), by the IDF-weighted share of the question's rarer words
it holds (its lead-in included; words that only name its document or speaker left out), by
holding the kind of thing asked for (a figure for "how much", a date for "when": answer/question.py),
and a little by its passage's rank and by belonging to a document the question names. Weights:
README "How answers are chosen".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.answer.question import ASKING_WORDS, SOFT_KINDS, Question, holds
from assistant.common.text import words
from assistant.index.bm25 import KeywordIndex
from assistant.index.embedder import Embedder
from assistant.index.search_text import keyword_tokens, unit_text
from assistant.ingest.instructions import is_set_aside
from assistant.ingest.words import is_word
from assistant.models import HEADING_SEPARATOR, AnswerUnit, DocumentMeta
from assistant.retrieve import NAMED_OUTRIGHT, ScoredChunk

# Weights of the unit score (chosen on half A of the dev sets; README "How answers are chosen").
DENSE_WEIGHT = 0.5
LEXICAL_WEIGHT = 0.5
KIND_WEIGHT = 0.15  # holds the kind of thing asked for (a figure, a date, a body...)
SOFT_KIND_WEIGHT = 0.03  # holds a recommendation, a reason or a definition: wordings too varied to weigh more
NAMED_WEIGHT = 0.06  # its document or speaker is the one the question names
RANK_WEIGHT = 0.03
FURNITURE_PENALTY = 0.1  # page furniture and a document's own title name the topic; they rarely answer


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
    label: bool = False  # no statement: names its topic (title, heading, caption, furniture) or is garbled
    parts: list[float] = field(default_factory=list)  # the score against each part of the question
    holds: list[bool] = field(default_factory=list)  # whether it holds what each part asks for
    relevance: list[float] = field(default_factory=list)  # `parts` without the bonus for holding it
    subjects: list[float] = field(default_factory=list)  # the share of each part's subject words it holds
    _terms: frozenset[str] | None = None

    @property
    def terms(self) -> frozenset[str]:
        """The unit's content stems, its lead-in included."""
        if self._terms is None:
            self._terms = frozenset(keyword_tokens(unit_text(self.unit)))
        return self._terms

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


class UnitScorer:
    """Scores candidate units against a question; embeds only the question's parts."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def score(
        self, question: Question, qvec: np.ndarray, cands: list[Candidate], keywords: KeywordIndex,
        metas: dict[str, DocumentMeta],
    ) -> None:
        """Fill in each candidate's scores, in place: `score` against the whole question,
        `parts` against each of its parts.

        Words of the question that name a candidate's document or speaker ("according to
        McShane", "the SHA blog") pick the document, not the unit: they are left out of that
        candidate's lexical score, and instead give a bonus when they name it.
        """
        if not cands:
            return
        parts = question.parts
        part_vectors = self.embedder.embed([p.text for p in parts]) if len(parts) > 1 else qvec[None, :]
        whole = keywords.weights(question.text, closed_forms=False)
        part_terms = [keywords.weights(p.text, closed_forms=False) for p in parts]
        part_subjects = [{t: w for t, w in terms.items() if t not in ASKING_WORDS} or terms for terms in part_terms]
        q_words = set(words(question.text))
        named_docs = {c.doc_id for c in cands if c.chunk.named >= NAMED_OUTRIGHT}  # retrieval's reading of the question
        for cand in cands:
            meta = metas[cand.doc_id]
            speaker = cand.chunk.chunk.speaker or meta.author_line
            drop = set(keyword_tokens(" ".join([meta.author_line, meta.author_role, meta.publisher, speaker])))
            # what the unit must be about: not the words naming its source ("according to HEE's Data
            # Driven Healthcare in 2030"); an author's role ("chief executive of Milton Keynes") may be the topic
            source = [meta.author_line, meta.publisher, speaker, meta.title if cand.doc_id in named_docs else ""]
            naming = set(keyword_tokens(" ".join(source)))
            spoken = any(len(w) > 2 and w in q_words for w in words(speaker))
            # a document named ("the SHA blog recommends") speaks through its author, not its readers' comments
            cand.named = spoken or (cand.doc_id in named_docs and cand.unit.section != "comment")
            own = {t: w for t, w in whole.items() if t not in drop} or whole
            cand.dense = float(cand.vector @ qvec)
            cand.lexical = coverage(own, cand.terms)
            prior = RANK_WEIGHT / (1 + cand.rank) + (NAMED_WEIGHT if cand.named else 0.0)
            if named_docs and not question.comparison and not cand.named:
                prior -= NAMED_WEIGHT  # "according to the Plan": not what another document says of it
            cand.label = (cand.unit.section == "page furniture" or names_only(cand.unit, meta.title)
                          or garbled(cand.unit.text))
            if cand.label:
                prior -= FURNITURE_PENALTY
            cand.score = (DENSE_WEIGHT * cand.dense + LEXICAL_WEIGHT * cand.lexical + prior
                          + kind_bonus(question.asks, cand.text))
            cand.parts, cand.holds, cand.relevance = [], [], []
            cand.subjects = [coverage({t: w for t, w in subject.items() if t not in naming} or subject,
                                      cand.terms | heading_terms(cand.unit)) for subject in part_subjects]
            for part, vector, weights in zip(parts, part_vectors, part_terms, strict=True):
                mine = {t: w for t, w in weights.items() if t not in drop} or weights
                lexical = 0.5 * coverage(mine, cand.terms) + 0.5 * cand.lexical
                has = holds(part.asks, cand.text)
                relevance = DENSE_WEIGHT * float(cand.vector @ vector) + LEXICAL_WEIGHT * lexical + prior
                cand.relevance.append(relevance)
                cand.parts.append(relevance + kind_bonus(part.asks, cand.text))
                cand.holds.append(has)


# A bibliography entry opens with its first author, surname then initials ("Simpson M. Health
# creation: …", "Dickerson J, Moss R, Hou B, …", "25. Goddard M."): it names a source, answering nothing.
_REFERENCE = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}\.)?\s*[A-Z][\w'’-]+,? (?:[A-Z]\.? ?){1,3}(?:,|\.(?= [A-Z]| ?$))")
_CAPTION = re.compile(r"^\s*(Figure|Fig\.|Table|Chart|Graph|Box|Exhibit|Diagram|Map)\s+\d+[\w.]*\s*[:.–-]", re.I)
_END = re.compile(r"[.!?…;)\"”’']\s*$")


def names_only(unit: AnswerUnit, title: str) -> bool:
    """A unit that only names its topic: the document's title or a heading above it (or a line
    repeating one), a figure's or table's caption, a bibliography entry, or an unpunctuated
    sentence that reads as a label."""
    text = _squashed(unit.text)
    if not text:
        return True
    for name in (title, *unit.heading.split(HEADING_SEPARATOR)):
        name = _squashed(name)
        if name and (text in name or (name in text and len(text) < len(name) + 25)):
            return True
    if _CAPTION.match(unit.text) or _REFERENCE.match(unit.text):
        return True
    if unit.kind != "sentence" or _END.search(unit.text):
        return False
    tokens = re.findall(r"[A-Za-z][\w’'-]*", unit.text)
    capitalised = sum(t[0].isupper() for t in tokens)
    return len(tokens) < 10 or capitalised >= 0.6 * len(tokens)  # a label, or a title in Title Case


_LOWER_WORD = re.compile(r"\b[a-z]+(?:['’][a-z]+)?\b")
GARBLED_SHARE = 0.34  # this share of a unit's lower-case words not being words marks it as extraction noise


@lru_cache(maxsize=65_536)
def garbled(text: str) -> bool:
    """Extraction noise, not prose: a third or more of at least six lower-case words are no
    words at all ("t ematur minants y po y car ages er", columns of a figure read across).
    Capitalised words are left out: names and acronyms (ICB, FDP) are not in the dictionary.
    Remembered per text: the same units come back question after question."""
    lower = _LOWER_WORD.findall(text)
    return len(lower) >= 6 and sum(not is_word(w) for w in lower) >= GARBLED_SHARE * len(lower)


def _squashed(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def heading_terms(unit: AnswerUnit) -> frozenset[str]:
    """The content stems of the headings above a unit: what it is about, when it does not say."""
    return frozenset(keyword_tokens(unit.heading))


def kind_bonus(kind: str | None, text: str) -> float:
    """What holding the asked-for kind of thing adds to a unit's score."""
    if kind is None or not holds(kind, text):
        return 0.0
    return SOFT_KIND_WEIGHT if kind in SOFT_KINDS else KIND_WEIGHT


def coverage(weights: dict[str, float], terms: frozenset[str]) -> float:
    """The IDF-weighted share of the question's terms a unit holds."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0
