"""Briefing notes: a conversation (or one answer) as a note an officer can circulate.

Pure functions from answers to a Markdown string or .docx bytes, shared by the web app, the CLI
and the API. A note has, for each question, the answer with its citation numbers; then one
numbered reference list (author, year, title, publisher) and the quoted evidence. Citation
numbers are renumbered across the whole note, so the same quote keeps one number throughout.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from assistant import Answer, Citation, SearchFilters
from assistant.common.markers import MARKER, numbers_in


@dataclass
class Reference:
    """One numbered entry of the note's reference list, with the words it quotes."""

    number: int
    citation: Citation

    @property
    def year(self) -> str:
        return self.citation.date[:4] if self.citation.date[:4].isdigit() else "n.d."

    @property
    def author(self) -> str:
        return self.citation.author or "Unattributed"

    @property
    def detail(self) -> str:
        """Where in the document the words are, when it is not the article itself."""
        section, speaker = self.citation.section, self.citation.speaker
        if section == "comment":
            return f"Reader comment by {speaker}" if speaker else "Reader comment"
        if section in ("", "article"):
            return ""
        return section.capitalize() + (f" ({speaker})" if speaker else "")

    def entry(self) -> str:
        """'Richard (2013). Whole person care: the hard work follows. SHA blog. Reader comment by X.'"""
        parts = [f"{self.author} ({self.year}).", f"{self.citation.title or self.citation.doc_id}."]
        if self.citation.publisher:
            parts.append(f"{self.citation.publisher}.")
        if self.detail:
            parts.append(f"{self.detail}.")
        return " ".join(parts)


@dataclass
class BriefingItem:
    question: str
    understood_as: str
    text: str
    refused: bool
    notice: str = ""


@dataclass
class Briefing:
    """A note's content, independent of its file format."""

    title: str
    created: datetime
    items: list[BriefingItem] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    scope: str = ""

    @property
    def intro(self) -> str:
        return (
            f"Prepared {self.created:%-d %B %Y at %H:%M} with the policy assistant. Each statement is "
            "quoted from the documents listed under References; nothing else has been added."
        )


def build_briefing(
    answers: Sequence[Answer], *, title: str | None = None, created: datetime | None = None,
    filters: SearchFilters | None = None,
) -> Briefing:
    """Gather the questions, renumber citations across them, and list every quoted source once."""
    if not answers:
        raise ValueError("There is nothing to brief on yet: ask a question first.")
    numbers: dict[tuple[str, int, int], int] = {}
    references: list[Reference] = []
    items: list[BriefingItem] = []
    for answer in answers:
        local: dict[int, int] = {}
        for citation in answer.citations:
            key = (citation.doc_id, citation.start, citation.end)
            if key not in numbers:
                numbers[key] = len(references) + 1
                references.append(Reference(numbers[key], citation))
            local[citation.n] = numbers[key]

        def renumber(match: re.Match[str], local: dict[int, int] = local) -> str:
            found = [local.get(n) for n in numbers_in(match.group(1))]
            return "".join(f"[{n}]" for n in found if n is not None)

        items.append(BriefingItem(
            question=answer.question.strip(),
            understood_as=answer.standalone_question.strip(),
            text=MARKER.sub(renumber, answer.answer_markdown).strip(),
            refused=answer.refused,
            notice=answer.notice,
        ))
    if title is None:
        title = f"Briefing note: {items[0].question}" if len(items) == 1 else "Briefing note"
    return Briefing(
        title=title, created=created or datetime.now(), items=items, references=references,
        scope=_scope(filters),
    )


