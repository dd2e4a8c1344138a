"""Whether to answer: a unit that holds what a part asks for must also be about that part's
subject, and the first such unit leads, even below a better-scoring one about something else; a
question naming one document is answered from that document or not at all."""

from __future__ import annotations

import numpy as np

from assistant.answer.answerability import judge
from assistant.answer.question import read_question
from assistant.answer.scoring import Candidate
from assistant.models import AnswerUnit, Chunk
from assistant.retrieve import ScoredChunk

QUESTION = "How far has the data platform roll-out got, and what level of adoption does the board aim for?"


def _candidate(position: int, text: str, score: float, subject: float, doc_id: str = "doc") -> Candidate:
    unit = AnswerUnit(unit_id=f"u{position}", doc_id=doc_id, text=text, start=position * 100,
                      end=position * 100 + len(text), position=position)
    chunk = ScoredChunk(chunk=Chunk(chunk_id="c", doc_id=doc_id, text=text, start=0, end=10_000,
                                    section="article", position=0), score=1.0)
    return Candidate(unit, np.zeros(3), chunk, 0, score=score, parts=[score, score], holds=[True, True],
                     relevance=[score, score], subjects=[0.5, subject])


def test_the_holder_about_the_subject_leads_over_a_better_scoring_one_about_something_else() -> None:
    off_subject = _candidate(1, "Where teams lack a tool they must work with the platform team on 3 pilots.", 0.50, 0.0)
    on_subject = _candidate(2, "The board will support adoption to 85% of all care homes by March 2026.", 0.45, 1.0)
    ranked = [off_subject, on_subject]
    verdict = judge(read_question(QUESTION), ranked, [on_subject.chunk], 0.2, {}, lambda _doc: "")
    assert verdict.answerable
    assert verdict.lead is on_subject


def test_no_holder_about_the_subject_refuses() -> None:
    off_subject = _candidate(1, "Where teams lack a tool they must work with the platform team on 3 pilots.", 0.50, 0.0)
    about = _candidate(2, "Adoption is what the board cares about most.", 0.48, 1.0)
    about.holds = [True, False]
    verdict = judge(read_question(QUESTION), [off_subject, about], [about.chunk], 0.2, {}, lambda _doc: "")
    assert not verdict.answerable
    assert "about something else" in verdict.reason


def test_a_named_documents_holder_leads_however_much_closer_another_documents_passage_reads() -> None:
    elsewhere = _candidate(1, "Every plan should set out how the platform will be adopted across the region.", 0.60, 1.0,
                           doc_id="other")
    elsewhere.holds = [False, False]
    named = _candidate(2, "The board will support adoption to 85% of all care homes by March 2026.", 0.40, 1.0)
    named.named = named.chunk.source = True
    verdict = judge(read_question(QUESTION), [elsewhere, named], [elsewhere.chunk, named.chunk], 0.2, {},
                    lambda _doc: "")
    assert verdict.answerable
    assert verdict.lead is named
