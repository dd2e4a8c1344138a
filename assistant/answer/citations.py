"""What every answerer builds its Answer from: citations, related passages, attributions, refusals.

Shared by the extractive answerer, the generative answerer and the guard, so a citation means
the same thing whichever path produced it: its quote is exactly `document_text[start:end]`.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.common.prompts import template
from assistant.common.text import sentence_spans
from assistant.config import Settings
from assistant.ingest.instructions import is_set_aside
from assistant.models import Answer, Chunk, Citation, DocumentMeta, DocumentStructure, Passage
from assistant.retrieve import ScoredChunk


def refusal(
    question: str, standalone: str, retrieved: list[ScoredChunk], metas: dict[str, DocumentMeta],
    settings: Settings, reason: str = "",
) -> Answer:
    """One sentence saying the library does not answer, with the nearest passages as related."""
    return Answer(
        question=question, standalone_question=standalone,
        answer_markdown=template(settings.prompts_dir, "refusal.txt"), refused=True, notice=reason,
        related=[to_passage(s, metas[s.chunk.doc_id]) for s in retrieved[:3]],
    )


def attribution(meta: DocumentMeta, section: str, speaker: str, words: dict[str, str]) -> str:
    """'Michael Bracey, chief executive of Milton Keynes City Council, writes in ...:'."""
    fields = {
        "author": meta.author_line, "role": meta.author_role, "title": meta.title,
        "publisher": meta.publisher, "year": meta.year or words["unknown_year"], "speaker": speaker,
    }
    if section == "comment" and speaker:
        key = "comment"
    elif section in ("teaser", "author note", "page furniture"):
        key = section.replace(" ", "_")
    elif meta.authors:
        key = "author_writes" if meta.author_role else "author_writes_no_role"
    else:
        key = "unattributed"
    return words[key].format(**fields)


def make_citation(
    n: int, meta: DocumentMeta, scored: ScoredChunk, start: int, end: int, doc_text: str, score: float
) -> Citation:
    """A citation whose quote is exactly doc_text[start:end]."""
    chunk = scored.chunk
    return Citation(
        n=n, doc_id=meta.doc_id, title=meta.title, author=meta.author_line, date=meta.date,
        date_inferred=meta.date_inferred, section=chunk.section, speaker=chunk.speaker, publisher=meta.publisher, source=meta.source,
        quote=doc_text[start:end], start=start, end=end, score=round(score, 4),
        context_start=min(chunk.start, start), context_end=max(chunk.end, end),
        heading=chunk.heading, page=chunk.page, page_end=chunk.page_end,
    )


def locate(answer: Answer, structure_of: Callable[[str], DocumentStructure]) -> Answer:
    """Give every citation the page(s) its quote lies on and the heading path above it, from
    its document's structure (a chunk's page is where the chunk starts, not the quote)."""
    for citation in answer.citations:
        structure = structure_of(citation.doc_id)
        if structure.page_starts:
            citation.page, citation.page_end = structure.page_span(citation.start, citation.end)
        if structure.blocks:
            citation.heading = structure.heading_at(citation.start) or citation.heading
    return answer


SET_ASIDE_PLACEHOLDER = "[a sentence addressed to an AI assistant was set aside here]"


def to_passage(scored: ScoredChunk, meta: DocumentMeta) -> Passage:
    """A retrieved chunk as a related passage; sentences addressed to an AI are replaced by a
    placeholder, so they reach no reader of the answer."""
    chunk = scored.chunk
    return Passage(
        chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, title=meta.title, author=meta.author_line,
        date=meta.date, date_inferred=meta.date_inferred, section=chunk.section, speaker=chunk.speaker, publisher=meta.publisher, source=meta.source,
        text=readable_text(chunk), start=chunk.start, end=chunk.end, score=round(scored.score, 4),
        heading=chunk.heading, page=chunk.page, page_end=chunk.page_end,
    )


def readable_text(chunk: Chunk) -> str:
    """The chunk's text with every sentence addressed to an AI replaced by a placeholder."""
    text = chunk.text
    hidden = [s for s in sentence_spans(text) if is_set_aside(chunk, chunk.start + s.start, chunk.start + s.end)]
    for span in reversed(hidden):
        text = text[: span.start] + SET_ASIDE_PLACEHOLDER + text[span.end :]
    return text
