"""A PDF as reading text: lines laid out by their geometry, page furniture removed, blocks found.

pypdfium2 (PDFium, Apache-2.0/BSD) gives each page's text in content order, which is the
reading order Word, browsers and most publishers write, with every character's box and font;
the comparison with pypdf and pdfplumber that chose it is in the README. From the lines:

- running headers and footers (a line in the top or bottom margin whose words recur on many
  pages: a running title, "Private and Confidential", a URL with its page number) and bare page
  numbers are dropped, and counted for the ingest report;
- a line larger than the body text, or short and bold throughout, or numbered like "3.2
  Oversight", is a heading; its level comes from its size (larger is higher) or its numbering;
- bullets and numbered lines start list items; short lines that pair words with figures, one
  after another, are table rows; "Figure 2 ..." or "Table 1 ..." standing alone is a caption;
- the other lines are unwrapped into paragraphs: a new paragraph starts at a wider gap, an
  indent, a change of font, or after a short line that ends a sentence; a paragraph runs on
  across a page break when it is unfinished and the next page carries on in lower case.

Every line keeps its page, so each block, and each quote inside it, knows its page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from assistant.ingest.reading import ReadingBuilder, ReadingText, list_marker

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$|^[ivxlc]{1,6}$", re.I
)
_DOT_LEADER = re.compile(r"(?:\s*\.){4,}\s*\d{1,4}\s*$|…{2,}\s*\d{1,4}\s*$")
_ENDS_SENTENCE = re.compile(r"[.!?:;]['’”)\]]?$")
_NUMBERED_HEADING = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<title>[A-Z(‘'\"].*)$")
_CAPTION = re.compile(r"^(?:Figure|Fig\.|Table|Chart|Map|Graph|Box|Diagram)\s+\d+[a-z]?\b", re.I)
_FIGURE = re.compile(r"[(+-]?[£$€]?\d[\d,.]*(?:%|m|bn|k)?\)?|n/a", re.I)
_MARGIN = 0.09  # the top and bottom share of a page where running headers and footers sit


@dataclass
class PdfLine:
    """One line of a page: its text, page (1-based) and geometry (points, y down the page)."""

    text: str
    page: int
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    page_height: float = 0.0

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, self.size * 0.8, 1.0)


@dataclass
class PdfReading:
    """The reading text of a PDF and what reading it found, for the ingest report."""

    reading: ReadingText
    pages: int
    removed: list[str] = field(default_factory=list)  # header/footer lines dropped (distinct)
    removed_lines: int = 0
    empty_pages: list[int] = field(default_factory=list)


def read_pdf(document: Any) -> PdfReading:
    """The reading text of a pypdfium2 PdfDocument."""
    pages = [_page_lines(document[i], i + 1) for i in range(len(document))]
    return read_pdf_lines(pages)


def read_pdf_lines(pages: list[list[PdfLine]]) -> PdfReading:
    """The reading text of a PDF given each page's lines (geometry optional: 0 where unknown)."""
    furniture = _running_lines(pages)
    removed: Counter[str] = Counter()
    kept: list[PdfLine] = []
    for lines in pages:
        for index, line in enumerate(lines):
            text = line.text.strip()
            if _in_margin(line, index, len(lines)) and (_shape(text) in furniture or _PAGE_NUMBER.match(text)):
                removed[text] += 1
                continue
            kept.append(line)
    builder = ReadingBuilder(pages=len(pages))
    _Layout(kept).build(builder)
    return PdfReading(
        reading=builder.build(), pages=len(pages), removed=sorted(removed), removed_lines=sum(removed.values()),
        empty_pages=[n for n, lines in enumerate(pages, start=1) if not lines],
    )


def _page_lines(page: Any, number: int) -> list[PdfLine]:
    """A page's lines with their box, font size and weight (sampled, to stay fast)."""
    textpage = page.get_textpage()
    count = textpage.count_chars()
    if count <= 0:
        return []
    text = textpage.get_text_range()
    height = page.get_height()
    if len(text) != count:  # characters outside the BMP: no 1:1 index, so no geometry
        return [PdfLine(_clean(t), number, page_height=height) for t in re.split(r"\r\n|\n|\r", text) if t.strip()]
    lines: list[PdfLine] = []
    for match in re.finditer(r"[^\r\n]+", text):
        for start, end in _hidden_breaks(textpage, text, match.start(), match.end()):
            line = _line(textpage, text, start, end, number, height)
            if line is not None:
                lines.append(line)
    return lines


