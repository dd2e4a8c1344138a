"""Sentence-aware chunks with exact character offsets, never crossing a section boundary.

LlamaIndex's SentenceSplitter was the first choice, but it strips and re-joins text, so its
chunks lose their offsets into the document and cannot back an exact citation. This packer uses
the same Punkt sentence model and records `start`/`end` for every chunk.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.models import Chunk, Section
from assistant.text import Span, sentence_spans

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
        sentences = _split_long(text, sentence_spans(text, section.start, section.end), count_tokens, chunk_size)
        for start, end in _pack(text, sentences, count_tokens, chunk_size, overlap):
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}:{content_hash[:12]}:{len(chunks):05d}",
                    doc_id=doc_id,
                    text=text[start:end],
                    start=start,
                    end=end,
                    section=section.label,
                    speaker=section.speaker,
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
        # Step back over trailing sentences that fit in the overlap, but always move forward.
        nxt, shared = last + 1, 0
        while nxt - 1 > first and shared + costs[nxt - 1] <= overlap:
            nxt -= 1
            shared += costs[nxt]
        first = nxt
    return spans


def _split_long(text: str, sentences: list[Span], count: TokenCounter, size: int) -> list[Span]:
    """Cut any 'sentence' longer than a chunk (tables, lists without stops) at word boundaries."""
    out: list[Span] = []
    for span in sentences:
        if count(text[span.start : span.end]) <= size:
            out.append(span)
            continue
        words = [(m.start(), m.end()) for m in _WORDS.finditer(text, span.start, span.end)]
        piece_start, n = words[0][0], 0
        for i, (ws, we) in enumerate(words):
            n += 1
            if n >= size * 0.6 or i == len(words) - 1:  # ~1.4 wordpieces a word in policy prose
                out.append(Span(piece_start, we))
                if i + 1 < len(words):
                    piece_start, n = words[i + 1][0], 0
    return out

