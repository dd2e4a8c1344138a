"""Briefing notes: a conversation (or part of it) as a note an officer can circulate.

Pure functions from answers to a Markdown string or .docx bytes, shared by the web app, the CLI
and the API. A note has, for each question, the answer with its markers; then one numbered
reference per document (author or publisher, year, title, and the page or section of each quote
taken from it) and the quoted evidence. A marker names the document's reference and, for a paged
document, the page: "[2, p. 14]". The filter in force is stated; a refusal says plainly that the
question was not answered, and why. Names are kept as written. The officer may leave answers, or
single quotes, out before exporting (`leave_out`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from assistant import Answer, Citation, SearchFilters
from assistant.common.markers import MARKER, numbers_in
from assistant.common.text import sentence_spans
from assistant.ui.render import section_label


def pages(citation: Citation) -> str:
    """'p. 12', 'pp. 12–13', or '' for a document without pages."""
    if citation.page is None:
        return ""
    if citation.page_end and citation.page_end != citation.page:
        return f"pp. {citation.page}–{citation.page_end}"
    return f"p. {citation.page}"


def location(citation: Citation) -> str:
    """Where in its document a quote is: 'Reader comment by Karin Smyth', 'Executive summary ›
    Neighbourhood health, p. 12', 'Article'."""
    parts = []
    if citation.section not in ("", "article"):
        parts.append(section_label(citation.section, citation.speaker))
    if citation.heading:
        parts.append(citation.heading)
    where = ", ".join([*parts, pages(citation)] if pages(citation) else parts)
    return where or "Article"


@dataclass
class Reference:
    """One numbered document of the note, with the quotes taken from it (in order of first use)."""

    number: int
    quotes: list[Citation] = field(default_factory=list)

    @property
    def document(self) -> Citation:
        return self.quotes[0]

    @property
    def year(self) -> str:
        date = self.document.date
        if not date[:4].isdigit():
            return "n.d."
        return f"{date[:4]}, inferred" if self.document.date_inferred else date[:4]

    @property
    def title(self) -> str:
        return self.document.title or self.document.doc_id

    def entry(self) -> str:
        """'Richard (2013). Whole person care: the hard work follows. Socialist Health Association
        (SHA) blog. Quoted: Reader comment by Brian Fisher; Article.'"""
        doc = self.document
        who = doc.author or doc.publisher
        parts = [f"{who} ({self.year}). {self.title}." if who else f"{self.title} ({self.year})."]
        if doc.publisher and doc.publisher != who:
            parts.append(f"{doc.publisher}.")
        places = list(dict.fromkeys(location(q) for q in self.quotes))
        if places != ["Article"]:
            parts.append(f"Quoted: {'; '.join(places)}.")
        return " ".join(parts)


@dataclass
class BriefingItem:
    question: str
    understood_as: str
    text: str
    refused: bool
    notice: str = ""
    scope: str = ""


@dataclass
class Briefing:
    """A note's content, independent of its file format."""

    title: str
    created: datetime
    items: list[BriefingItem] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    scope: str = ""  # the filter in force for every answer ('' when none, or when it changed between answers)

    @property
    def intro(self) -> str:
        return (
            f"Prepared {self.created:%-d %B %Y at %H:%M} with the policy assistant. Each statement is "
            "quoted from the documents listed under References; nothing else has been added."
        )

    @property
    def scope_line(self) -> str:
        return f"Filter in force: {self.scope}. Answers were drawn only from these documents." if self.scope else ""

    @property
    def quotes(self) -> list[tuple[Reference, Citation]]:
        return [(ref, quote) for ref in self.references for quote in ref.quotes]


