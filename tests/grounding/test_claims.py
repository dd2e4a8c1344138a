"""What in an answer is a claim: framing, meta, hedges, refusals and the question restated are not."""

from __future__ import annotations

import pytest

from assistant.grounding.claims import asked, is_claim, kind, lead_stripped, parse


@pytest.mark.parametrize("sentence", [
    "Here is a summary of the article in 118 words:",
    "Sure, I can help you with that!",
    "Certainly! Here's a brief overview of the key points.",
    "I hope this helps!",
    "Let me know if you have any other questions.",
    "Summary:",
])
def test_framing_and_meta_are_not_claims(sentence: str) -> None:
    assert kind(sentence) in ("framing", "fragment")
    assert not is_claim(sentence)


@pytest.mark.parametrize("sentence", [
    "However, the passages do not provide specific information on how technicians are paid.",
    "I am unable to answer the question based on the given passages.",
    "There is no information about the 2019 budget in the passages.",
])
def test_saying_the_sources_do_not_cover_it_is_a_refusal_not_a_claim(sentence: str) -> None:
    assert kind(sentence) == "no_answer"


@pytest.mark.parametrize(("sentence", "claim"), [
    ("Based on the passages provided, automotive technicians are paid hourly.", "automotive technicians are paid hourly."),
    ("According to passage 2, the fund was cut by 10%.", "the fund was cut by 10%."),
    ("Passage 2 and passage 3 both indicate that rats carry the virus.", "rats carry the virus."),
    ("It is important to note that the grant ends in 2026.", "the grant ends in 2026."),
    ("The article states that the council raised taxes.", "the council raised taxes."),
    ("In summary, the plan was approved.", "the plan was approved."),
])
def test_a_framing_lead_in_is_cut_off_and_the_rest_is_the_claim(sentence: str, claim: str) -> None:
    assert lead_stripped(sentence) == claim
    assert kind(sentence) == "claim"


def test_the_question_restated_is_not_a_claim_but_an_answer_to_it_is() -> None:
    question = "How do automotive technicians get paid?"
    assert kind("Automotive technicians get paid.", question) == "restated"
    assert kind("Automotive technicians get paid by commission.", question) == "claim"
    assert kind("Automotive technicians do not get paid.", question) == "claim"
    assert kind("What does the report say?") == "question"


def test_asked_joins_the_question_and_its_standalone_rewrite_once() -> None:
    assert asked("And in 2019?", "What was the budget in 2019?") == "And in 2019?\nWhat was the budget in 2019?"
    assert asked("Same", "Same") == "Same"


def test_parse_keeps_where_each_sentence_is_in_the_answer() -> None:
    raw = "**Answer:** It has 288,000 residents [1]. Teams work best.\n- Third one [2]"
    drafts = parse(raw)
    assert [d.text for d in drafts] == ["It has 288,000 residents.", "Teams work best.", "Third one"]
    for d in drafts:
        assert d.text.rstrip(".") in raw[d.start : d.end]


def test_framing_that_runs_into_the_first_claim_is_cut_off() -> None:
    sentence = "Here is a summary of the article in 48 words: Milton Keynes now has 288,000 residents."
    assert kind(sentence) == "claim"
    assert lead_stripped(sentence) == "Milton Keynes now has 288,000 residents."
