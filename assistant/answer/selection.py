"""Which answer units to quote: the lead, then only units that add something the question asks for.

- Each further part of the question ("…, and who is responsible?") gets its own best unit, one
  that holds what that part asks for, unless a unit already chosen answers it: the best for the
  part anywhere, else the best among the lead's near neighbours (further parts are most often
  answered a few sentences on).
- A further unit is quoted only when it adds an asked-for fact about the same subject: a figure,
  date or body not yet quoted (when the question asks for one), or, from the lead's document,
  more of the question's terms (when it asks what or how), another item of the lead's list, or
  a unit scoring as well as the lead (a tie the scores cannot break).
- A label (a title, a heading, a caption, a bibliography entry, extraction noise) is never quoted.
- A comparison quotes one unit per document compared (the documents it names, else the few
  whose best unit is close to the best), and the answer says which document says what.
"""

from __future__ import annotations

from assistant.answer.question import SOFT_KINDS, Question, facts_of, holds
from assistant.answer.scoring import Candidate

PART_CLOSE = 0.75  # a further part's unit must score this close to the lead
NEAR = 4  # ... or lie this few units from the lead, in its document,
NEAR_SHARE = 0.75  # ... and score this close to the best unit for the part
PART_SUBJECT = 0.5  # a chosen unit answers a further part when it holds this share of the part's subject words
EXTRA_CLOSE = 0.75  # a unit adding a fact must score this close to the lead
LIST_CLOSE = 0.7  # another item of the lead's list must score this close to the lead
COMPARE_CLOSE = 0.55  # a document's best unit must score this close to the best to be compared
NEW_TERMS = 0.1  # the IDF-weighted share of question terms a unit must add when nothing specific is asked
TIE = 0.95  # a unit of the lead's document scoring this close to it is quoted too
SOFT_TIE = 0.9  # ... this close, when it says what should be done (or why) as the question asks
REPEAT = 0.9  # units this similar (cosine) say the same thing
SAME_SUBJECT = 0.6  # a unit adding a fact must hold this share of the lead's question terms


def select(question: Question, ranked: list[Candidate], lead: Candidate, limit: int,
           weights: dict[str, float]) -> list[Candidate]:
    """The units to quote, lead first. `weights` are the question's terms with their IDF."""
    ranked = [c for c in ranked if not c.label]  # a label adds nothing to an answer
    if question.comparison:
        compared = _across_documents(question, ranked, lead, limit)
        if len(compared) > 1:
            return compared
    chosen = [lead]
    for i in range(1, len(question.parts)):  # the lead was chosen for the first part
        if len(chosen) >= limit or any(c.holds[i] and _answers(c, i, ranked) for c in chosen):
            continue
        unit = _part_unit(i, ranked, chosen, lead)
        if unit is not None:
            chosen.append(unit)
    for cand in ranked:
        if len(chosen) >= limit or cand.score < lead.score * min(EXTRA_CLOSE, LIST_CLOSE):
            break
        if cand not in chosen and not _repeats(cand, chosen) and _adds(question, cand, chosen, lead, weights):
            chosen.append(cand)
    return chosen


def _part_unit(part: int, ranked: list[Candidate], chosen: list[Candidate], lead: Candidate) -> Candidate | None:
    """The unit answering a further part: the best for it anywhere when it scores close to the
    lead and is about the same subject, else the best for it among the lead's neighbours (a
    document answers "…, and what happens to the costs?" a few sentences on)."""
    pool = [c for c in ranked if c.holds[part] and c not in chosen and not _repeats(c, chosen)]
    best = max(pool, key=lambda c: c.parts[part], default=None)
    if best is None:
        return None
    if best.parts[part] >= lead.score * PART_CLOSE and (
            best.doc_id == lead.doc_id or best.lexical >= lead.lexical * SAME_SUBJECT):
        return best
    near = [c for c in pool if c.doc_id == lead.doc_id and abs(c.unit.position - lead.unit.position) <= NEAR]
    closest = max(near, key=lambda c: c.parts[part], default=None)
    top = max(c.parts[part] for c in ranked)
    return closest if closest is not None and closest.parts[part] >= top * NEAR_SHARE else None


def _answers(cand: Candidate, part: int, ranked: list[Candidate]) -> bool:
    """Is this unit among the best for the part, and about what the part asks (so the part needs
    no unit of its own)? It must also hold half the part's own subject words: the lead, best for
    "…, and in what format?" on the question's other words, does not answer it without "format"."""
    best = max(c.parts[part] for c in ranked)
    return cand.parts[part] >= best * 0.9 and cand.subjects[part] >= PART_SUBJECT


def _adds(question: Question, cand: Candidate, chosen: list[Candidate], lead: Candidate,
          weights: dict[str, float]) -> bool:
    """Does the unit add an asked-for fact to the units already chosen?"""
    if lead.unit.lead and cand.unit.lead_start == lead.unit.lead_start and cand.unit.kind == "item":
        return cand.score >= lead.score * LIST_CLOSE  # another item of the same list
    soft = [p.asks for p in question.parts if p.asks in SOFT_KINDS]
    if cand.doc_id == lead.doc_id and cand.score >= lead.score * LIST_CLOSE and any(
            holds(kind, cand.text) and not any(holds(kind, c.text) for c in chosen) for kind in soft):
        return True  # the first unit that says what should be done (or why, or what it means)
    if cand.doc_id == lead.doc_id and cand.score >= lead.score * (SOFT_TIE if soft and holds(soft[0], cand.text) else TIE):
        return True  # as good as the lead by every measure we have: not ours to leave out
    if cand.score < lead.score * EXTRA_CLOSE or cand.lexical < lead.lexical * SAME_SUBJECT:
        return False
    kinds = [p.asks for p in question.parts if p.asks and p.asks not in SOFT_KINDS]
    if kinds:  # a figure, date or body not yet quoted, from any document
        return any(
            holds(kind, cand.text)
            and facts_of(kind, cand.text) - set().union(*(facts_of(kind, c.text) for c in chosen))
            for kind in kinds
        )
    if cand.doc_id != lead.doc_id:
        return False  # more words from another document is padding (comparisons aside)
    covered = set().union(*(c.terms for c in chosen))
    fresh = {t: w for t, w in weights.items() if t not in covered}
    total = sum(weights.values()) or 1.0
    return sum(w for t, w in fresh.items() if t in cand.terms) / total >= NEW_TERMS


def _across_documents(question: Question, ranked: list[Candidate], lead: Candidate, limit: int) -> list[Candidate]:
    """One unit per document compared: the documents the question names, else those whose best
    unit (holding what is asked, when something is) scores close to the best."""
    asks = question.asks
    best: dict[str, Candidate] = {}
    for cand in [lead, *ranked]:
        if cand.doc_id not in best and holds(asks, cand.text):
            best[cand.doc_id] = cand
    named = [c for c in best.values() if c.named]
    if len(named) >= 2:
        return sorted(named, key=lambda c: c is not lead)[:limit]
    top = max((c.score for c in best.values()), default=0.0)
    close = [c for c in best.values() if c.score >= top * COMPARE_CLOSE]
    return sorted(close, key=lambda c: (c is not lead, -c.score))[: 2 if question.pair else min(limit, 3)]


def _repeats(cand: Candidate, chosen: list[Candidate]) -> bool:
    return any(float(c.vector @ cand.vector) > REPEAT for c in chosen)

