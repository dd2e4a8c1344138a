"""The data contract: every boundary (ingest, index, answer, UI, API, evals) passes these models."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from datetime import date as calendar_date
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class DocumentMeta(BaseModel):
    """Who wrote a document, when, and where it came from."""

    doc_id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    author_role: str = ""
    publisher: str = ""
    date: str = Field("", description="ISO date, as precise as known: 2013, 2015-01, 2023-04-05.")
    date_inferred: bool = Field(
        False, description="True when the date was inferred (file properties, a copyright line, the text's "
        "latest year) rather than stated as the publication date; shown as '2023, inferred'.",
    )
    kind: str = ""
    source: str = Field("", description="Path of the original file.")
    notes: str = ""

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors)

    @property
    def date_label(self) -> str:
        """The date as shown to officers: '2023', or '2023, inferred' when it was not stated."""
        if not self.date:
            return ""
        return f"{self.date}, inferred" if self.date_inferred else self.date


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class MetaEdit(BaseModel):
    """An officer's correction of a document's metadata; unset fields keep what ingest found.

    Stored in the catalogue's override store and applied after metadata inference on every
    re-ingest, so a corrected title or date survives re-indexing. A date given here is stated
    (`date_inferred` becomes False); "" says the date is unknown.
    """

    title: str | None = Field(None, description="The document's title.", examples=["Better Care Fund policy framework"])
    authors: list[str] | None = Field(None, description="Its authors, in order (empty: none named).")
    publisher: str | None = Field(None, description="The publishing body.", examples=["NHS England"])
    date: str | None = Field(None, description="ISO date, as precise as known: 2013, 2015-01 or 2023-04-05; "
                             "'' for unknown.", examples=["2023-04"])

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("a title cannot be empty")
        return value.strip() if value is not None else None

    @field_validator("authors")
    @classmethod
    def _authors(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [a.strip() for a in value if a.strip()]

    @field_validator("publisher")
    @classmethod
    def _publisher(cls, value: str | None) -> str | None:
        return value.strip() if value is not None else None

    @field_validator("date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None if value is None else ""
        value = value.strip()
        match = _ISO_DATE.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a date: write it as 2013, 2015-01 or 2023-04-05")
        year, month, day = (int(g) if g else 1 for g in match.groups())
        try:
            calendar_date(year, month, day)
        except ValueError as err:
            raise ValueError(f"{value!r} is not a real date ({err})") from err
        return value

    @property
    def empty(self) -> bool:
        return not self.model_dump(exclude_none=True)

    def merged(self, later: MetaEdit) -> MetaEdit:
        """This edit with a later one's fields on top."""
        return MetaEdit.model_validate({**self.model_dump(exclude_none=True), **later.model_dump(exclude_none=True)})

    def apply(self, meta: DocumentMeta) -> DocumentMeta:
        """The metadata with this edit's fields in place of what ingest inferred."""
        fields = self.model_dump(exclude_none=True)
        if "date" in fields:
            fields["date_inferred"] = False
        return meta.model_copy(update=fields)


class Section(BaseModel):
    """A labelled span of a document: article, teaser, comment, author note, page furniture."""

    label: str
    start: int
    end: int
    speaker: str = Field("", description="Who wrote this span when it is not the author.")
    heading: str = Field("", description="The nearest heading above this span, if any.")


