"""Choosing what to quote: the lead holds what is asked, a list item comes with its lead-in, extra
quotes only add asked-for facts, a named document answers for itself, and a filter that leaves
nothing relevant refuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant import Assistant, SearchFilters

GUIDANCE = """Neighbourhood health guidelines 2025/26

Published by the Borsetshire Integrated Care Board.

Each place should agree its neighbourhood priorities with its partners by June 2025.

ICBs must ensure their neighbourhood plans:

- improve timely access to general practice for housebound residents
- prevent avoidable long-term admissions to care homes
- publish a single shared care record for every resident by March 2026

The Borsetshire board meets every quarter to review progress.
"""


def _library(tmp_path: Path, make_assistant: Callable[..., Assistant],
             name: str = "borsetshire-neighbourhood-guidelines.txt", text: str = GUIDANCE) -> Assistant:
    """An assistant over a library of one document."""
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    assistant = make_assistant()
    assert not assistant.ingest([folder]).partial
    return assistant


def test_a_list_item_is_quoted_after_the_lead_in_that_introduces_it(
    tmp_path: Path, make_assistant: Callable[..., Assistant]
) -> None:
    assistant = _library(tmp_path, make_assistant)
    answer = assistant.ask("What must ICB neighbourhood plans do about access to general practice?")
    quotes = [c.quote for c in answer.citations]
    assert "ICBs must ensure their neighbourhood plans:" in quotes
    assert any("improve timely access to general practice" in q for q in quotes)
    assert quotes.index("ICBs must ensure their neighbourhood plans:") < next(
        i for i, q in enumerate(quotes) if "improve timely access" in q)


def test_the_lead_holds_the_kind_of_thing_asked_for(tmp_path: Path, make_assistant: Callable[..., Assistant]) -> None:
    assistant = _library(tmp_path, make_assistant)
    how_often = assistant.ask("How often does the Borsetshire board meet to review progress?")
    assert "every quarter" in how_often.citations[0].quote
    by_when = assistant.ask("By when should each place agree its neighbourhood priorities?")
    assert "June 2025" in by_when.citations[0].quote


def test_an_answer_from_one_document_is_not_padded_with_others(bundled: Assistant) -> None:
    answer = bundled.ask("What campaign is the Town and Country Planning Association running?")
    assert not answer.refused
    assert len({c.doc_id for c in answer.citations}) == 1
    assert "Reunite Health with Planning" in answer.citations[0].quote


def test_a_question_naming_a_document_is_answered_from_that_document(bundled: Assistant) -> None:
    answer = bundled.ask("What does the SHA blog say about how care should be funded?")
    assert not answer.refused
    assert {c.doc_id for c in answer.citations} == {"002_f81a2e93510845b4"}


def test_a_filter_to_documents_that_do_not_answer_refuses(bundled: Assistant) -> None:
    only = SearchFilters(doc_ids=["000_880d7357cb23477c"])  # Milton Keynes: nothing on the TCPA's campaign
    answer = bundled.ask("What campaign is the Town and Country Planning Association running?", filters=only)
    assert answer.refused
    assert answer.citations == []


PROCEDURE = """Individual funding requests: standard operating procedure

Published by the Borsetshire Integrated Care Board.

Where a provider starts treating a patient because of clinical urgency, the completed request form must reach the funding team
within two working days of the first treatment. The funding team will not process forms that arrive
later than this. If the request is approved, funding is backdated to the date on which the form arrived.
Costs will not be reimbursed if the panel declines the request.

The panel meets three times a month. Its members are drawn from the board's clinical leads.
"""


def test_a_further_part_of_the_question_is_answered_where_the_document_answers_it(
    tmp_path: Path, make_assistant: Callable[..., Assistant]
) -> None:
    assistant = _library(tmp_path, make_assistant, "funding-requests.txt", PROCEDURE)
    answer = assistant.ask("If a trust starts treatment urgently, how soon must the request reach the funding "
                           "team, and what happens to the treatment costs?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "within two working days" in answer.citations[0].quote
    assert "Costs will not be reimbursed" in quotes


PLATFORM = """Data platform update

Published by the Borsetshire Integrated Care Board.

All partners must connect their own systems to the shared data platform, and 12 teams already have.

The board will support adoption of the shared data platform to 85% of all care homes by March 2026.

Members agreed a timetable of 4 workshops on records for the spring.
"""


def test_a_unit_holding_the_asked_for_figure_about_the_subject_leads_over_one_about_something_else(
    tmp_path: Path, make_assistant: Callable[..., Assistant]
) -> None:
    assistant = _library(tmp_path, make_assistant, "platform.txt", PLATFORM)
    answer = assistant.ask("How far has the data platform got, and what level of adoption does the board aim for?")
    assert not answer.refused
    assert any("85% of all care homes" in c.quote for c in answer.citations)


RECORD_PLAN = """Borsetshire shared care record plan 2025/26

Published by the Borsetshire Integrated Care Board.

The board will connect every care home to the shared care record by March 2026.

Borsetshire shared care record plan 2025/26 2.

Partners agreed that social workers should see hospital discharge summaries within a day.
"""


def test_a_line_repeating_the_title_is_never_quoted_however_many_words_it_shares(
    tmp_path: Path, make_assistant: Callable[..., Assistant]
) -> None:
    assistant = _library(tmp_path, make_assistant, "borsetshire-care-record-plan.txt", RECORD_PLAN)
    for question in ("How far has the Borsetshire shared care record plan 2025/26 got?",
                     "What does the Borsetshire shared care record plan 2025/26 say?"):
        answer = assistant.ask(question)
        assert not answer.refused
        assert all("2025/26 2." not in c.quote for c in answer.citations), answer.answer_markdown
