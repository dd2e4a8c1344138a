"""How the default (extractive) answerer behaves: grounded, attributed, cited, honest."""

from __future__ import annotations

import re

import pytest

from assistant import Answer, Assistant, QuestionTooLong, SearchFilters
from evals.dataset import Dataset


def assert_citations_valid(assistant: Assistant, answer: Answer) -> None:
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer_markdown)}
    numbers = {c.n for c in answer.citations}
    assert markers == numbers, f"markers {markers} vs citations {numbers}"
    for c in answer.citations:
        assert assistant.document_text(c.doc_id)[c.start : c.end] == c.quote


def test_every_citation_on_the_dev_set_points_at_its_exact_passage(bundled: Assistant, dev_set: Dataset) -> None:
    for item in dev_set.questions:
        assert_citations_valid(bundled, bundled.ask(item.question))


def test_a_factual_answer_leads_with_the_sentence_that_holds_the_fact(bundled: Assistant) -> None:
    answer = bundled.ask("Milton Keynes was designed for how many people, and how many live there now?")
    first_quote = answer.citations[0].quote
    assert "288,000" in first_quote
    assert answer.answer_markdown.index("288,000") < answer.answer_markdown.index("[1]")


def test_quoted_sentences_are_verbatim_and_attributed_to_their_author(bundled: Assistant) -> None:
    answer = bundled.ask("What does Jonathan McShane say the better care fund has proved to be?")
    assert "Jonathan McShane, cabinet member for social care on Hackney Council" in answer.answer_markdown
    assert "distraction" in answer.answer_markdown
    for c in answer.citations:
        assert f"“{c.quote}”" in answer.answer_markdown


def test_a_reader_comment_is_attributed_as_a_reader_comment(bundled: Assistant) -> None:
    answer = bundled.ask("What did Brian Fisher suggest the SHA should do next?")
    assert answer.answer_markdown.startswith("A reader comment by Brian Fisher")
    assert answer.citations[0].section == "comment"
    assert answer.citations[0].speaker == "Brian Fisher"


def test_a_comparison_draws_on_more_than_one_document(bundled: Assistant) -> None:
    answer = bundled.ask("How do the documents assess the ability of health and wellbeing boards?")
    assert len({c.doc_id for c in answer.citations}) >= 2


@pytest.mark.parametrize(
    "question",
    [
        "What did the Conservative Party's 2015 manifesto promise on social care?",
        "When is the Commission on Whole Person Care due to publish its final report?",
        "What share of Greater Manchester's health and care spend goes on adult social care?",
    ],
)
def test_a_question_the_library_does_not_answer_is_refused_with_related_passages(
    bundled: Assistant, question: str
) -> None:
    answer = bundled.ask(question)
    assert answer.refused
    assert answer.citations == []
    assert answer.related, "a refusal still shows the nearest passages"
    assert answer.answer_markdown.count(".") + answer.answer_markdown.count(";") <= 2


def test_a_question_the_library_answers_is_not_refused(bundled: Assistant) -> None:
    answer = bundled.ask("On what date did the sweeping structural changes to the NHS take effect?")
    assert not answer.refused
    assert "1 April 2013" in answer.answer_markdown


def test_filters_restrict_the_answer_to_the_chosen_documents(bundled: Assistant) -> None:
    only = "001_296eb1b625b7b62b"
    answer = bundled.ask("What is said about health and wellbeing boards?", filters=SearchFilters(doc_ids=[only]))
    assert answer.citations and {c.doc_id for c in answer.citations} == {only}


def test_a_year_filter_excludes_documents_outside_the_range(bundled: Assistant) -> None:
    answer = bundled.ask("What is said about integration?", filters=SearchFilters(year_from=2015, year_to=2025))
    years = {int(c.date[:4]) for c in answer.citations} | {int(p.date[:4]) for p in answer.related}
    assert years and all(2015 <= y <= 2025 for y in years)


def test_a_publisher_filter_is_applied(bundled: Assistant) -> None:
    answer = bundled.ask("What is said about integration?", filters=SearchFilters(publishers=["The MJ"]))
    assert {c.publisher for c in answer.citations} == {"The MJ"}


def test_an_overlong_question_is_rejected_with_a_clear_message(bundled: Assistant) -> None:
    with pytest.raises(QuestionTooLong, match="limited to"):
        bundled.ask("why " * 1000)


def test_the_answer_contract_round_trips_through_json(bundled: Assistant) -> None:
    answer = bundled.ask("What is the Town and Country Planning Association's campaign called?")
    again = Answer.model_validate_json(answer.model_dump_json())
    assert again == answer
    assert set(answer.timings_ms) >= {"retrieve_ms", "answer_ms", "total_ms"}


def test_who_wrote_a_document_names_no_publisher_the_document_does_not_state(bundled: Assistant) -> None:
    answer = bundled.ask("Who wrote “Labour's 10-year plan for health and care: integration is the real issue”?")
    assert "Jonathan McShane" in answer.answer_markdown
    assert "published by" not in answer.answer_markdown and "unnamed" not in answer.answer_markdown
