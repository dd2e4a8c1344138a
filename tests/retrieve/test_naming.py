"""Which documents a question names, by the words that describe them (not their text)."""

from __future__ import annotations

from assistant.models import DocumentMeta
from assistant.retrieve.naming import read_naming

METAS = {
    "mtpf": DocumentMeta(doc_id="mtpf", title="Medium Term Planning Framework", publisher="NHS England",
                         date="2025-10-24", source="/lib/medium-term-planning-framework-2026-27.md"),
    "pf": DocumentMeta(doc_id="pf", title="Planning framework for the NHS in England", publisher="NHS England",
                       date="2025-09-08", source="/lib/nhse-planning-framework.md"),
    "sha": DocumentMeta(doc_id="sha", title="Whole person care: the hard work follows",
                        publisher="Socialist Health Association (SHA) blog", authors=["Richard Bourne"]),
    "blog": DocumentMeta(doc_id="blog", title="Integration is the real issue", publisher="The MJ",
                         authors=["Jonathan McShane"]),
}


def test_a_title_phrase_names_its_document_most_clearly() -> None:
    named = read_naming("What does the Medium Term Planning Framework expect of trusts?", METAS).scores
    assert named["mtpf"] == 1.0
    assert named["pf"] < 1.0 and named["sha"] == 0.0


def test_the_publication_month_tells_two_frameworks_apart() -> None:
    named = read_naming("What did the September 2025 planning framework say?", METAS).scores
    assert named["pf"] == 1.0 > named["mtpf"]


def test_an_acronym_only_one_document_carries_and_an_authors_surname_name_it() -> None:
    assert read_naming("What does the SHA blog propose?", METAS).scores["sha"] == 1.0
    assert read_naming("What does McShane say about boards?", METAS).scores["blog"] == 1.0


def test_a_question_naming_nothing_gives_every_document_zero() -> None:
    assert set(read_naming("How should care be integrated?", METAS).scores.values()) == {0.0}


def test_two_documents_each_named_outright_are_both_named_however_clearly_the_other_is() -> None:
    metas = {**METAS, "mir": DocumentMeta(doc_id="mir", title="Integrated care: making it a reality")}
    named = read_naming("What do the SHA blog and the 'making it a reality' article each say about "
                        "whole person care?", metas).scores
    assert named["sha"] == 1.0 and named["mir"] == 1.0
    assert named["blog"] < 1.0


def test_title_words_used_as_a_topic_name_no_source_but_words_pointing_at_a_document_do() -> None:


    topic = read_naming("Who leads the Commission on Whole Person Care?", METAS)
    assert topic.scores["sha"] == 1.0 and not topic.sources  # the commission's name, not the blog's title
    assert read_naming("What does the Whole Person Care blog say about funding?", METAS).sources == {"sha"}
    assert read_naming("What does the SHA say about funding?", METAS).sources == {"sha"}  # an acronym names its source
