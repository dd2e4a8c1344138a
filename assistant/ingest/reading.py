"""The reading text of a document: what a person reads, built block by block by every loader.

Loaders hand over blocks (heading, paragraph, list item, table row, caption) as the wrapped lines
they found, each line with its page; the builder unwraps the lines into running text (hyphens
at line ends undone where the dictionary says so, stray spaces and lost ligatures repaired),
lays the blocks out one per line, and records each block's span, heading path, lead-in or
header row, and page, and where every page begins. Citations quote this text, so
`reading_text[start:end] == quote` holds, and a quote's offsets give its page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.ingest.words import join_hyphenated, repair_words
from assistant.models import Block, BlockKind, DocumentStructure

_HYPHENS = "-\u2010\u2011\u00ad"
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}
_LEAD_IN_END = re.compile(r"[:—–-]\s*$")
_UNFINISHED_END = re.compile(r"[^.!?:;…)\]\"”’]$")
_BROKEN_OFF = re.compile(r"(?:[,(/]|\b(?:a|an|and|as|at|by|for|from|in|of|on|or|that|the|to|which|with))$", re.I)


@dataclass
class ReadingText:
    """A document's reading text and the structure that describes it."""

    text: str
    structure: DocumentStructure

    def counts(self) -> dict[str, int]:
        """How many blocks of each kind, for the ingest report."""
        counts: dict[str, int] = {}
        for block in self.structure.blocks:
            counts[block.kind] = counts.get(block.kind, 0) + 1
        return counts


def clean_line(line: str) -> str:
    """One line as read: invisible characters gone, any run of spaces one space, ends trimmed."""
    if not line.isascii():
        line = unicodedata.normalize("NFC", line).translate(_INVISIBLE).translate(_LIGATURES)
        soft = line.rstrip().endswith("\u00ad")
        line = line.replace("\u00ad", "") + ("\u00ad" if soft else "")  # a soft hyphen at the end marks a break
    return _SPACES.sub(" ", line).strip()


def unwrap(lines: Sequence[str]) -> tuple[str, list[int]]:
    """Wrapped lines as one running text, and where each line starts in it.

    A hyphen at a line end joins the next line's first word ("com-" "munity" -> "community")
    unless both halves are words ("data-" "driven" -> "data-driven"); otherwise lines meet
    with one space.
    """
    out = ""
    starts: list[int] = []
    for raw in lines:
        line = clean_line(raw)
        if not line:
            starts.append(len(out))
            continue
        if out and out[-1] in _HYPHENS and len(out) > 1 and out[-2].isalpha() and line[:1].isalpha():
            head = re.search(r"[A-Za-z]+$", out[:-1])
            word = head.group() if head else ""
            joined = word + line if out[-1] == "\u00ad" else join_hyphenated(word, line)
            base = out[: len(out) - 1 - len(word)]
            starts.append(len(base) + len(word) + (1 if joined.startswith(word + "-") else 0))
            out = base + joined
            continue
        if out:
            out += " "
        starts.append(len(out))
        out += line
    return out.removesuffix("\u00ad"), starts


def reading_form(text: str) -> str:
    """Any quoted text as it reads in a reading text: unwrapped, repaired, spaces collapsed.

    The evals pass gold evidence copied from raw extracted text through this, so a quote that
    the reading text repairs ("wil" -> "will") still counts as found.
    """
    return repair_words(unwrap(text.splitlines())[0])


