"""The metric functions on small hand-made cases, and the aggregates over question results."""

from __future__ import annotations

import pytest

from evals.metrics import (
    METRICS,
    CitedPages,
    CitedSentence,
    citation_precision,
    citation_problems,
    citation_recall,
    cited_page_match,
    definitions,
    evidence_cited,
    faithfulness,
    first_hit_rank,
    key_fact_coverage,
    percentile,
    recall_at_k,
    reciprocal_rank,
    refusal_scores,
    whole_quotes,
)
from evals.results import Figures, SystemResult

RANKED = ["Alpha beta gamma.", "The city now has 288,000\u00a0residents.", "Delta epsilon.",
          "Zeta\n\n eta theta."]


def test_recall_counts_an_evidence_string_once_found_in_the_top_k() -> None:
    evidence = ["now has 288,000 residents", "eta  theta"]
    assert recall_at_k(evidence, RANKED, 1) == 0.0
    assert recall_at_k(evidence, RANKED, 2) == 0.5  # NBSP in the chunk matches a space
    assert recall_at_k(evidence, RANKED, 4) == 1.0  # newlines and doubled spaces too
    assert recall_at_k(["not there"], RANKED, 10) == 0.0


def test_evidence_is_matched_as_the_gold_sets_were_checked() -> None:
    # NFKC undoes ligatures; curly quotes and dashes are straightened (pypdf text vs gold strings)
    assert recall_at_k(["the ﬁnal ‘plan’ — agreed"], ["So the final 'plan' - agreed."], 1) == 1.0


def test_recall_does_not_join_evidence_across_chunks() -> None:
    assert recall_at_k(["gamma. The city"], RANKED, 4) == 0.0


def test_reciprocal_rank_is_one_over_the_first_hit() -> None:
    assert first_hit_rank(["Delta"], RANKED) == 3
    assert reciprocal_rank(["Delta", "288,000 residents"], RANKED) == pytest.approx(0.5)
    assert reciprocal_rank(["absent"], RANKED) == 0.0


def test_key_fact_coverage_is_case_and_quote_insensitive() -> None:
    answer = "Back in 1969 an article appeared in the Architects’ Journal."
    assert key_fact_coverage(["1969", "architects' journal"], answer) == 1.0
    assert key_fact_coverage(["1969", "Lancet"], answer) == 0.5
    assert key_fact_coverage(["1970"], answer) == 0.0


def test_refusal_scores_treat_unanswerable_as_positive() -> None:
    # (unanswerable, refused): one hit, one miss, one false refusal, one correct answer
    scores = refusal_scores([(True, True), (True, False), (False, True), (False, False)])
    assert scores.precision == 0.5 and scores.recall == 0.5 and scores.f1 == pytest.approx(0.5)
    assert refusal_scores([(False, False)]).precision is None  # nothing refused: undefined
    assert refusal_scores([(True, False)]).f1 == 0.0  # never refuses: precision n/a, F1 0
    assert refusal_scores([(False, False)]).f1 is None  # nothing to refuse, nothing refused
    assert refusal_scores([(True, False), (False, True)]).f1 == 0.0


def test_citation_problems_find_dangling_markers_and_wrong_quotes() -> None:
    docs = {"d1": "The city now has 288,000 residents."}
    good = {1: ("d1", 4, 8, "city")}
    assert citation_problems("It grew [1].", good, docs.__getitem__) == []
    assert citation_problems("It grew [1] [2].", good, docs.__getitem__) == ["[2] has no citation"]
    wrong = {1: ("d1", 0, 8, "city")}
    assert citation_problems("It grew [1].", wrong, docs.__getitem__) == ["[1] quote differs from d1[0:8]"]
    assert citation_problems("It grew.", {}, docs.__getitem__) == ["the answer cites nothing"]
    unknown = citation_problems("x [1]", {1: ("gone", 0, 1, "x")}, docs.__getitem__)
    assert unknown == ["[1] cites unknown document gone"]


def judge(sentence: str, passages: list[str]) -> bool:
    """A toy checker: supported when every word of the sentence is in the passages."""
    words = set(" ".join(passages).lower().split())
    return all(w in words for w in sentence.lower().strip(".").split())


def test_citation_recall_needs_the_cited_passages_to_support_the_sentence() -> None:
    sentences = [
        CitedSentence("red apples", ["red apples grow"]),
        CitedSentence("green pears", ["red apples grow"]),  # cited, but not supported
        CitedSentence("blue plums", []),  # not cited
        CitedSentence("red apples", [None]),  # dangling citation
    ]
    assert citation_recall(sentences, judge) == 0.25
    assert citation_recall([CitedSentence("red pears", ["red things", "pears too"])], judge) == 1.0


def test_citation_precision_counts_needed_or_sufficient_citations() -> None:
    # Both passages needed together: both relevant.
    assert citation_precision([CitedSentence("red pears", ["red things", "pears too"])], judge) == 1.0
    # The second passage is neither sufficient nor needed: irrelevant.
    assert citation_precision([CitedSentence("red pears", ["red pears", "blue sky"])], judge) == 0.5
    # An unsupported sentence makes all its citations irrelevant.
    assert citation_precision([CitedSentence("green", ["red", "blue"])], judge) == 0.0
    assert citation_precision([CitedSentence("uncited", [])], judge) == 0.0


def test_faithfulness_judges_against_all_the_context() -> None:
    context = ["red apples grow", "pears are green"]
    assert faithfulness(["red apples", "green pears", "blue plums"], context, judge) == pytest.approx(2 / 3)
    assert faithfulness([], context, judge) == 0.0