class Chunk(BaseModel):
    """A passage of a document; `text == document_text[start:end]` always holds."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    section: str
    speaker: str = ""
    position: int
    heading: str = Field("", description="The heading path above the chunk: 'Executive summary › Neighbourhood health'.")
    page: int | None = Field(None, description="1-based PDF page where the chunk starts (None: no pages).")
    page_end: int | None = Field(None, description="The page where it ends, when that is a later one.")
    set_aside: list[tuple[int, int]] = Field(
        default_factory=list, description="(start, end) document offsets of the sentences inside this chunk that "
        "address an AI assistant (see assistant/ingest/instructions.py): never an answer unit, never sent to an "
        "LLM. Test a span with `assistant.ingest.instructions.is_set_aside(chunk, start, end)`.",
    )
    context: str = Field(
        "", description="Text the chunk depends on that lies before it: the lead-in of the list it "
        "continues, the header row of the table it continues. Embedded with it, never quoted.",
    )


UnitKind = Literal["sentence", "item", "row"]


class AnswerUnit(BaseModel):
    """The smallest thing an answer may quote: a sentence, a list item (with its lead-in) or a
    table row (with its header); `text == document_text[start:end]` always holds."""

    unit_id: str
    doc_id: str
    kind: UnitKind = "sentence"
    text: str
    start: int
    end: int
    position: int
    lead: str = Field("", description="The lead-in of a list item, the header row of a table row.")
    lead_start: int | None = Field(None, description="Where the lead is in the document (None: no lead).")
    lead_end: int | None = None
    section: str = "article"
    speaker: str = ""
    heading: str = Field("", description="The heading path above the unit.")



BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "caption"]


class Block(BaseModel):
    """One unit of a document's reading text, as a person reads it: a heading, a paragraph, a
    list item, a table row or a caption; `reading_text[start:end]` is its text (no markers)."""

    kind: BlockKind
    start: int
    end: int
    level: int = Field(0, description="Heading: 1 is the top level. List item: nesting depth, 0 at the top.")
    heading_path: list[str] = Field(
        default_factory=list, description="The headings of the section the block is in, outermost first; "
        "a heading opens its section, so its own text ends its path.",
    )
    parent: int | None = Field(
        None, description="Index in `blocks` of what this block belongs to: a list item's lead-in paragraph, "
        "a table row's header row; None when it has none.",
    )
    page: int | None = Field(None, description="1-based page where the block starts (None: no pages).")
    page_end: int | None = Field(None, description="The page where it ends, when that is a later one.")

    @property
    def heading(self) -> str:
        """The heading path as shown: 'Executive summary › Neighbourhood health'."""
        return HEADING_SEPARATOR.join(self.heading_path)


HEADING_SEPARATOR = " › "


class DocumentStructure(BaseModel):
    """The reading text's structure: its blocks in reading order and, for paged documents, where
    each page begins. Stored in the catalogue beside the reading text it describes."""

    blocks: list[Block] = Field(default_factory=list)
    page_starts: list[int] = Field(
        default_factory=list, description="page_starts[i] is the reading-text offset where page i + 1 "
        "begins (an empty page has the offset of the next); empty for a document without pages.",
    )

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding the character at `offset` (None: no pages)."""
        if not self.page_starts:
            return None
        return max(bisect_right(self.page_starts, offset), 1)

    def page_span(self, start: int, end: int) -> tuple[int | None, int | None]:
        """(page, page_end) of the text [start:end]; page_end is None unless it ends on a later page."""
        first = self.page_at(start)
        last = self.page_at(max(end - 1, start))
        return first, (last if first is not None and last is not None and last > first else None)

    def block_at(self, offset: int) -> Block | None:
        """The block holding `offset`, or the last one before it (offsets between blocks)."""
        starts = [b.start for b in self.blocks]
        i = bisect_right(starts, offset) - 1
        return self.blocks[i] if i >= 0 else None

    def heading_at(self, offset: int) -> str:
        """The heading path of the text at `offset` ('' before the first heading)."""
        block = self.block_at(offset)
        return block.heading if block is not None else ""


class IndexedDocument(BaseModel):
    """A document as the catalogue knows it."""

    meta: DocumentMeta
    content_hash: str
    n_chunks: int
    ingested_at: str
    set_aside: int = Field(0, description="Sentences addressed to an AI assistant that ingest set aside.")


class FileProblem(BaseModel):
    """One file that could not be ingested, or was ingested with a caveat."""

    path: str
    reason: str
    fatal: bool = True


class DocumentReading(BaseModel):
    """What reading one document found: shown per document in the ingest report."""

    doc_id: str
    path: str
    pages: int = 0
    headings: int = 0
    paragraphs: int = 0
    list_items: int = 0
    table_rows: int = 0
    chunks: int = 0
    notes: list[str] = Field(default_factory=list, description="What was removed or repaired, what is missing.")

    @property
    def summary(self) -> str:
        """'12 pages, 30 headings, 41 list items, 18 table rows, 96 chunks'."""
        parts = [(self.pages, "page"), (self.headings, "heading"), (self.list_items, "list item"),
                 (self.table_rows, "table row"), (self.chunks, "chunk")]
        return ", ".join(f"{n} {label}{'s' if n != 1 else ''}" for n, label in parts if n or label == "chunk")