def _hidden_breaks(textpage: Any, text: str, start: int, end: int) -> list[tuple[int, int]]:
    """PDFium joins a line ending in a hyphen to the next ("Com-munity"): split it where the
    character after a hyphen sits on a lower line, so the hyphen is judged like any line end."""
    pieces: list[tuple[int, int]] = []
    for hyphen in (i for i in range(start, end - 1) if text[i] in "-\u2010\u2011\ufffe\x02"):
        _, bottom, _, _ = textpage.get_charbox(hyphen, loose=True)
        _, _, _, top_next = textpage.get_charbox(hyphen + 1, loose=True)
        if top_next < bottom + 1:  # PDF y runs up: the next character's top is below this one
            pieces.append((start, hyphen + 1))
            start = hyphen + 1
    pieces.append((start, end))
    return pieces


def _line(textpage: Any, text: str, start: int, end: int, number: int, height: float) -> PdfLine | None:
    """One line with its box, font size and weight, sampled at three characters to stay fast."""
    raw = text[start:end]
    piece = _clean(raw)
    if not piece.strip():
        return None
    first = start + len(raw) - len(raw.lstrip())
    last = start + len(raw.rstrip()) - 1
    # Loose boxes span the font's ascent to descent, so their height is the font size as
    # drawn (the nominal size is often 1, scaled by the text matrix).
    l0, b0, _, t0 = textpage.get_charbox(first, loose=True)
    _, b1, r1, t1 = textpage.get_charbox(last, loose=True)
    samples = [i for i in (first, (first + last) // 2, last) if not text[i].isspace()]
    sizes = [abs(t - b) for _, b, _, t in (textpage.get_charbox(i, loose=True) for i in samples)]
    bold = all(_is_bold(textpage, i) for i in samples)
    return PdfLine(
        text=piece, page=number, x0=l0, x1=r1, top=height - max(t0, t1), bottom=height - min(b0, b1),
        size=round(max(sizes, default=abs(t0 - b0)), 1), bold=bold, page_height=height,
    )


def _is_bold(textpage: Any, index: int) -> bool:
    import ctypes

    import pypdfium2.raw as pdfium_c

    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, index)
    if weight >= 600:
        return True
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, 128, ctypes.byref(flags))
    name = buffer.value.decode("latin-1").lower()
    return any(mark in name for mark in ("bold", "black", "heavy", "semibold", "demi"))


def _clean(text: str) -> str:
    """PDFium marks a line-end hyphenation with U+FFFE (or U+0002): a hyphen, to be judged later.
    A paragraph number set off by a tab loses the tab ("34.The"): it gets its space back."""
    text = text.replace("\ufffe", "-").replace("\x02", "-").replace("\t", " ")
    return re.sub(r"^(\s*\d{1,3}(?:\.\d{1,3})*\.)(?=[A-Z])", r"\1 ", text)


def _in_margin(line: PdfLine, index: int, count: int) -> bool:
    """In the top or bottom margin of its page (or, without geometry, among its first/last lines)."""
    if line.page_height > 0 and line.bottom > 0:
        return line.top < _MARGIN * line.page_height or line.bottom > (1 - _MARGIN) * line.page_height
    return index < 3 or index >= count - 3


def _shape(line: str) -> str:
    """A line with its numbers blanked, so 'Page 3 of 9' and 'Page 4 of 9' are one running line."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def _running_lines(pages: list[list[PdfLine]]) -> set[str]:
    """Shapes of the margin lines that recur on at least 40% of the pages (and at least 3)."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_shape(line.text) for i, line in enumerate(lines) if _in_margin(line, i, len(lines))})
    need = max(3, int(0.4 * len(pages)))
    return {shape for shape, n in seen.items() if n >= need and len(shape) > 1}


