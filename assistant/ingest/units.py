"""Answer units: the one place that decides what an answer may quote.

A unit is a sentence, a list item together with the lead-in sentence that introduces its list
("ICBs must ensure their plans: ..."), or a table row together with its header row. Headings,
titles, a lead-in on its own, a comment's "Name says:" line and short fragments without a verb's
worth of words are never units: quoted alone they name a topic without answering anything.
What each line is comes from the reading text's blocks (a reading text keeps no bullet or `#`
to read); a document catalogued without blocks is read line by line as Markdown.

Every unit is embedded at ingest (with its lead in front, see `index.search_text.unit_text`) and
stored with the catalogue, so answering reads vectors and never embeds document text.

`excluded` spans (text the ingest has marked as not to be quoted, e.g. sentences addressed to
an AI) never become units, nor leads of units.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from assistant.common.text import Span, sentence_spans, words
from assistant.models import AnswerUnit, Block, Chunk, DocumentStructure, Section, UnitKind

UNITS_VERSION = "2"  # bump when what a unit is changes: part of every document's content hash

_LINE = re.compile(r"[^\n]+")
_BULLET = re.compile(r"^[ \t]*(?:[•●▪◦‣∙·\-–*]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))[ \t]+(?=\S)")
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]")
_BOLD_LINE = re.compile(r"^[ \t]*(?:\*\*[^*\n]*\*\*[ \t]*)+$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}")
_SAYS = re.compile(r"\bsays:\s*$")
_END = re.compile(r"[.!?…)\"”’']\s*$")
_MIN_WORDS = 4
_UNPUNCTUATED_MIN_WORDS = 8  # a line without a full stop must be this long to be a sentence, not a label


@dataclass
class _Piece:
    """A span of one line and what kind of text it is."""

    kind: str  # "heading", "sentence", "lead", "item", "row", "header", "skip"
    span: Span
    lead: Span | None = None


def build_units(
    doc_id: str, content_hash: str, text: str, sections: Sequence[Section],
    excluded: Sequence[tuple[int, int]] = (), structure: DocumentStructure | None = None,
) -> list[AnswerUnit]:
    """The document's answer units in reading order, with exact offsets into `text`. With the
    reading text's `structure`, its blocks say what each line is (a heading or caption is never
    quoted, a list item's lead-in is its parent block, a table row's header its header row);
    without it (documents catalogued before structure existed) the lines are read as Markdown."""
    units: list[AnswerUnit] = []
    blocks = structure.blocks if structure is not None else []
    for section in sections:
        heading = section.heading
        pieces = _block_pieces(text, blocks, section.start, section.end) if blocks else \
            _pieces(text, section.start, section.end)
        for piece in pieces:
            if piece.kind == "heading":
                heading = section.heading or _clean_heading(text[piece.span.start : piece.span.end])
                continue
            if piece.kind not in ("sentence", "item", "row") or _overlaps(piece.span, excluded):
                continue
            lead = piece.lead if piece.lead is not None and not _overlaps(piece.lead, excluded) else None
            start, end = piece.span
            units.append(AnswerUnit(
                unit_id=f"{doc_id}:{content_hash[:12]}:u{len(units):05d}", doc_id=doc_id,
                kind=cast("UnitKind", piece.kind),
                text=text[start:end], start=start, end=end, position=len(units),
                lead=text[lead.start : lead.end] if lead else "",
                lead_start=lead.start if lead else None, lead_end=lead.end if lead else None,
                section=section.label, speaker=section.speaker, heading=heading,
            ))
    return units


def sections_of(chunks: Sequence[Chunk]) -> list[Section]:
    """The labelled sections a document's chunks were cut from (for documents catalogued
    before units existed): consecutive chunks with one label, speaker and heading."""
    sections: list[Section] = []
    for chunk in sorted(chunks, key=lambda c: c.position):
        last = sections[-1] if sections else None
        if last and (last.label, last.speaker, last.heading) == (chunk.section, chunk.speaker, chunk.heading):
            last.end = max(last.end, chunk.end)
        else:
            sections.append(Section(label=chunk.section, start=chunk.start, end=chunk.end,
                                    speaker=chunk.speaker, heading=chunk.heading))
    return sections


def _pieces(text: str, start: int, end: int) -> list[_Piece]:
    """Classify each line (heading, list item, table row, prose) and link leads to what they lead."""
    pieces: list[_Piece] = []
    table_header: Span | None = None
    pending_lead: Span | None = None  # a sentence ending in ':' waiting for what it introduces
    list_lead: Span | None = None  # the lead-in of the list being read
    for line in _LINE.finditer(text, start, end):
        body = line.group()
        if not body.strip():
            continue
        span = _stripped(text, line.start(), line.end())
        if body.count("|") >= 2:
            if not _TABLE_RULE.match(body):
                pieces.append(_Piece("row", span, table_header) if table_header else _Piece("header", span))
                table_header = table_header or span
            continue
        table_header = None
        if _MD_HEADING.match(body) or _BOLD_LINE.match(body) or _SAYS.search(body):
            pieces.append(_Piece("skip" if _SAYS.search(body) else "heading", span))
            pending_lead = list_lead = None
            continue
        bullet = _BULLET.match(body)
        if bullet:
            list_lead, pending_lead = pending_lead or list_lead, None
            for sentence in sentence_spans(text, line.start() + bullet.end(), line.end()):
                kind = "item" if _substantial(text, sentence, listed=True) else "skip"
                pieces.append(_Piece(kind, sentence, list_lead))
            continue
        list_lead = None
        pending_lead = _prose_pieces(text, sentence_spans(text, line.start(), line.end()), pending_lead, pieces)
    return pieces


def _block_pieces(text: str, blocks: Sequence[Block], start: int, end: int) -> list[_Piece]:
    """Classify the sentences of the reading text's blocks inside [start, end)."""
    pieces: list[_Piece] = []
    headers = {b.parent for b in blocks if b.kind == "table_row" and b.parent is not None}
    pending_lead: Span | None = None  # a sentence ending in ':' waiting for what it introduces
    for index, block in enumerate(blocks):
        span = Span(max(block.start, start), min(block.end, end))
        if span.start >= span.end:
            continue
        if block.kind in ("heading", "caption") or _SAYS.search(text[span.start : span.end]):
            pieces.append(_Piece("heading" if block.kind == "heading" else "skip", span))
            pending_lead = None
            continue
        if block.kind == "table_row":
            header = blocks[block.parent] if block.parent is not None else None
            lead = Span(header.start, header.end) if header is not None else None
            pieces.append(_Piece("header" if index in headers else "row", span, lead))
            pending_lead = None
            continue
        sentences = sentence_spans(text, span.start, span.end)
        if block.kind == "list_item":
            parent = blocks[block.parent] if block.parent is not None else None
            lead = _last_sentence(text, parent) if parent is not None else pending_lead
            pending_lead = None
            for i, sentence in enumerate(sentences):
                if i == len(sentences) - 1 and _is_lead(text, sentence):
                    pieces.append(_Piece("lead", sentence))  # an item that leads a sub-list
                elif not _substantial(text, sentence, listed=True):
                    pieces.append(_Piece("skip", sentence))
                elif i == 0 and lead is not None:  # the item's opening, quoted after its lead-in
                    pieces.append(_Piece("item", sentence, lead))
                else:  # the rest of the item reads as prose (leaning on its neighbours)
                    pieces.append(_Piece("sentence", sentence))
            continue
        pending_lead = _prose_pieces(text, sentences, pending_lead, pieces)
    return pieces