def _scope(filters: SearchFilters | None) -> str:
    if filters is None or not filters.active:
        return ""
    parts = []
    if filters.doc_ids:
        parts.append("documents " + ", ".join(filters.doc_ids))
    if filters.publishers:
        parts.append("publishers " + ", ".join(filters.publishers))
    if filters.year_from or filters.year_to:
        parts.append(f"years {filters.year_from or '…'}–{filters.year_to or '…'}")
    return "Answers were drawn only from " + "; ".join(parts) + "."


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def briefing_markdown(
    answers: Sequence[Answer], *, title: str | None = None, created: datetime | None = None,
    filters: SearchFilters | None = None,
) -> str:
    """The note as Markdown."""
    note = build_briefing(answers, title=title, created=created, filters=filters)
    lines = [f"# {note.title}", "", f"*{note.intro}*", ""]
    if note.scope:
        lines += [f"*{note.scope}*", ""]
    if len(note.items) > 1:
        lines += ["## Questions", ""] + [f"{i}. {item.question}" for i, item in enumerate(note.items, 1)] + [""]
    for i, item in enumerate(note.items, 1):
        lines += [f"## {i}. {item.question}" if len(note.items) > 1 else "## Answer", ""]
        if len(note.items) == 1:
            lines += [f"**Question:** {item.question}", ""]
        if item.understood_as and item.understood_as != item.question:
            lines += [f"*Understood as: {item.understood_as}*", ""]
        if item.refused:
            lines += ["*The library does not answer this question.*", "", item.text, ""]
        else:
            lines += [item.text, ""]
        if item.notice:
            lines += [f"*Note: {item.notice}*", ""]
    if note.references:
        lines += ["## References", ""]
        lines += [f"{ref.number}. {ref.entry()}" for ref in note.references] + [""]
        lines += ["## Quoted evidence", ""]
        for ref in note.references:
            where = f" — {ref.detail.lower()}" if ref.detail else ""
            lines += [f"**[{ref.number}]** {ref.citation.title}{where}", "",
                      f"> “{_one_line(ref.citation.quote)}”", ""]
    # No raw HTML from documents in a file that may be opened in a Markdown viewer.
    return "\n".join(lines).replace("<", "&lt;").rstrip() + "\n"


def briefing_docx(
    answers: Sequence[Answer], *, title: str | None = None, created: datetime | None = None,
    filters: SearchFilters | None = None,
) -> bytes:
    """The note as a Word document (.docx bytes)."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    note = build_briefing(answers, title=title, created=created, filters=filters)
    doc = Document()
    doc.core_properties.title = note.title
    doc.core_properties.author = "Policy assistant"
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)
    muted = RGBColor(0x55, 0x5F, 0x6D)

    doc.add_heading(note.title, level=0)
    intro = doc.add_paragraph().add_run(note.intro)
    intro.italic, intro.font.color.rgb = True, muted
    if note.scope:
        scope = doc.add_paragraph().add_run(note.scope)
        scope.italic = True
    for i, item in enumerate(note.items, 1):
        doc.add_heading(f"{i}. {item.question}" if len(note.items) > 1 else item.question, level=1)
        if item.understood_as and item.understood_as != item.question:
            run = doc.add_paragraph().add_run(f"Understood as: {item.understood_as}")
            run.italic, run.font.color.rgb = True, muted
        if item.refused:
            run = doc.add_paragraph().add_run("The library does not answer this question.")
            run.bold = True
        for para in re.split(r"\n\s*\n", item.text):
            if para.strip():
                doc.add_paragraph(_one_line(para))
        if item.notice:
            run = doc.add_paragraph().add_run(f"Note: {item.notice}")
            run.italic = True
    if note.references:
        doc.add_heading("References", level=1)
        for ref in note.references:
            doc.add_paragraph(f"[{ref.number}] {ref.entry()}")
        doc.add_heading("Quoted evidence", level=1)
        for ref in note.references:
            head = doc.add_paragraph()
            head.add_run(f"[{ref.number}] ").bold = True
            head.add_run(ref.citation.title + (f" — {ref.detail.lower()}" if ref.detail else ""))
            doc.add_paragraph(f"“{_one_line(ref.citation.quote)}”", style="Quote")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