def build_briefing(
    answers: Sequence[Answer], *, title: str | None = None, created: datetime | None = None,
    filters: SearchFilters | None = None, leave_out: Mapping[int, Collection[int]] | None = None,
) -> Briefing:
    """Gather the questions, number each document once, and list every quote under its document.

    `leave_out` maps an answer's position in `answers` to the citation numbers of that answer to
    leave out of the note; an answer whose every quote is left out is left out too. `filters` is
    the filter in force when the answers do not record one themselves.
    """
    leave_out = leave_out or {}
    kept: list[tuple[Answer, list[Citation], str]] = []
    for i, answer in enumerate(answers):
        drop = set(leave_out.get(i, ()))
        citations = [c for c in answer.citations if c.n not in drop]
        if answer.citations and not citations:
            continue  # every quote left out: nothing of this answer remains
        kept.append((answer, citations, _without(answer, drop) if drop else answer.answer_markdown))
    if not kept:
        raise ValueError("There is nothing to brief on yet: ask a question first." if not answers
                         else "Everything has been left out: tick at least one answer or quote.")
    references: dict[str, Reference] = {}
    items: list[BriefingItem] = []
    fallback_scope = filters.describe({}) if filters is not None and filters.active else ""
    for answer, citations, text in kept:
        markers: dict[int, str] = {}
        for citation in citations:
            ref = references.setdefault(citation.doc_id, Reference(len(references) + 1))
            if not any((q.start, q.end) == (citation.start, citation.end) for q in ref.quotes):
                ref.quotes.append(citation)
            page = pages(citation)
            markers[citation.n] = f"[{ref.number}, {page}]" if page else f"[{ref.number}]"

        def renumber(match: re.Match[str], markers: dict[int, str] = markers) -> str:
            found = [markers[n] for n in numbers_in(match.group(1)) if n in markers]
            return "".join(dict.fromkeys(found))

        items.append(BriefingItem(
            question=answer.question.strip(), understood_as=answer.standalone_question.strip(),
            text=MARKER.sub(renumber, text).strip(), refused=answer.refused, notice=answer.notice,
            scope=answer.scope or fallback_scope,
        ))
    scopes = {item.scope for item in items}
    shared = scopes.pop() if len(scopes) == 1 else ""
    if title is None:
        title = f"Briefing note: {items[0].question}" if len(items) == 1 else "Briefing note"
    return Briefing(title=title, created=created or datetime.now(), items=items,
                    references=list(references.values()), scope=shared)


def _without(answer: Answer, drop: set[int]) -> str:
    """The answer's text without the quotes (and markers) of the citations in `drop`: an
    extractive quote “...” [n] goes with its separator; a generated sentence citing only left-out
    sources goes whole; a paragraph left with no marker (an attribution alone) goes too."""
    paragraphs = []
    for para in answer.answer_markdown.split("\n\n"):
        had_markers = bool(MARKER.search(para))
        for citation in answer.citations:
            if citation.n in drop:
                para = _drop_quote(para, citation)
        if any(n in drop for group in MARKER.findall(para) for n in numbers_in(group)):
            para = _drop_sentences(para, drop)
        if not had_markers or MARKER.search(para):
            paragraphs.append(para)
    return "\n\n".join(paragraphs)


def _drop_quote(para: str, citation: Citation) -> str:
    quoted = re.escape(f"“{citation.quote}” [{citation.n}]")
    for pattern in (rf"\s*…\s*{quoted}", rf"{quoted}\s*…\s*", quoted):
        para, count = re.subn(pattern, "", para, count=1)
        if count:
            break
    return para


def _drop_sentences(para: str, drop: set[int]) -> str:
    pieces = []
    for span in sentence_spans(para):
        sentence = para[span.start : span.end]
        numbers = [n for group in MARKER.findall(sentence) for n in numbers_in(group)]
        if numbers and all(n in drop for n in numbers):
            continue
        pieces.append(MARKER.sub(lambda m: _kept_marker(m, drop), sentence))
    return " ".join(pieces) if pieces else ""


def _kept_marker(match: re.Match[str], drop: set[int]) -> str:
    kept = [n for n in numbers_in(match.group(1)) if n not in drop]
    return "".join(f"[{n}]" for n in kept)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _refusal_text(item: BriefingItem) -> str:
    why = item.notice.rstrip(".")
    return f"{item.text} Why: {why}." if why else item.text


