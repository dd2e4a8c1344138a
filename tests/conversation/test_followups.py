"""Follow-up questions are rewritten into standalone ones from the conversation so far."""

from __future__ import annotations

import pytest

from assistant import Answer, Assistant, Citation, Session
from assistant.conversation import standalone_question
from assistant.conversation.followups import bodies_in, people_in

SHA_TITLE = "Whole person care: the hard work follows"
THINK_PIECE = "Integrated care: making it a reality"


def turn(question: str, answer_markdown: str, *quotes: tuple[str, str, str]) -> Session:
    """A session of one answered question; quotes are (quote, speaker, author) of its citations."""
    citations = [Citation(n=i, doc_id=f"d{i}", title=f"Title {i}", author=author, date="2013", section="article",
                          speaker=speaker, source="", quote=quote, start=0, end=len(quote), score=0.5)
                 for i, (quote, speaker, author) in enumerate(quotes, start=1)]
    answer = Answer(question=question, standalone_question=question, answer_markdown=answer_markdown,
                    refused=False, citations=citations)
    session = Session()
    session.add(answer)
    return session


def test_a_first_question_stands_as_asked() -> None:
    assert standalone_question("Who is Norman Lamb?", Session()) == "Who is Norman Lamb?"


@pytest.mark.parametrize(("text", "people"), [
    ("This work is led by Sir John Oldham.", ["Sir John Oldham"]),
    ("Shadow Health Secretary Andy Burnham consulted. Former Health Secretary Andrew Lansley’s NHS Act.",
     ["Andy Burnham", "Andrew Lansley"]),
    ("How did Richard reply to Brian Fisher?", ["Richard", "Brian Fisher"]),
    ("What did the Better Care Fund and Milton Keynes City Council agree?", []),
])
def test_people_are_names_not_roles_or_bodies(text: str, people: list[str]) -> None:
    assert people_in(text, known=["Richard"]) == people


@pytest.mark.parametrize(("text", "bodies"), [
    ("What is the Commission on Whole Person Care?", ["the Commission on Whole Person Care"]),
    ("When must integrated care boards publish a joint forward plan?", ["integrated care boards", "a joint forward plan"]),
    ("What does the NHS Long Term Plan say about NHS England?", ["the NHS Long Term Plan", "NHS England"]),
    ("What did Labour's 10-year plan for health and care propose?", ["Labour's 10-year plan"]),
    ("What did Brian Fisher suggest the SHA should do next?", ["the SHA"]),
])
def test_bodies_plans_and_reports_are_found_as_they_would_read(text: str, bodies: list[str]) -> None:
    assert bodies_in(text) == bodies


def test_he_is_the_person_the_last_answer_names_when_the_question_named_none() -> None:
    session = turn("Who leads the Commission on Whole Person Care?",
                   "“Integrated care” (2013) says: “The Commission is led by Sir John Oldham.” [1]",
                   ("The Commission is led by Sir John Oldham.", "", ""))
    assert standalone_question("What did he recommend?", session) == "What did Sir John Oldham recommend?"


def test_he_is_the_one_asked_about_first_not_the_last_man_named() -> None:
    session = turn("What did Jonathan McShane say about Andy Burnham's plans?",
                   "Jonathan McShane writes: “Andy Burnham wants one budget, as Norman Lamb did.” [1]",
                   ("Andy Burnham wants one budget, as Norman Lamb did.", "", "Jonathan McShane"))
    assert standalone_question("And which council is he on?", session) == "which council is Jonathan McShane on?"
    assert standalone_question("what is his role?", session) == "what is Jonathan McShane's role?"


def test_it_is_the_body_asked_about_not_the_document_cited() -> None:
    session = turn("What is the Commission on Whole Person Care?",
                   f"“{THINK_PIECE}” (2013) says: “An independent Commission on Whole Person Care...” [1]",
                   ("An independent Commission on Whole Person Care was established.", "", ""))
    rewritten = standalone_question("When was it set up?", session)
    assert rewritten == "When was the Commission on Whole Person Care set up?"
    assert "Title" not in rewritten