def _prose_pieces(text: str, sentences: Sequence[Span], pending_lead: Span | None, pieces: list[_Piece]) -> Span | None:
    """Classify prose sentences into `pieces` (a sentence after a lead-in is its item); returns
    the lead-in still waiting for what it introduces."""
    for sentence in sentences:
        if _is_lead(text, sentence):
            pieces.append(_Piece("lead", sentence))
            pending_lead = sentence
        elif not _substantial(text, sentence, listed=False):
            pieces.append(_Piece("skip", sentence))
        elif pending_lead is not None:
            pieces.append(_Piece("item", sentence, pending_lead))
            pending_lead = None
        else:
            pieces.append(_Piece("sentence", sentence))
    return pending_lead

def _last_sentence(text: str, block: Block) -> Span | None:
    sentences = sentence_spans(text, block.start, block.end)
    return sentences[-1] if sentences else None


def _is_lead(text: str, span: Span) -> bool:
    return text[span.start : span.end].rstrip().endswith(":") and len(words(text[span.start : span.end])) >= 2


def _substantial(text: str, span: Span, listed: bool) -> bool:
    """Enough words to say something: list items may be short; prose without a full stop must be
    a real sentence's length (else it is a label, a heading or a stray line of layout)."""
    piece = text[span.start : span.end]
    n = len(words(piece))
    if listed:
        return n >= 2
    return n >= _MIN_WORDS and (bool(_END.search(piece)) or n >= _UNPUNCTUATED_MIN_WORDS)


def _stripped(text: str, start: int, end: int) -> Span:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    return Span(start + lead, start + len(piece.rstrip()))


def _clean_heading(line: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[#*_\\]+", " ", line)).strip()


def _overlaps(span: Span, excluded: Sequence[tuple[int, int]]) -> bool:
    return any(s < span.end and span.start < e for s, e in excluded)
