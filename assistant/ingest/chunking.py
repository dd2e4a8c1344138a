"""Chunks of a document's reading text with exact offsets, following its structure.

A chunk never crosses a heading or a labelled section boundary; it carries its heading path;
its units are whole sentences of paragraphs, whole list items and whole table rows, so a list
stays with its lead-in where it fits and a table is cut between rows, never inside one. A chunk
that continues a list or table carries the lead-in or header row as `context`, for the
retrievers (see search_text), never in its quotable text.

LlamaIndex's SentenceSplitter was the first choice, but it strips and re-joins text, so its
chunks lose their offsets into the document and cannot back an exact citation. This packer uses
the same Punkt sentence model and records `start`/`end` for every chunk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.common.text import Span, sentence_spans
from assistant.models import Block, Chunk, DocumentStructure, Section

TokenCounter = Callable[[str], int]
_WORDS = re.compile(r"\S+")
_CONTEXT_TOKENS = 48  # at most this much of a lead-in or header row goes in front of a chunk


@dataclass
class _Segment:
    """Consecutive blocks under one heading, inside one section."""

    section: Section
    heading: str
    units: list[tuple[Span, int]]  # (span, index of its block)


def chunk_document(
    doc_id: str,
    content_hash: str,
    text: str,
    sections: list[Section],
    count_tokens: TokenCounter,
    chunk_size: int,
    overlap: int,
    structure: DocumentStructure | None = None,
) -> list[Chunk]:
    """Pack whole units into chunks of about `chunk_size` tokens, `overlap` tokens shared."""
    structure = structure if structure is not None and structure.blocks else _one_block(text)
    chunks: list[Chunk] = []
    for segment in _segments(text, structure, sections):
        # The heading is embedded in front of each chunk (indexed_text), so it shares the budget;
        # a lead-in or header row gets what room is left after the chunk's own text.
        room = max(chunk_size - (count_tokens(segment.heading) + 1 if segment.heading else 0), chunk_size // 2)
        units = [u for u, _ in segment.units]
        budget = room - _context_room(text, structure, segment, count_tokens, room)
        owners = {u.start: b for u, b in segment.units}
        pieces = _split_long(text, units, count_tokens, budget)
        for start, end in _pack(text, pieces, count_tokens, budget, overlap):
            page, page_end = structure.page_span(start, end)
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}:{content_hash[:12]}:{len(chunks):05d}",
                    doc_id=doc_id,
                    text=text[start:end],
                    start=start,
                    end=end,
                    section=segment.section.label,
                    speaker=segment.section.speaker,
                    heading=segment.heading,
                    position=len(chunks),
                    page=page,
                    page_end=page_end,
                    context=_context(text, structure, owners, start, count_tokens,
                                     room - count_tokens(text[start:end]) - 1),
                )
            )
    return chunks


def _one_block(text: str) -> DocumentStructure:
    """The structure of a text nobody described: one paragraph."""
    return DocumentStructure(blocks=[Block(kind="paragraph", start=0, end=len(text))])


def _segments(text: str, structure: DocumentStructure, sections: list[Section]) -> list[_Segment]:
    """Split the blocks at every heading and section boundary, and cut them into units."""
    segments: list[_Segment] = []
    for section in sections:
        current: _Segment | None = None
        for index, block in enumerate(structure.blocks):
            start, end = max(block.start, section.start), min(block.end, section.end)
            if start >= end:
                continue
            if current is None or (block.kind == "heading" and start == block.start):
                current = _Segment(section=section, heading=structure.blocks[index].heading, units=[])
                segments.append(current)
            current.units.extend((unit, index) for unit in _units(text, block, start, end))
    return [s for s in segments if s.units]


def _units(text: str, block: Block, start: int, end: int) -> list[Span]:
    """What a chunk is made of: a paragraph's sentences; a heading, list item or row whole."""
    if block.kind in ("paragraph", "caption"):
        return sentence_spans(text, start, end)
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    stripped = piece.strip()
    return [Span(start + lead, start + lead + len(stripped))] if stripped else []


def _context_room(
    text: str, structure: DocumentStructure, segment: _Segment, count: TokenCounter, budget: int
) -> int:
    """Tokens to keep free for a lead-in or header row: only when a segment with list items or
    rows will not fit one chunk, so some chunk will continue a list away from its lead-in."""
    parents = {structure.blocks[b].parent for _, b in segment.units} - {None}
    if not parents or count(text[segment.units[0][0].start : segment.units[-1][0].end]) <= budget:
        return 0
    longest = max(count(text[structure.blocks[p].start : structure.blocks[p].end]) for p in parents if p is not None)
    return min(longest, _CONTEXT_TOKENS) + 1


def _context(
    text: str, structure: DocumentStructure, owners: dict[int, int], start: int, count: TokenCounter, room: int
) -> str:
    """The lead-in or header row a chunk continues, when that lies before the chunk (as much of
    it as fits in `room` tokens)."""
    owner = owners.get(start)
    room = min(room, _CONTEXT_TOKENS)
    if owner is None or room < 4:
        return ""
    parent = structure.blocks[owner].parent
    while parent is not None and structure.blocks[parent].kind == "list_item":
        parent = structure.blocks[parent].parent  # a sub-item: the list's own lead-in
    if parent is None or structure.blocks[parent].end > start:
        return ""
    lead = structure.blocks[parent]
    words = text[lead.start : lead.end].split()
    out: list[str] = []
    used = 0
    for word in words:
        used += count(word)
        if used > room:
            break
        out.append(word)
    return " ".join(out)


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
