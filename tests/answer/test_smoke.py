"""The shortest path through the product: ingest the bundled library, ask, get a cited answer."""

from assistant import Assistant


def test_a_factual_question_is_answered_with_a_valid_citation(bundled: Assistant) -> None:
    answer = bundled.ask("How many residents does Milton Keynes have now?")
    assert not answer.refused
    assert "288,000" in answer.answer_markdown
    assert "[1]" in answer.answer_markdown
    for c in answer.citations:
        assert bundled.document_text(c.doc_id)[c.start : c.end] == c.quote
