"""Questions about a reply in a comment thread: "How did Richard reply to Brian Fisher?".

What answers such a question is where it sits, not what it says: the comment by the first person
that comes straight after a comment by the second. Its words rarely share any with the question
("We should have some meetings around policy..."), so scoring by meaning and words alone passes
it by. This finds those comments in any thread of the library and puts them first.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.answer.scoring import Candidate
from assistant.common.text import words
from assistant.index.library import Library
from assistant.models import AnswerUnit
from assistant.retrieve import ScoredChunk

_NAME = r"[A-Z][\w’'-]*(?: [A-Z][\w’'-]*){0,3}"
_REPLY = re.compile(
    rf"\b(?P<a>{_NAME})\s+(?:reply|replied|respond|responded|answer|answered|react|reacted)\s+to\s+(?P<b>{_NAME})"
    rf"|\b(?P<a2>{_NAME})['’]s?\s+(?:reply|response|answer|reaction)\s+to\s+(?P<b2>{_NAME})"
    rf"|\b(?P<a3>{_NAME})\s+(?:say|said|write|wrote)\s+(?:in (?:reply|response)|back)\s+to\s+(?P<b3>{_NAME})",
)
REPLY_BONUS = 0.3  # enough to lead: the position in the thread is the answer


def reply_pair(question: str) -> tuple[str, str] | None:
    """(who replied, to whom) when the question asks about a reply, else None."""
    match = _REPLY.search(question)
    if not match:
        return None
    found = [g for g in match.groups() if g]
    return (found[0], found[1]) if len(found) == 2 else None


def reply_candidates(question: str, cands: list[Candidate], retrieved: list[ScoredChunk], library: Library) -> set[str]:
    """The unit ids of the replying comment, in the documents the candidates come from; units
    retrieval missed are added to `cands` (in place), to be scored with the rest."""
    pair = reply_pair(question)
    if pair is None or not cands:
        return set()
    replier, addressee = pair
    have = {c.unit.unit_id for c in cands}
    found: set[str] = set()
    for doc_id in dict.fromkeys(c.doc_id for c in cands):
        for unit in _reply_units(library.catalog.units(doc_id), replier, addressee):
            if unit.unit_id not in have:
                cand = _candidate(unit, retrieved, library)
                if cand is None:
                    continue
                cands.append(cand)
                have.add(unit.unit_id)
            found.add(unit.unit_id)
    return found


def favour(cands: list[Candidate], reply_ids: set[str]) -> None:
    """After scoring: the replying comment's units lead, its opening sentence first (so the reply
    is quoted in the order it was written)."""
    replies = sorted((c for c in cands if c.unit.unit_id in reply_ids), key=lambda c: (c.doc_id, c.start))
    for i, cand in enumerate(replies):
        opens = i == 0 or replies[i - 1].doc_id != cand.doc_id or replies[i - 1].unit.speaker != cand.unit.speaker
        cand.score += REPLY_BONUS + (0.05 if opens else 0.0)


def _reply_units(units: list[AnswerUnit], replier: str, addressee: str) -> list[AnswerUnit]:
    """The units of each comment by `replier` that directly follows a comment by `addressee`."""
    found: list[AnswerUnit] = []
    previous, current = "", ""
    replying = False
    for unit in units:
        if unit.section != "comment" or not unit.speaker:
            continue
        if unit.speaker != current:
            previous, current = current, unit.speaker
            replying = _same_person(current, replier) and _same_person(previous, addressee)
        if replying:
            found.append(unit)
    return found


def _same_person(speaker: str, name: str) -> bool:
    mine, theirs = set(words(speaker)), set(words(name))
    return bool(mine and theirs) and (theirs <= mine or mine <= theirs)


def _candidate(unit: AnswerUnit, retrieved: list[ScoredChunk], library: Library) -> Candidate | None:
    """A candidate for a unit retrieval did not bring, with its stored vector."""
    stored = library.units_within([(unit.doc_id, unit.start, unit.end)])
    vector = next((v for u, v in stored if u.unit_id == unit.unit_id), None)
    if vector is None:
        return None
    for rank, scored in enumerate(retrieved):
        chunk = scored.chunk
        if chunk.doc_id == unit.doc_id and chunk.start <= unit.start < chunk.end:
            return Candidate(unit, vector, scored, rank)
    holder = next((c for c in library.catalog.chunks_of(unit.doc_id) if c.start <= unit.start < c.end), None)
    if holder is None:
        return None
    return Candidate(unit, np.asarray(vector), ScoredChunk(chunk=holder, score=0.0), len(retrieved))
