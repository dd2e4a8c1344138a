"""Follow-up questions are rewritten into standalone ones from the conversation so far."""

from assistant import Assistant, Session
from assistant.conversation import standalone_question


def test_a_first_question_stands_as_asked() -> None:
    assert standalone_question("Who is Norman Lamb?", Session()) == "Who is Norman Lamb?"


def test_a_follow_up_about_him_is_answered_about_the_person_named_before(bundled: Assistant) -> None:
    session = Session()
    first = bundled.ask("What does Jonathan McShane say about health and wellbeing boards?", session=session)
    assert not first.refused
    second = bundled.ask("And which council is he a cabinet member on?", session=session)
    assert "Jonathan McShane" in second.standalone_question
    assert "Hackney Council" in second.answer_markdown
    assert len(session.turns) == 2


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