def _heading_text(text: str) -> bool:
    """Lines that read as a heading: short, and not a sentence or a phrase broken off."""
    words = text.split()
    return (0 < len(words) <= 20 and sum(ch.isalpha() for ch in text) >= 2 and not text.rstrip().endswith(
        (".", ",", ";", ":"))) or (len(words) <= 8 and text.rstrip().endswith(("?", ":")))


def _is_caption(text: str) -> bool:
    """A figure's or table's title ("Figure 2 Composition of the workforce"): named and numbered,
    short, not a sentence. Never quoted as an answer; it still heads its picture's chunk."""
    text = text.strip()
    return bool(_CAPTION.match(text)) and len(text.split()) <= 30 and not _ENDS_SENTENCE.search(text)


class _Layout:
    """Turns the kept lines into headings, list items, table rows and paragraphs."""

    def __init__(self, lines: list[PdfLine]) -> None:
        self.lines = lines
        sizes: Counter[float] = Counter()
        for line in lines:
            sizes[round(line.size, 1)] += len(line.text)
        self.body = sizes.most_common(1)[0][0] if sizes else 0.0
        larger = sorted({s for s in sizes if self.body and s >= self.body * 1.15}, reverse=True)
        self.levels = {s: min(i + 1, 4) for i, s in enumerate(larger)}
        self.right = Counter(round(line.x1 / 5) * 5 for line in lines if line.x1).most_common(1)
        pitches: Counter[float] = Counter()
        for before, after in pairwise(lines):
            if before.page == after.page and abs(before.size - after.size) < 0.5 and after.top > before.top:
                pitches[round((after.top - before.top) / max(before.size, 1), 1)] += 1
        # Line spacing in font sizes; a few-line document has no reliable mode, so keep it plausible.
        self.pitch = min(max(pitches.most_common(1)[0][0] if pitches else 1.2, 0.9), 1.6)
        self.run: list[PdfLine] = []
        self.kind = "paragraph"
        self.level = 0
        self.item_x: float | None = None  # where the current list's first-level bullets sit
        self.header: PdfLine | None = None  # a table's header row, while its rows are collected
        self.after_gap = False  # the current run starts below a paragraph gap in the same column

    def build(self, builder: ReadingBuilder) -> None:
        self.builder = builder
        rows: list[PdfLine] = []
        for i, line in enumerate(self.lines):
            text = line.text.strip()
            following = self.lines[i + 1] if i + 1 < len(self.lines) else None
            if _DOT_LEADER.search(text):  # a contents entry: its own line, leader dots gone
                self.flush()
                builder.paragraph(_DOT_LEADER.sub("", text).rstrip(" .…"), [line.page])
                continue
            if self._table_like(line) and (rows or (following is not None and self._table_like(following))):
                if not rows and self.kind == "heading" and len(self.run) == 1 and self.run[0].bold \
                        and self.run[0].page == line.page:
                    self.header = self.run.pop()  # a bold line right above the rows is their header row
                self.flush()
                rows.append(line)
                continue
            if rows:
                self._rows(rows)
                rows = []
            if list_marker(text) is None and self.item_x is not None and line.x0 < self.item_x - 2:
                self.item_x = None  # back at the margin left of the list: the list is over
            heading = self._heading_level(line)
            if heading is not None:
                self.item_x = None
                if not (self.kind == "heading" and self.run and self._same_heading(self.run[-1], line)):
                    self.flush()
                self.kind, self.level = "heading", heading
                self.run.append(line)
                continue
            marker = list_marker(text)
            if marker is not None:
                self.flush()
                self.kind = "list_item"
                self.level = max(marker[0], self._indent_level(line))
                self.run.append(PdfLine(**{**line.__dict__, "text": text[marker[1] :]}))
                continue
            if self.run and self._breaks(self.run[-1], line):
                gap = self._gap(self.run[-1], line)
                self.flush()
                self.after_gap = gap
            if not self.run:
                self.kind, self.level = "paragraph", 0
            self.run.append(line)
        if rows:
            self._rows(rows)
        self.flush()

    def flush(self) -> None:
        if not self.run:
            return
        texts, pages = [x.text for x in self.run], [x.page for x in self.run]
        if self.kind == "heading" and _heading_text(" ".join(texts)):
            self.builder.heading(texts, self.level, pages)
        elif self.kind == "list_item":
            self.builder.list_item(texts, level=self.level, pages=pages)
        elif _is_caption(" ".join(texts)):
            self.builder.caption(texts, pages)
        else:
            self.builder.paragraph(texts, pages, continues=True, after_gap=self.after_gap)
        self.run = []
        self.after_gap = False
        self.kind = "paragraph"

    def _rows(self, rows: list[PdfLine]) -> None:
        if self.header is not None:
            self.builder.table_row([self.header.text], header=True, pages=[self.header.page])
            self.header = None
        for row in rows:
            self.builder.table_row([row.text], pages=[row.page])
        self.builder.end_table()

    def _heading_level(self, line: PdfLine) -> int | None:
        """The level of a line that may be (part of) a heading: larger than the body, numbered
        "3.2 Oversight", or bold; whether the lines together are a heading is `_heading_text`."""
        text = line.text.strip()
        words = text.split()
        if not words or len(words) > 16 or sum(ch.isalpha() for ch in text) < 2:
            return None
        rounded = round(line.size, 1)
        if rounded in self.levels:
            return self.levels[rounded]
        numbered = _NUMBERED_HEADING.match(text)
        if numbered and len(words) <= 12 and not _ENDS_SENTENCE.search(text) and (
                line.bold or line.size > self.body * 1.05):
            return min(numbered.group("number").count(".") + 1 + len(self.levels), 6)
        if line.bold and self.body and line.size >= self.body * 0.95:
            return min(len(self.levels) + 1, 6)
        return None

    @staticmethod
    def _same_heading(previous: PdfLine, line: PdfLine) -> bool:
        """A heading wrapped over lines: same page and size, and close below."""
        return (previous.page == line.page and abs(previous.size - line.size) < 0.5
                and 0 < line.top - previous.top < 1.6 * max(line.size, 1))

    def _indent_level(self, line: PdfLine) -> int:
        """A bullet set further in than the list's first level is a sub-item."""
        if self.item_x is None or line.x0 <= self.item_x + 8 or not line.x0:
            self.item_x = line.x0
            return 0
        return 1

    def _table_like(self, line: PdfLine) -> bool:
        """A short line pairing words with figures ('Pay scales 26'), not running text."""
        text = line.text.strip()
        words = text.split()
        figures = sum(bool(_FIGURE.fullmatch(w)) for w in words)
        return 2 <= len(words) <= 14 and figures >= 1 and figures < len(words) and not _ENDS_SENTENCE.search(text) \
            and _FIGURE.fullmatch(words[-1]) is not None

    def _gap(self, previous: PdfLine, line: PdfLine) -> bool:
        """A paragraph gap: the next line sits well below this one, in the same column."""
        if previous.page != line.page or not line.bottom or abs(line.x0 - previous.x0) > 3 * max(line.size, 1):
            return False
        pitch = (line.top - previous.top) / max(previous.size, 1)
        return pitch > self.pitch * 1.3 + 0.1

    def _breaks(self, previous: PdfLine, line: PdfLine) -> bool:
        """Does `line` start a new paragraph rather than carry on `previous`?"""
        if previous.page != line.page:
            return True  # across a page break the builder decides (unfinished + lower case runs on)
        if not line.bottom:  # no geometry: a line ending a sentence ends the paragraph
            return bool(_ENDS_SENTENCE.search(previous.text.strip())) and not line.text.strip()[:1].islower()
        pitch = (line.top - previous.top) / max(previous.size, 1)
        if pitch < 0.3 or pitch > self.pitch * 1.3 + 0.1:
            return True  # moved up or sideways (a new column or box), or a paragraph gap
        if abs(line.size - previous.size) > 0.15 * max(line.size, 1) or line.bold != previous.bold:
            return True
        if line.x0 > previous.x0 + 2 * max(line.size, 1) or line.x0 < previous.x0 - 2 * max(line.size, 1):
            return True
        right = self.right[0][0] if self.right else previous.x1
        short = previous.x1 < right - 4 * max(previous.size, 1)
        return short and bool(_ENDS_SENTENCE.search(previous.text.strip())) and not line.text.strip()[:1].islower()
