"""The terms BM25 and lexical matching compare keep figures, financial years and acronyms whole."""

from __future__ import annotations

from assistant.index.search_text import keyword_tokens


def test_financial_years_are_one_term_however_they_are_written() -> None:
    assert "2025/26" in keyword_tokens("plans for 2025/26")
    assert "2025/26" in keyword_tokens("plans for 2025-26")
    assert "2025/26" in keyword_tokens("plans for 2025 - 26")


def test_acronyms_with_an_ampersand_stay_whole() -> None:
    assert "a&e" in keyword_tokens("A&E waiting times")


def test_figures_and_magnitudes_are_kept() -> None:
    tokens = keyword_tokens("£3.5bn for 250,000 people, 82% of them")
    assert {"3.5", "billion", "250,000", "82%"} <= set(tokens)


def test_a_hyphenated_word_meets_its_spaced_and_closed_up_forms() -> None:
    tokens = set(keyword_tokens("four-hour standard"))
    assert {"four", "hour", "fourhour"} <= tokens
    assert set(keyword_tokens("four hour")) <= tokens


def test_stopwords_go_and_words_are_stemmed_in_order() -> None:
    assert keyword_tokens("The boards are planning") == ["board", "plan"]


def test_a_question_can_count_a_hyphenated_word_once_per_part() -> None:
    assert keyword_tokens("the 10-year plan", closed_forms=False) == ["10", "year", "plan"]
