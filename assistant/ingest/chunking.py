"""Sentence-aware chunks with exact character offsets, never crossing a section boundary.

LlamaIndex's SentenceSplitter was the first choice, but it strips and re-joins text, so its
chunks lose their offsets into the document and cannot back an exact citation. This packer uses
the same Punkt sentence model and records `start`/`end` for every chunk.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.common.text import Span, sentence_spans
from assistant.models import Chunk, Section

TokenCounter = Callable[[str], int]
_WORDS = re.compile(r"\S+")


def chunk_document(
    doc_id: str,
    content_hash: str,
    text: str,
    sections: list[Section],
    count_tokens: TokenCounter,
    chunk_size: int,
    overlap: int,
) -> list[Chunk]:
    """Pack whole sentences into chunks of about `chunk_size` tokens, `overlap` tokens shared."""
    chunks: list[Chunk] = []
    for section in sections:
        # The heading is embedded in front of each chunk (indexed_text), so it shares the budget.
        budget = max(chunk_size - (count_tokens(section.heading) + 1 if section.heading else 0), chunk_size // 2)
        spans = sentence_spans(text, section.start, section.end)
        sentences = _split_long(text, spans, count_tokens, budget)
        for start, end in _pack(text, sentences, count_tokens, budget, overlap):
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}:{content_hash[:12]}:{len(chunks):05d}",
                    doc_id=doc_id,
                    text=text[start:end],
                    start=start,
                    end=end,
                    section=section.label,
                    speaker=section.speaker,
                    heading=section.heading,
                    position=len(chunks),
                )
            )
    return chunks


def _pack(
    text: str, sentences: list[Span], count: TokenCounter, size: int, overlap: int
) -> list[Span]:
    spans: list[Span] = []
    costs = [count(text[s:e]) for s, e in sentences]
    first = 0
    while first < len(sentences):
        last, total = first, costs[first]
        while last + 1 < len(sentences) and total + costs[last + 1] <= size:
            last += 1
            total += costs[last]
        spans.append(Span(sentences[first].start, sentences[last].end))
        if last + 1 >= len(sentences):
            break
        # Step back over trailing sentences that fit in the overlap, but always move forward, and
        # only as far as still lets the next chunk take the next sentence: otherwise, before a
        # long sentence, the next chunk was the overlap alone, a copy of this chunk's tail.
        nxt, shared, following = last + 1, 0, costs[last + 1]
        while (
            nxt - 1 > first
            and shared + costs[nxt - 1] <= overlap
            and shared + costs[nxt - 1] + following <= size
        ):
            nxt -= 1
            shared += costs[nxt]
        first = nxt
    return spans


def _split_long(text: str, sentences: list[Span], count: TokenCounter, size: int) -> list[Span]:
    """Cut any 'sentence' longer than a chunk (tables, lists without stops) at word boundaries.

    Pieces are packed by real token counts: a word-count rule of thumb let a row of figures
    ("£1,234.5" is six wordpieces) run past the model's 256-token window, and the embedder
    silently drops what does not fit. A WordPiece tokenizer splits at whitespace first, so the
    costs of the words add up to the cost of the piece.
    """
    out: list[Span] = []
    for span in sentences:
        if count(text[span.start : span.end]) <= size:
            out.append(span)
            continue
        piece: Span | None = None
        used = 0
        for word in _WORDS.finditer(text, span.start, span.end):
            cost = count(word.group())
            if piece is not None and used + cost > size:
                out.append(piece)
                piece = None
            if piece is None:
                piece, used = Span(word.start(), word.end()), 0
            piece, used = Span(piece.start, word.end()), used + cost
        if piece is not None:
            out.append(piece)
    return out
