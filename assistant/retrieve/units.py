"""Answer units as retrieval evidence: the units of candidate chunks, with the vectors made at
ingest, scored by meaning (cosine with the question) and by words (the IDF-weighted share of the
question's terms the unit holds, reading it with its lead-in, its speaker and its document's
title, as an officer reads it). Nothing is embedded at question time.

A chunk is as good as its best unit: on long documents a passage that mentions the question's
words here and there otherwise outranks one with a sentence that says what was asked. A chunk
with no unit (a cover page, a title block) is scored as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.index.search_text import indexed_text, keyword_tokens, unit_text
from assistant.index.unit_cache import UnitReader
from assistant.models import AnswerUnit, Chunk


@dataclass(frozen=True)
class UnitEvidence:
    """How well a chunk's best answer unit matches the question, by meaning and by words."""

    dense: float = -1.0
    lexical: float = 0.0


def coverage(weights: dict[str, float], terms: frozenset[str]) -> float:
    """The weighted share of the question's terms found in `terms` (0 when it has none)."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


def unit_evidence(
    reader: UnitReader, chunks: list[Chunk], query_vector: np.ndarray, weights: dict[str, float],
    titles: dict[str, str], chunk_dense: dict[str, float],
) -> dict[str, UnitEvidence]:
    """chunk_id -> the evidence of its best units (a unit overlapping two chunks serves both);
    one read of stored vectors (`Library.units_within`: from memory after first use). A chunk
    without units is scored by its own text and its own dense score (`chunk_dense`, when the
    dense retriever returned it)."""
    stored = reader.units_within([(c.doc_id, c.start, c.end) for c in chunks])
    by_doc: dict[str, list[tuple[AnswerUnit, float, float]]] = {}
    for unit, vector in stored:
        terms = _terms(_read_as(unit, titles.get(unit.doc_id, "")))
        by_doc.setdefault(unit.doc_id, []).append((unit, float(vector @ query_vector), coverage(weights, terms)))
    found: dict[str, UnitEvidence] = {}
    for chunk in chunks:
        inside = [(d, lex) for u, d, lex in by_doc.get(chunk.doc_id, []) if u.start < chunk.end and chunk.start < u.end]
        if inside:
            found[chunk.chunk_id] = UnitEvidence(max(d for d, _ in inside), max(lex for _, lex in inside))
        else:
            words = _terms(indexed_text(chunk, titles.get(chunk.doc_id, "")))
            found[chunk.chunk_id] = UnitEvidence(chunk_dense.get(chunk.chunk_id, -1.0), coverage(weights, words))
    return found


def _read_as(unit: AnswerUnit, title: str) -> str:
    """A unit with what tells a reader what it is about: the document's title, the speaker, the heading."""
    context = " ".join(part for part in (title, unit.speaker, unit.heading) if part)
    return f"{context}\n{unit_text(unit)}" if context else unit_text(unit)


@lru_cache(maxsize=65536)
def _terms(text: str) -> frozenset[str]:
    """The keyword terms of a text, cached: the same units come back question after question."""
    return frozenset(keyword_tokens(text))