def briefing_markdown(
    answers: Sequence[Answer], *, title: str | None = None, created: datetime | None = None,
    filters: SearchFilters | None = None, leave_out: Mapping[int, Collection[int]] | None = None,
) -> str:
    """The note as Markdown."""
    note = build_briefing(answers, title=title, created=created, filters=filters, leave_out=leave_out)
    lines = [f"# {note.title}", "", f"*{note.intro}*", ""]
    if note.scope_line:
        lines += [f"**{note.scope_line}**", ""]
    if len(note.items) > 1:
        lines += ["## Questions", ""] + [f"{i}. {item.question}" for i, item in enumerate(note.items, 1)] + [""]
    for i, item in enumerate(note.items, 1):
        lines += [f"## {i}. {item.question}" if len(note.items) > 1 else "## Answer", ""]
        if len(note.items) == 1:
            lines += [f"**Question:** {item.question}", ""]
        if item.understood_as and item.understood_as != item.question:
            lines += [f"*Understood as: {item.understood_as}*", ""]
        if item.scope and not note.scope:
            lines += [f"*Filter in force: {item.scope}.*", ""]
        if item.refused:
            lines += [f"**Not answered.** {_refusal_text(item)}", ""]
        else:
            lines += [item.text, ""]
            if item.notice:
                lines += [f"*Note: {item.notice}*", ""]
    if note.references:
        lines += ["## References", ""]
        lines += [f"{ref.number}. {ref.entry()}" for ref in note.references] + [""]
        lines += ["## Quoted evidence", ""]
        for ref in note.references:
            lines += [f"**[{ref.number}] {ref.title}**", ""]
            for quote in ref.quotes:
                lines += [f"> “{_one_line(quote.quote)}”  ", f"> — {location(quote)}", ""]
    # No raw HTML from documents in a file that may be opened in a Markdown viewer.
    return "\n".join(lines).replace("<", "&lt;").rstrip() + "\n"


def briefing_docx(
    answers: Sequence[Answer], *, title: str | None = None, created: datetime | None = None,
    filters: SearchFilters | None = None, leave_out: Mapping[int, Collection[int]] | None = None,
) -> bytes:
    """The note as a Word document (.docx bytes)."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    note = build_briefing(answers, title=title, created=created, filters=filters, leave_out=leave_out)
    doc = Document()
    doc.core_properties.title = note.title
    doc.core_properties.author = "Policy assistant"
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)
    muted = RGBColor(0x55, 0x5F, 0x6D)

    doc.add_heading(note.title, level=0)
    intro = doc.add_paragraph().add_run(note.intro)
    intro.italic, intro.font.color.rgb = True, muted
    if note.scope_line:
        doc.add_paragraph().add_run(note.scope_line).bold = True
    for i, item in enumerate(note.items, 1):
        doc.add_heading(f"{i}. {item.question}" if len(note.items) > 1 else item.question, level=1)
        if item.understood_as and item.understood_as != item.question:
            run = doc.add_paragraph().add_run(f"Understood as: {item.understood_as}")
            run.italic, run.font.color.rgb = True, muted
        if item.scope and not note.scope:
            doc.add_paragraph().add_run(f"Filter in force: {item.scope}.").italic = True
        if item.refused:
            para = doc.add_paragraph()
            para.add_run("Not answered. ").bold = True
            para.add_run(_refusal_text(item))
            continue
        for part in re.split(r"\n\s*\n", item.text):
            if part.strip():
                doc.add_paragraph(_one_line(part))
        if item.notice:
            doc.add_paragraph().add_run(f"Note: {item.notice}").italic = True
    if note.references:
        doc.add_heading("References", level=1)
        for ref in note.references:
            doc.add_paragraph(f"[{ref.number}] {ref.entry()}")
        doc.add_heading("Quoted evidence", level=1)
        for ref in note.references:
            head = doc.add_paragraph()
            head.add_run(f"[{ref.number}] {ref.title}").bold = True
            for quote in ref.quotes:
                doc.add_paragraph(f"“{_one_line(quote.quote)}” — {location(quote)}", style="Quote")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