def test_it_is_the_document_when_the_officer_speaks_of_the_document() -> None:
    session = turn("What is the Commission on Whole Person Care?", "…", ("The Commission was set up.", "", ""))
    assert standalone_question("Who wrote it?", session) == "Who wrote “Title 1”?"
    assert standalone_question("When was the article published?", session) == "When was “Title 1” published?"


def test_it_is_a_plan_named_in_the_answer_when_the_question_named_none() -> None:
    session = turn("What must boards do each year?", "“Memo” says: “Boards must publish a joint forward plan.” [1]",
                   ("Boards must publish a joint forward plan.", "", ""))
    assert standalone_question("When is it due?", session) == "When is the joint forward plan due?"


def test_they_is_the_plural_body_asked_about() -> None:
    session = turn("When must integrated care boards publish a joint forward plan?", "…",
                   ("Integrated care boards must publish a joint forward plan.", "", ""))
    assert standalone_question("Who do they answer to?", session) == "Who do integrated care boards answer to?"


def test_a_follow_up_about_him_is_answered_about_the_person_named_before(bundled: Assistant) -> None:
    session = Session()
    first = bundled.ask("What does Jonathan McShane say about health and wellbeing boards?", session=session)
    assert not first.refused
    second = bundled.ask("And which council is he a cabinet member on?", session=session)
    assert "Jonathan McShane" in second.standalone_question
    assert "Hackney Council" in second.answer_markdown
    assert len(session.turns) == 2


def test_he_after_an_answer_naming_sir_john_oldham_is_sir_john_oldham(bundled: Assistant) -> None:
    session = Session()
    first = bundled.ask("Who leads the Commission on Whole Person Care?", session=session)
    assert "Sir John Oldham" in first.answer_markdown
    second = bundled.ask("what did he recommend?", session=session)
    assert second.standalone_question == "what did Sir John Oldham recommend?"


def test_when_was_it_set_up_asks_about_the_commission_not_the_document_title(bundled: Assistant) -> None:
    session = Session()
    first = bundled.ask("What is the Commission on Whole Person Care?", session=session)
    assert first.citations and first.citations[0].title == THINK_PIECE
    second = bundled.ask("when was it set up?", session=session)
    assert second.standalone_question == "when was the Commission on Whole Person Care set up?"
    assert THINK_PIECE not in second.standalone_question


def test_a_rewritten_follow_up_the_previous_passages_answer_is_answered(bundled: Assistant) -> None:
    session = Session()
    bundled.ask("What did Brian Fisher suggest the SHA should do next?", session=session)
    reply = bundled.ask("how did Richard reply to him?", session=session)
    assert reply.standalone_question == "how did Richard reply to Brian Fisher?"
    assert not reply.refused
    assert reply.citations[0].speaker == "Richard" and reply.citations[0].section == "comment"
    assert "We should have some meetings around policy" in reply.citations[0].quote
    for c in reply.citations:
        assert bundled.document_text(c.doc_id)[c.start : c.end] == c.quote
    again = bundled.ask("what did he say about PFI?", session=session)
    assert again.standalone_question == "what did Richard say about PFI?"  # the one asked about first
    assert "PFI" in again.citations[0].quote and again.citations[0].speaker == "Richard"


def test_who_wrote_it_is_answered_from_the_document_cited_before(bundled: Assistant) -> None:
    session = Session()
    first = bundled.ask("Where was the pioneering health service for the new city first described?", session=session)
    cited_title = first.citations[0].title
    second = bundled.ask("Who wrote it?", session=session)
    assert cited_title in second.standalone_question
    assert not second.refused
    assert "Michael Bracey" in second.answer_markdown
    for c in second.citations:
        assert bundled.document_text(c.doc_id)[c.start : c.end] == c.quote


def test_a_question_with_its_own_subject_is_not_rewritten(bundled: Assistant) -> None:
    session = Session()
    bundled.ask("What did Brian Fisher suggest the SHA should do next?", session=session)
    follow = bundled.ask("What did Karin Smyth say about managers?", session=session)
    assert follow.standalone_question == follow.question