class ReadingBuilder:
    """Collects a document's blocks in reading order and lays out its reading text."""

    def __init__(self, pages: int = 0, repair: bool = True) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self.page_starts: list[int | None] = [None] * pages
        self.repair = repair
        self._headings: list[tuple[int, str]] = []  # (level, text) of the open headings
        self._lead_in: int | None = None  # the paragraph the current list hangs from
        self._header_row: int | None = None  # the current table's header row
        self._in_table = False
        self._implicit = False  # the last block is a list item found by its lead-in, not a marker

    # -- blocks ---------------------------------------------------------------------------------

    def heading(self, lines: Sequence[str] | str, level: int = 1, pages: Sequence[int] | None = None) -> None:
        """A heading of the given level (1 = top) opens a section; deeper ones nest under it."""
        text, starts = self._text(lines)
        if not text:
            return
        while self._headings and self._headings[-1][0] >= level:
            self._headings.pop()
        self._headings.append((level, text))
        self._lead_in = None
        self._end_table()
        self._add("heading", text, starts, pages, level=level)

    def paragraph(self, lines: Sequence[str] | str, pages: Sequence[int] | None = None,
                  continues: bool = False, after_gap: bool = False) -> None:
        """Running text; with `continues` (text whose breaks the extractor made), a paragraph that
        carries on the block before it when that one is unfinished and this starts in lower case,
        and one in lower case after a lead-in ("..., we:") is an item of its list, whose bullet
        the extraction lost (CSS list markers in a printed web page, Markdown from a PDF).
        `after_gap`: the page shows a paragraph gap before it, so it never carries on the block."""
        text, starts = self._text(lines)
        if not text:
            return
        self._end_table()
        if continues and not after_gap and self._continues(text):
            self._extend(text, starts, pages)
            return
        if continues and text[:1].islower() and self._lead_in_before():
            self._implicit_item(text, starts, pages)
            return
        self._add("paragraph", text, starts, pages)

    def list_item(self, lines: Sequence[str] | str, level: int = 0, pages: Sequence[int] | None = None) -> None:
        """A bullet or numbered item (marker removed), hanging from the paragraph before its list."""
        text, starts = self._text(lines)
        if not text:
            return
        self._end_table()
        if not self._last_kind("list_item"):  # a list starts: its lead-in is the paragraph that
            last = len(self.blocks) - 1       # introduces it ("... the following goals:")
            self._lead_in = last if last >= 0 and self.blocks[last].kind == "paragraph" and \
                _LEAD_IN_END.search(self.parts[-1]) else None
        parent = self._lead_in
        if level > 0:
            parent = next((i for i in range(len(self.blocks) - 1, -1, -1)
                           if self.blocks[i].kind == "list_item" and self.blocks[i].level < level), parent)
        self._add("list_item", text, starts, pages, level=level, parent=parent, tight=self._last_kind("list_item"))

    def table_row(self, cells: Sequence[str], header: bool = False, pages: Sequence[int] | None = None) -> None:
        """One row of a table, its cells joined by ' | '; rows after a header row point to it."""
        text = " | ".join(c for c in (self._text(cell)[0] for cell in cells))
        if not text.strip(" |"):
            return
        tight = self._in_table
        self._in_table = True
        parent = None if header else self._header_row
        index = self._add("table_row", text, [0], pages[:1] if pages else None, parent=parent, tight=tight)
        if header:
            self._header_row = index

    def end_table(self) -> None:
        self._end_table()

    def caption(self, lines: Sequence[str] | str, pages: Sequence[int] | None = None) -> None:
        """A figure's or table's caption."""
        text, starts = self._text(lines)
        if text:
            self._end_table()
            self._add("caption", text, starts, pages)

    def build(self) -> ReadingText:
        """The reading text and its structure; every page start is filled in."""
        text = "".join(self.parts)
        starts: list[int] = []
        following = len(text)
        for value in reversed(self.page_starts):  # an empty page starts where the next one does
            following = value if value is not None else following
            starts.append(following)
        starts.reverse()
        structure = DocumentStructure(blocks=self.blocks, page_starts=starts)
        for block in self.blocks:
            block.page, block.page_end = structure.page_span(block.start, block.end)
        return ReadingText(text=text, structure=structure)

    # -- helpers --------------------------------------------------------------------------------

    def _text(self, lines: Sequence[str] | str) -> tuple[str, list[int]]:
        lines = [lines] if isinstance(lines, str) else list(lines)
        if self.repair:
            lines = [repair_words(line) for line in lines]
        return unwrap(lines)

    def _last_kind(self, kind: BlockKind) -> bool:
        return bool(self.blocks) and self.blocks[-1].kind == kind

    def _end_table(self) -> None:
        self._in_table = False
        self._header_row = None

    def _lead_in_before(self) -> bool:
        """Does the last block introduce a list (ends with a colon), or is it an item of one?"""
        if not self.blocks or self.blocks[-1].kind not in ("paragraph", "list_item"):
            return False
        return self._implicit or self.parts[-1].rstrip().endswith(":")

    def _implicit_item(self, text: str, starts: list[int], pages: Sequence[int] | None) -> None:
        last = len(self.blocks) - 1
        previous = self.blocks[last]
        if self._implicit:  # the next item of the same list
            level, parent = previous.level, previous.parent
        else:  # the list starts under its lead-in (a sub-list when the lead-in is an item itself)
            level, parent = (previous.level + 1 if previous.kind == "list_item" else 0), last
        self._add("list_item", text, starts, pages, level=level, parent=parent, tight=self._implicit)
        self._implicit = True

    def _continues(self, text: str) -> bool:
        if not self.blocks or self.blocks[-1].kind not in ("paragraph", "list_item", "caption"):
            return False
        previous = self.parts[-1]
        broken_word = previous[-1:] in _HYPHENS and previous[-2:-1].isalpha() and text[:1].isalpha()
        if self._implicit:  # after an item found by its lead-in, lower case is the next item unless
            return broken_word or bool(_BROKEN_OFF.search(previous))  # this one plainly breaks off
        return bool(_UNFINISHED_END.search(previous)) and (text[:1].islower() or broken_word)

    def _add(
        self, kind: BlockKind, text: str, starts: list[int], pages: Sequence[int] | None, *,
        level: int = 0, parent: int | None = None, tight: bool = False,
    ) -> int:
        self._implicit = False
        if self.parts:
            separator = "\n" if tight else "\n\n"
            self.parts.append(separator)
            self.length += len(separator)
        start = self.length
        self._mark_pages(start, starts, pages)
        self.parts.append(text)
        self.length += len(text)
        self.blocks.append(Block(
            kind=kind, start=start, end=self.length, level=level, parent=parent,
            heading_path=[h for _, h in self._headings],
        ))
        return len(self.blocks) - 1

    def _extend(self, text: str, starts: list[int], pages: Sequence[int] | None) -> None:
        """Carry on the last block with more of its text (a paragraph the extractor broke)."""
        previous = self.parts[-1]
        joined, joins = unwrap([previous, text])
        offset = self.length - len(previous)
        self.parts[-1] = joined
        self.length = offset + len(joined)
        shift = joins[1]
        self._mark_pages(offset + shift, [s for s in starts], pages)
        self.blocks[-1].end = self.length

    def _mark_pages(self, base: int, starts: list[int], pages: Sequence[int] | None) -> None:
        if not pages:
            return
        for start, page in zip(starts, pages, strict=False):
            if 1 <= page <= len(self.page_starts) and self.page_starts[page - 1] is None:
                self.page_starts[page - 1] = base + start


# Bullets and numbers that open a list item: "•", "●", "–", "o" (Word's sub-bullet), "1.", "(a)", "ii)".
_BULLET = re.compile(r"^\s*(?P<mark>[•●○◦▪■□➢►✓\uf0b7\uf0a7]|[-–*](?=\s)|o(?=\s+\S))\s*")
_NUMBER = re.compile(r"^\s*(?P<mark>\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+(?=\S)")
_SUB_BULLETS = frozenset("○◦o▪■")


def list_marker(line: str) -> tuple[int, int] | None:
    """(nesting level, where the item's text starts) when a line opens a list item, else None.

    A bullet glyph is dropped from the item's text; a number or letter is kept ("(a) the
    Chair"), since readers cite items by it.
    """
    match = _BULLET.match(line)
    if match:
        return (1 if match.group("mark") in _SUB_BULLETS else 0), match.end()
    match = _NUMBER.match(line)
    if match and not re.match(r"^\s*\d{1,2}\.\d", line):  # "3.2 Oversight" is a numbered heading
        return 0, len(line) - len(line.lstrip())
    return None
