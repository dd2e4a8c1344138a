"""The agreement checks, one failure class each: what a claim says against what the passages say.

No model: these are the rules the calibrated verdict weighs (assistant.grounding.agreement).
"""

from __future__ import annotations

from assistant.common.text import content_stems
from assistant.grounding.agreement import direction_problems, fact_problems, opening_problem
from assistant.grounding.alignment import align, sources
from assistant.grounding.facts import facts, source_keys


def _problems(claim: str, passage: str, question: str = "") -> list[str]:
    src = sources((passage,))
    claim_facts = facts(claim)
    region = align(set(content_stems(claim)), claim_facts, src)
    found = [*fact_problems(claim, claim_facts, src, region, source_keys(question) if question else frozenset()),
             *opening_problem(claim, src, region), *direction_problems(claim, src, region)]
    return [p.kind for p in found]


RATS = "Rats carry the virus in their saliva. The infection spreads quickly in cities."


def test_an_opening_connective_is_not_a_name() -> None:
    assert _problems("Additionally, the virus is carried in the saliva of rats.", RATS) == []
    assert _problems("However, the infection spreads quickly in cities.", RATS) == []
    assert _problems("None of the rats carry the virus in their saliva.", RATS) == []


def test_a_name_swapped_at_the_opening_is_still_caught() -> None:
    passage = "Andy Burnham is the mayor of Greater Manchester. He was elected in 2017."
    assert "missing_name" in _problems("Pickles Burnham is the mayor of Greater Manchester.", passage)


def test_a_number_is_compared_by_what_it_counts() -> None:
    passage = "The scheme ran for 3 years and reached most councils."
    assert "unit" in _problems("The scheme lasted 3% and reached most councils.", passage)
    assert _problems("The scheme ran for three years and reached most councils.", passage) == []


def test_a_direction_word_turned_round_is_caught_like_a_negation() -> None:
    passage = "Emergency admissions fell sharply in 2022 across the region."
    assert "direction" in _problems("Emergency admissions rose sharply in 2022 across the region.", passage)
    assert "direction" not in _problems("Emergency admissions dropped sharply in 2022 across the region.", passage)
    likely = "Patients are unlikely to need a second appointment after the first visit."
    assert "direction" in _problems("Patients are likely to need a second appointment after the first visit.", likely)


def test_an_invented_comparison_is_caught() -> None:
    passage = "The size of urban and rural practices differs, and both serve their local populations."
    assert "comparison" in _problems("Urban practices are generally larger than rural practices.", passage)


def test_broken_ligatures_in_the_source_do_not_hide_a_figure() -> None:
    passage = "The programme reached 14.8 mil ion people, a signi cant share of the population."
    assert _problems("The programme reached 14.8 million people.", passage) == []
    assert src_has("significant", passage)


def src_has(word: str, passage: str) -> bool:
    return sources((passage,)).loosely_has(word)


def test_a_fact_the_question_gives_is_not_missing() -> None:
    passage = "The surgery opens at 8am and closes at 6pm on weekdays."
    assert _problems("In Leeds, the surgery opens at 8am on weekdays.", passage, "When does the Leeds surgery open?") == []
    assert "missing_name" in _problems("In Leeds, the surgery opens at 8am on weekdays.", passage)


def test_dotted_acronyms_match_their_spelled_out_names() -> None:
    passage = "The United States and the United Kingdom signed the treaty in 1998."
    assert _problems("The U.S. and the UK signed the treaty in 1998.", passage) == []
