"""The grounding checker, read as a specification: what counts as supported, and what does not.

Passages are real paragraphs of the bundled library; the embedder is the real all-MiniLM-L6-v2.
"""

from __future__ import annotations

import time
from functools import cache

import pytest

from assistant.common.text import sentence_spans
from assistant.config import BUNDLED_KNOWLEDGE
from assistant.grounding import GroundingChecker
from assistant.index.embedder import SentenceTransformerEmbedder
from evals.grounding.fabrication import (
    FABRICATED_KINDS,
    TRUE_KINDS,
    build_cases,
    evaluate_checker,
    library_paths,
)


@cache
def paragraph(needle: str) -> str:
    """The paragraph (line) of the bundled library that contains `needle`."""
    for path in sorted(BUNDLED_KNOWLEDGE.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if needle in line:
                return line
    raise LookupError(needle)


MILTON_KEYNES = "A city designed to be home for a quarter of a million people"
SPENDING_REVIEW = "In the Comprehensive Spending Review"
APRIL_2013 = "took place on 1 April 2013"
LAMB = "Indeed so passionate is the current (Lib Dem) care minister Norman Lamb"
PEOPLE = "Nothing matters more to people"
BETTER_CARE_FUND = "The better care fund has proved a distraction"


@pytest.fixture(scope="module")
def checker(embedder: SentenceTransformerEmbedder) -> GroundingChecker:
    return GroundingChecker(embedder)


def check(checker: GroundingChecker, sentence: str, *needles: str):  # type: ignore[no-untyped-def]
    return checker.check(sentence, [paragraph(n) for n in needles])


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


# Supported


def test_a_verbatim_quote_is_supported_whatever_its_quotes_markers_and_case(checker: GroundingChecker) -> None:
    verdict = check(checker, "A city designed to be home for a quarter of a million people now has 288,000 "
                             "residents. [1]", MILTON_KEYNES)
    assert verdict.supported and verdict.score == 1.0 and verdict.reasons == []
    assert check(checker, "Chancellor George Osbourne described this as: \"Integrated health and social care: "
                          "no longer a vague aspiration but concrete reality", SPENDING_REVIEW).supported


def test_a_quote_with_words_left_out_is_supported(checker: GroundingChecker) -> None:
    assert check(checker, "The Coalition government announced that ... it will bring together £3.8 billion of "
                          "the NHS and social care budgets", SPENDING_REVIEW).supported


@pytest.mark.parametrize(
    ("sentence", "needle"),
    [
        ("Milton Keynes was planned for a quarter of a million people but today has 288,000 residents.",
         MILTON_KEYNES),
        ("The coalition will pool £3.8bn of NHS and social care budgets by 2015/16 for jointly commissioned "
         "services.", SPENDING_REVIEW),
        ("Norman Lamb is so passionate about integration that he abandoned his civil service-written speech "
         "and spoke without notes.", LAMB),
        ("People resent the gaps between health and social care, a difference they do not understand.", PEOPLE),
        ("McShane says the better care fund is a distraction because it brings no new money.", BETTER_CARE_FUND),
        ("The sweeping changes to the NHS took effect on April 1, 2013.", APRIL_2013),
    ],
)
def test_a_paraphrase_is_supported(checker: GroundingChecker, sentence: str, needle: str) -> None:
    verdict = check(checker, sentence, needle)
    assert verdict.supported, verdict.reasons


def test_a_sentence_drawing_on_two_cited_passages_is_supported(checker: GroundingChecker) -> None:
    verdict = check(checker, "Milton Keynes now has 288,000 residents, and £3.8 billion of NHS and social care "
                             "budgets will be brought together by 2015/16.", MILTON_KEYNES, SPENDING_REVIEW)
    assert verdict.supported, verdict.reasons


# Unsupported, with the reason


def test_a_changed_number_is_flagged_and_named(checker: GroundingChecker) -> None:
    verdict = check(checker, "A city designed to be home for a quarter of a million people now has 298,000 "
                             "residents.", MILTON_KEYNES)
    assert not verdict.supported
    assert verdict.reasons == ["the number 298,000 is not in the cited passage"]


def test_an_amount_in_another_scale_is_flagged(checker: GroundingChecker) -> None:
    verdict = check(checker, "The coalition will pool £3.8 million of NHS and social care budgets.", SPENDING_REVIEW)
    assert not verdict.supported
    assert "£3.8 million" in verdict.reasons[0]


def test_a_figure_moved_to_another_place_in_the_passage_is_flagged(checker: GroundingChecker) -> None:
    verdict = check(checker, "A city designed to be home for 288,000 people now has 288,000 residents.",
                    MILTON_KEYNES)
    assert not verdict.supported
    assert "does not match" in verdict.reasons[0] and "quarter of a million" in verdict.reasons[0]


def test_a_changed_date_is_flagged_as_a_date(checker: GroundingChecker) -> None:
    verdict = check(checker, "The NHS is currently making sense of the sweeping changes that took place on "
                             "1 April 2014.", APRIL_2013)
    assert not verdict.supported
    assert verdict.reasons == ["the date 1 April 2014 is not in the cited passage"]
    month = check(checker, "The sweeping changes took place on 1 June 2013.", APRIL_2013)
    assert not month.supported and "the date 1 June 2013" in month.reasons[0]


def test_a_changed_year_is_flagged_as_a_year(checker: GroundingChecker) -> None:
    verdict = check(checker, "The Coalition government announced that by 2017/18 it will bring together £3.8 "
                             "billion of the NHS and social care budgets.", SPENDING_REVIEW)
    assert not verdict.supported
    assert "the year 2017" in verdict.reasons[0]


def test_a_name_not_in_the_sources_is_flagged_and_named(checker: GroundingChecker) -> None:
    verdict = check(checker, "Indeed so passionate is the current care minister Andy Burnham about the subject "
                             "that he abandoned his speech.", LAMB)
    assert not verdict.supported
    assert verdict.reasons == ["names Andy Burnham, not in the sources"]


def test_a_name_swapped_for_another_in_the_same_passage_is_detected_and_weighed(checker: GroundingChecker) -> None:
    """The swap is found; whether it alone rejects the sentence is the calibrated verdict's call
    (on real answers a name "swap" is often a paraphrase, so it is weighed, not a veto)."""
    passages = [paragraph("In Brighton Ed Milliband"), paragraph("led by Sir John Oldham")]
    swapped = ("In Brighton Ed Milliband and Sir John Oldham (together with his excellent team) set out more about "
               "the emerging policy for an integrated care system providing whole person care.")
    signals, _ = checker.signals(swapped, passages)
    swaps = [p for p in signals.problems if p.kind == "swapped_name"]
    assert swaps and swaps[0].reason.startswith("names Sir John Oldham where the cited passages have")
    original = next(s for s in sentences(passages[0]) if "In Brighton Ed Milliband" in s)
    assert checker.check(swapped, passages).score < checker.check(original, passages).score


def test_names_are_compared_whatever_their_case_and_capitals_that_open_a_sentence_are_not_names(
    checker: GroundingChecker,
) -> None:
    assert check(checker, "The care minister NORMAN LAMB told a localis briefing his speech was 'rubbish'.",
                 LAMB).supported
    assert check(checker, "Passionate about the subject, the care minister told a Localis briefing his speech "
                          "was 'rubbish'.", LAMB).supported


def test_a_negation_added_is_flagged(checker: GroundingChecker) -> None:
    verdict = check(checker, "A city designed to be home for a quarter of a million people does not now have "
                             "288,000 residents.", MILTON_KEYNES)
    assert not verdict.supported
    assert verdict.reasons[0].startswith("it adds a negation to the cited passage")


@pytest.mark.parametrize(
    ("sentence", "needle"),
    [
        ("People understand the difference between the health and social care systems.", PEOPLE),
        ("Integrated health and social care: a vague aspiration but concrete reality.", SPENDING_REVIEW),
        ("The better care fund has proved a distraction that brings new money.", BETTER_CARE_FUND),
    ],
)
def test_a_negation_dropped_is_flagged(checker: GroundingChecker, sentence: str, needle: str) -> None:
    verdict = check(checker, sentence, needle)
    assert not verdict.supported
    assert verdict.reasons[0].startswith("it drops the negation of the cited passage")


def test_a_sentence_citing_the_wrong_passage_is_flagged(checker: GroundingChecker) -> None:
    verdict = check(checker, "Norman Lamb said the health system was already fragmented anyway.", MILTON_KEYNES)
    assert not verdict.supported
    topical = check(checker, "Health and wellbeing boards are likely to have a pivotal scrutiny role.", PEOPLE)
    assert not topical.supported
    assert "does not say this" in topical.reasons[0]


SCATTERED = ("Great summary of the goal and the challenges, Richard. The council met on Tuesday to agree its "
             "budget. Every member of staff was consulted on the plan. Parking charges will rise next year. "
             "The National Health Service is under pressure this winter.")


def test_a_claim_made_of_words_gathered_from_all_over_the_passage_is_unsupported(checker: GroundingChecker) -> None:
    """Every word is in the passage, but no sentence says it, and its meaning is far from all of them
    (a small model's invention); the sentences it does draw on are still supported."""
    made_up = checker.check("Richard is a member of the National Health Service.", [SCATTERED])
    assert not made_up.supported and "does not say this" in made_up.reasons[0]
    assert checker.check("Every member of staff was asked about the plan.", [SCATTERED]).supported
    assert checker.check("The NHS is under pressure this winter.", [SCATTERED]).supported


def test_a_sentence_citing_nothing_is_unsupported(checker: GroundingChecker) -> None:
    assert checker.check("Milton Keynes now has 288,000 residents.", []).reasons == ["it cites no passage"]


def test_a_check_on_cached_passages_takes_milliseconds(checker: GroundingChecker) -> None:
    passages = [paragraph(MILTON_KEYNES), paragraph(SPENDING_REVIEW)]
    sentence = "Milton Keynes was planned for a quarter of a million people but now has 298,000 residents."
    checker.check(sentence, passages)
    started = time.perf_counter()
    for _ in range(50):
        checker.check(sentence, passages)
    assert (time.perf_counter() - started) / 50 < 0.05  # generous: the machine is shared


# The planted-fabrication bar


@pytest.fixture(scope="module")
def planted(checker: GroundingChecker):  # type: ignore[no-untyped-def]
    cases = [c for name, paths in library_paths().items()
             for c in build_cases(paths, seed=11, per_kind=40 if name == "bundled" else 25, prefix=name)]
    return cases, evaluate_checker(checker, cases)


def test_planted_fabrications_are_caught_with_few_false_alarms(planted) -> None:  # type: ignore[no-untyped-def]
    cases, report = planted
    print(report.summary())
    assert {c.kind for c in cases} == {*TRUE_KINDS, *FABRICATED_KINDS}
    assert report.detection_rate >= 0.95, report.summary()
    assert report.false_alarm_rate <= 0.05, report.summary()
    assert report.meets_bar


def test_every_fabrication_changes_its_real_sentence_and_true_ones_are_real(planted) -> None:  # type: ignore[no-untyped-def]
    cases, _ = planted
    for case in cases:
        if case.kind == "verbatim":
            assert case.sentence == case.original and any(case.sentence in p for p in case.passages)
        if case.fabricated and case.kind != "wrong_passage":
            assert case.sentence != case.original and case.change


def test_the_planted_cases_are_the_same_for_the_same_seed() -> None:
    paths = library_paths(include_shared=False)["bundled"]
    first, second = build_cases(paths, seed=3, per_kind=10), build_cases(paths, seed=3, per_kind=10)
    assert [c.model_dump() for c in first] == [c.model_dump() for c in second]
    assert [c.sentence for c in build_cases(paths, seed=4, per_kind=10)] != [c.sentence for c in first]


# Real LLM answers: the failure classes of RAGTruth-style answers


P60 = "You must give your employees a P60 by 31 May each year, showing the tax they paid."


def test_light_paraphrase_of_a_rule_is_supported(checker: GroundingChecker) -> None:
    verdict = checker.check("It is required to be given to employees by 31 May.", [P60],
                            question="When must employers give a P60 to employees?")
    assert verdict.supported, verdict.reasons


def test_words_from_the_question_may_be_repeated(checker: GroundingChecker) -> None:
    passage = "Techs in Alaska have the highest average pay, at about $23.70 per hour."
    question = "How much do automotive technicians earn in Alaska?"
    assert checker.check("Automotive technicians in Alaska earn about $23.70 per hour.", [passage],
                         question=question).supported


def test_a_figure_broken_by_pdf_extraction_still_supports_the_claim(checker: GroundingChecker) -> None:
    passage = "The programme reached 14.8 mil ion people in its first year, the report says."
    assert checker.check("The programme reached 14.8 million people in its first year.", [passage]).supported


def test_a_direction_turned_round_is_unsupported_and_its_word_named(checker: GroundingChecker) -> None:
    passage = "Emergency admissions fell sharply in 2022 across the region, the trust reported."
    verdict = checker.check("Emergency admissions rose sharply in 2022 across the region.", [passage])
    assert not verdict.supported and "rose" in verdict.unsupported


def test_an_answer_is_read_as_claims_and_framing(checker: GroundingChecker) -> None:
    answer = ("Here is a summary of the article in 48 words: Milton Keynes now has 288,000 residents. "
              "I hope this helps!")
    checks = checker.check_answer(answer, [paragraph(MILTON_KEYNES)])
    assert [c.kind for c in checks] == ["claim", "framing"] and all(c.support.supported for c in checks)
    assert checks[0].draft.text.endswith("Milton Keynes now has 288,000 residents.")
