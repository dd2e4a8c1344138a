"""A quoted document's own bracketed reference numbers never read as our citations."""

from __future__ import annotations

from assistant.common.markers import marker_numbers, unmarked


def test_a_papers_reference_numbers_in_a_quote_are_escaped_not_read_as_citations() -> None:
    quote = unmarked("as applied in this study [16], see also [Source 2] and [1-3].")
    assert marker_numbers(quote) == []
    assert quote == r"as applied in this study \[16\], see also \[Source 2\] and \[1-3\]."
    assert marker_numbers(f"“{quote}” [1]") == [1]