def test_percentile_interpolates_and_is_none_when_empty() -> None:
    assert percentile([100, 200, 300], 50) == 200
    assert percentile([0, 100], 95) == pytest.approx(95)
    assert percentile([], 50) is None


def test_evidence_cited_looks_in_the_cited_passages_only() -> None:
    evidence = ["now has 288,000 residents", "Delta epsilon"]
    assert evidence_cited(evidence, [RANKED[1]]) == 0.5
    assert evidence_cited(evidence, [RANKED[1], RANKED[2]]) == 1.0
    assert evidence_cited(evidence, []) == 0.0


def test_whole_quotes_are_sentences_items_or_rows_never_line_fragments() -> None:
    text = ("The council funds respite. Carers ask for it.\n\nICBs must ensure their plans:\n"
            "fewer avoidable admissions\n\nsuch cases, NHS clinicians can ask NHS England to fund a")

    def at(quote: str) -> tuple[str, int, int]:
        start = text.index(quote)
        return ("doc", start, start + len(quote))

    def share(*quotes: str) -> float:
        return whole_quotes([at(q) for q in quotes], lambda doc_id: text)

    assert share("The council funds respite.", "Carers ask for it.") == 1.0  # sentences
    assert share("The council funds respite. Carers ask for it.") == 1.0
    assert share("fewer avoidable admissions") == 1.0  # a whole list item needs no full stop
    assert share("ICBs must ensure their plans:\nfewer avoidable admissions") == 1.0  # lead-in and item
    assert share("council funds respite.") == 0.0  # starts mid-sentence
    assert share("The council funds") == 0.0  # ends mid-sentence
    assert share("such cases, NHS clinicians can ask NHS England to fund a") == 0.0  # a line broken off
    assert share("Carers ask for it.", "The council funds") == 0.5
    listed = "The report covers three areas:\n\nthe current picture of data professionals,\nvacancies, and\nestimates."
    assert whole_quotes([("d", listed.index(q), listed.index(q) + len(q)) for q in ("vacancies, and",
                        "the current picture of data professionals,")], lambda doc_id: listed) == 1.0


def test_cited_page_match_needs_a_gold_page_of_a_gold_document() -> None:
    gold = {"plan.pdf": {5, 6}, "other.pdf": {2}}
    assert cited_page_match(gold, [CitedPages("plan.pdf", 6, None)]) == 1.0
    assert cited_page_match(gold, [CitedPages("plan.pdf", 3, 5)]) == 1.0  # a quote crossing onto page 5
    assert cited_page_match(gold, [CitedPages("plan.pdf", 2, None)]) == 0.0  # page 2 is other.pdf's
    assert cited_page_match(gold, [CitedPages("elsewhere.pdf", 5, None)]) == 0.0  # not a gold document
    assert cited_page_match(gold, [CitedPages("plan.pdf", None, None)]) is None  # no pages yet: n/a
    assert cited_page_match({}, [CitedPages("plan.pdf", 5, None)]) is None  # the set gives no pages


def test_every_metric_is_defined_and_exists_on_figures(good_system: SystemResult) -> None:
    figures = good_system.overall
    for metric in METRICS:
        assert metric.definition, metric.key
        figures.value(metric.key)  # raises if the key is not a figure
    assert len(definitions()) < len(METRICS)  # grouped by defining function


def test_figures_average_over_the_right_questions(
    good_system: SystemResult, weak_system: SystemResult
) -> None:
    good: Figures = good_system.overall
    assert good.recall_at_5 == pytest.approx((1 + 0.5 + 1 + 1) / 4)  # answerable only
    assert good.refusal_precision == 1.0 and good.refusal_recall == 1.0
    assert good.citation_validity == 1.0
    weak: Figures = weak_system.overall
    assert weak.key_fact_coverage == pytest.approx((0 + 0.5 + 0 + 1) / 4)  # the refusal covers nothing
    assert weak.refusal_recall == 0.0 and weak.refusal_precision == 0.0 and weak.refusal_f1 == 0.0
    assert weak.citation_validity == pytest.approx(3 / 4)  # over answers given, refusals excluded
    assert weak.faithfulness == pytest.approx((1 + 1 + 0.5 + 1) / 4)
    assert good_system.by_type["history"].recall_at_5 == 0.5
    assert good_system.by_type["unanswerable"].recall_at_5 is None


def test_gold_evidence_copied_from_raw_extraction_is_found_in_the_reading_text() -> None:
    from evals.metrics import evidence_form, recall_at_k

    reading = "Leaders will need all those skills to become data-driven organisations."
    assert recall_at_k(["Leaders wil need al those skil s to become data- driven"], [reading], 1) == 1.0
    assert evidence_form("pre- and post-operative care") == "pre-and post-operative care"  # the price of it


def test_gold_evidence_copied_from_a_markdown_source_is_found_in_its_rendered_reading_text() -> None:
    from evals.metrics import evidence_cited, recall_at_k

    reading = "Spend has reduced from £3.5 billion in 2022/23 (4.5% of total pay).\nImprove A&E waiting times, so that 85% of communities benefit"
    assert recall_at_k([r"Spend has reduced from £3.5 bil ion in 2022/23 \(4.5% of total pay\)"], [reading], 1) == 1.0
    assert recall_at_k(["• Improve A&E waiting times, so that **85%** of communities"], [reading], 1) == 1.0
    assert evidence_cited([r"\(4.5% of total pay\) and **more**"], [reading]) == 0.0  # still must be there