class IngestReport(BaseModel):
    """What an ingest run did, file by file."""

    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    excluded: list[str] = Field(
        default_factory=list, description="Documents an officer removed, left out although their files are still "
        "in an ingested folder (name a file on its own to add it back).")
    problems: list[FileProblem] = Field(default_factory=list)
    set_aside: dict[str, int] = Field(
        default_factory=dict, description="doc_id -> sentences addressed to an AI that were set aside (when any).")
    documents: list[DocumentReading] = Field(default_factory=list, description="What was read, per document added or updated.")
    chunks_embedded: int = 0
    units_embedded: int = Field(0, description="Answer units (sentences, list items, table rows) embedded.")
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def partial(self) -> bool:
        return any(p.fatal for p in self.problems)


class SearchFilters(BaseModel):
    """Optional restrictions on which documents a question may draw on."""

    doc_ids: list[str] = Field(default_factory=list)
    publishers: list[str] = Field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.doc_ids or self.publishers or self.year_from or self.year_to)

    def describe(self, titles: Mapping[str, str]) -> str:
        """The filter in words, for refusals, the chat's banner and briefing notes: 'document
        “Labour's 10-year plan”; publisher The MJ; 2013–2015' ('' when no filter is on)."""
        parts = []
        if self.doc_ids:
            names = [f"“{titles.get(i) or i}”" for i in self.doc_ids]
            parts.append(("document " if len(names) == 1 else "documents ") + ", ".join(names))
        if self.publishers:
            parts.append(("publisher " if len(self.publishers) == 1 else "publishers ") + " or ".join(self.publishers))
        if self.year_from and self.year_to:
            parts.append(f"{self.year_from}–{self.year_to}" if self.year_from != self.year_to else f"{self.year_from}")
        elif self.year_from:
            parts.append(f"from {self.year_from}")
        elif self.year_to:
            parts.append(f"up to {self.year_to}")
        return "; ".join(parts)


class Provenance(BaseModel):
    """Where a piece of text comes from: the document, who wrote it, and which part of it."""

    doc_id: str
    title: str
    author: str
    date: str
    section: str
    speaker: str = ""
    publisher: str = ""
    source: str
    date_inferred: bool = Field(False, description="The date was inferred, not stated: shown as '2023, inferred'.")
    heading: str = Field("", description="The heading path above the text, when the document has headings.")
    page: int | None = Field(None, description="1-based page of the document where the text starts (PDFs).")
    page_end: int | None = Field(None, description="The page where it ends, when that is a later one.")

    @property
    def page_label(self) -> str:
        """How the pages are cited: 'p. 12', 'pp. 11–12', or '' for a document without pages."""
        return page_label(self.page, self.page_end)


def page_label(page: int | None, page_end: int | None = None) -> str:
    """'p. 12', 'pp. 11–12', or '' when there is no page: the one way pages are written."""
    if page is None:
        return ""
    return f"pp. {page}–{page_end}" if page_end is not None and page_end > page else f"p. {page}"


class Passage(Provenance):
    """A retrieved passage with its provenance; shown as 'related' when the answer is refused."""

    chunk_id: str
    text: str
    start: int
    end: int
    score: float


class Citation(Provenance):
    """One numbered source: `document_text(doc_id)[start:end] == quote`."""

    n: int
    quote: str
    start: int
    end: int
    score: float
    context_start: int = Field(0, description="Start of the surrounding passage.")
    context_end: int = Field(0, description="End of the surrounding passage.")


class AnswerSentence(BaseModel):
    """One sentence of an answer and whether the grounding checker verified it."""

    text: str
    citations: list[int] = Field(default_factory=list)
    verified: bool = True
    reason: str = ""
    unsupported: list[str] = Field(default_factory=list, description="Words of it no source bears out (when not verified).")


class Answer(BaseModel):
    """What the assistant says to a question: the contract shared by CLI, UI, API and evals."""

    question: str
    standalone_question: str
    answer_markdown: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Passage] = Field(default_factory=list)
    sentences: list[AnswerSentence] = Field(default_factory=list)
    mode: Literal["extractive", "llm"] = "extractive"
    raw_answer: str = Field("", description="The model's unguarded text (llm mode), for evals.")
    notice: str = Field("", description="A caveat shown with the answer, e.g. a fallback.")
    scope: str = Field("", description="The filter in force when it was answered, in words ('' for the whole "
                       "library), e.g. 'document “Whole person care”; from 2015'.")
    timings_ms: dict[str, float] = Field(default_factory=dict)
