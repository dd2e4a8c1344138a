"""Reading a question: its parts, and the kind of thing each part asks for (and what holds one)."""

from __future__ import annotations

import pytest

from assistant.answer.question import facts_of, holds, kind_asked, read_question


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What proportion of the extra jobs will need only level 2 qualifications?", "share"),
        ("By what percentage must running costs fall?", "share"),
        ("How long is it since the standard was last met?", "duration"),
        ("How soon must the form reach the team?", "duration"),
        ("What ambulance handover times should hospitals work towards?", "duration"),
        ("How often must the board meet?", "frequency"),
        ("When will ICBs take over commissioning of screening?", "date"),
        ("By when should the plan be published?", "date"),
        ("How much will revenue budgets grow over the period?", "money"),
        ("How many community diagnostic centres will be open?", "number"),
        ("What four-hour A&E performance must each trust reach?", "number"),
        ("Who decides whether a trust enters the programme?", "who"),
        ("How does the framework define credible plans?", "definition"),
        ("Why has integration been so hard since 2013?", "reason"),
        ("What should providers build into their plans?", "recommendation"),
        ("What did the review find about neighbourhood teams?", None),
    ],
)
def test_the_kind_of_answer_a_question_wants(question: str, kind: str | None) -> None:
    assert kind_asked(question) == kind


def test_a_when_clause_that_sets_the_scene_does_not_ask_for_a_date() -> None:
    assert kind_asked("When Simon Kirk asked about the minister, how did the author reply?") is None


def test_a_two_part_question_has_two_parts_each_with_its_own_kind() -> None:
    q = read_question("How many centres will be open by March 2025, and who should run them?")
    assert [p.asks for p in q.parts] == ["number", "who"]
    assert q.asks == "number"


def test_a_part_may_open_with_a_preposition_and_a_part_too_short_to_stand_alone_joins_the_next() -> None:
    q = read_question("What evidence should a clinician attach, and in what format?")
    assert [p.text for p in q.parts] == ["What evidence should a clinician attach", "in what format"]
    q = read_question("When, and in which publication, was the vision set out?")
    assert len(q.parts) == 1 and q.parts[0].asks == "date"


def test_a_preamble_lends_the_question_its_kind() -> None:
    q = read_question("Our board asks how much of its spend must be held back. What is the figure?")
    assert len(q.parts) == 1 and q.parts[0].asks in ("number", "share")


def test_comparisons_are_between_documents_not_any_use_of_each() -> None:
    assert read_question("Do the BMC review and the NHS guidelines agree on shared records?").comparison
    assert read_question("What do the SHA blog and the 'making it a reality' article each say about it?").comparison
    assert not read_question("What four-hour performance must each trust reach?").comparison


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("number", "170 community diagnostic centres will be open.", True),
        ("number", "Plans for 2025/26 will be published.", False),  # a year is not a figure
        ("share", "Every trust to improve to 82% by March 2027.", True),
        ("money", "Revenue will rise to £226 billion in 2028/29.", True),
        ("date", "ICBs will take over commissioning from April 2026.", True),
        ("duration", "Handovers should take no longer than 45 minutes.", True),
        ("duration", "A decision is due within 30 working days of receipt.", True),
        ("who", "NHS England regional teams should agree the outcomes.", True),
        ("recommendation", "Providers must reduce their cost base.", True),
        ("recommendation", "The cost base fell last year.", False),
        ("recommendation", "Then take a year to work towards a ten-year plan for care.", True),  # an imperative
        ("recommendation", "Share records across partners.", True),
        ("recommendation", "Share of trusts rose last year.", False),  # the verb's word used as a noun
        ("recommendation", "Review of the data showed gains.", False),
    ],
)
def test_what_holds_the_kind_asked_for(kind: str, text: str, expected: bool) -> None:
    assert holds(kind, text) is expected


def test_facts_tell_a_new_figure_from_a_repeated_one() -> None:
    assert facts_of("share", "82% by March 2027 and 85% by 2028/29") == {"82%", "85%"}
    assert facts_of("number", "in 2025/26") == set()


def test_how_much_someone_paid_or_something_cost_asks_for_a_sum_of_money() -> None:
    assert kind_asked("How much did the board pay the consultants for the review?") == "money"
    assert kind_asked("How much will the new centres cost?") == "money"
    assert kind_asked("How much of the budget goes to prevention?") == "share"


def test_above_what_cost_asks_for_a_sum_of_money() -> None:
    assert kind_asked("Above what annual cost does a request need the board's approval?") == "money"
    assert kind_asked("Below what value may a manager sign off a contract?") == "money"
