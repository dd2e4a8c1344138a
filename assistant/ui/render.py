"""HTML and Markdown for the officers' chat: answers, the sources panel, the library table.

Every piece of document text (titles, authors, quotes, passages, file names) goes through
`html.escape` before it reaches the page, so a document that contains `<script>` or an
`<img onerror=...>` shows those characters as text and never runs them. Nothing here is
marked safe by hand: helpers take raw text and return escaped HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant import Answer, Citation, IndexedDocument, Passage, SearchFilters, set_aside_note
from assistant.common.markers import MARKER, numbers_in

# [1], [2, 3] and [1][2]: the citation markers the answerers emit.
_CONTEXT_SIDE = 320  # characters of surrounding passage shown either side of a quote
_MAX_RELATED = 700

SECTION_LABELS = {
    "article": "Article",
    "teaser": "Teaser for another article (not part of this article)",
    "author note": "Note about the author",
    "page furniture": "Web page text (not part of the article)",
    "comment": "Reader comment",
}

TextLookup = Callable[[str], str]
SpansLookup = Callable[[str], list[tuple[int, int]]]  # doc_id -> its sentences addressed to an AI
SET_ASIDE_SHOWN = "[a sentence addressed to an AI assistant is set aside here]"


def _no_spans(doc_id: str) -> list[tuple[int, int]]:
    return []


def esc(text: object) -> str:
    """Text made safe to place inside HTML (element content or a quoted attribute)."""
    return html.escape(str(text), quote=True)


def anchor_id(turn: int, n: int) -> str:
    """The element id of source `n` of answer `turn` in the sources panel."""
    return f"src-{turn}-{n}"


def section_label(section: str, speaker: str = "") -> str:
    """'Article', 'Reader comment by Brian Fisher', 'Teaser for another article ...'."""
    if section == "comment":
        return f"Reader comment by {speaker}" if speaker else "Reader comment"
    label = SECTION_LABELS.get(section, section.capitalize() if section else "Article")
    if speaker and section != "article":
        label += f" ({speaker})"
    return label


def byline(author: str, date: str, publisher: str = "", *, inferred: bool = False) -> str:
    """'Michael Bracey · 2023, inferred · The MJ', with honest placeholders for what is unknown."""
    shown = (f"{date}, inferred" if inferred else date) if date else "Undated"
    return " · ".join([author or "Author not stated", shown, *([publisher] if publisher else [])])


# --- the chat messages ---------------------------------------------------------------------------------


def _escape_markdown_text(text: str) -> str:
    """Document words as literal text in Markdown: no raw HTML, links, images or maths from them."""
    text = html.escape(text, quote=False)
    parts = MARKER.split(text)
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:  # a citation marker's numbers: kept for `_link_markers`
            out.append(f"[{part}]")
        else:
            out.append(re.sub(r"([\[\]\\`$|])", r"\\\1", part))
    return "".join(out)


def _link_markers(text: str, turn: int) -> str:
    def link(match: re.Match[str]) -> str:
        numbers = numbers_in(match.group(1))
        return "".join(
            f'<a class="cite" href="#{anchor_id(turn, n)}" title="Show source {n}">[{n}]</a>' for n in numbers
        )

    return MARKER.sub(link, text)


def answer_message(answer: Answer | str, turn: int, *, streaming: bool = False) -> str:
    """The assistant's chat message: cited answer, or a muted notice for a refusal.

    `answer` may be a partial string while the answer streams in.
    """
    if isinstance(answer, str):
        body = _link_markers(_escape_markdown_text(answer), turn)
        return body + (' <span class="typing">▍</span>' if streaming else "")
    if answer.refused:
        text = esc(answer.answer_markdown.strip()).replace("\n\n", "<br><br>").replace("\n", " ")
        related = len(answer.related)
        hint = (
            f"{related} related passage{'s' if related != 1 else ''} shown under Sources, in case they help."
            if related else "Try rephrasing, or widen the library filter."
        )
        reason = answer.notice.rstrip(".")
        why = f'<div class="refusal-hint">Why: {esc(reason)}.</div>' if reason else ""
        where = "the selected documents" if answer.scope else "the library"
        body = (
            f'<div class="refusal"><div class="refusal-title">Not answered from {where}</div>'
            f'<div class="refusal-text">{text}</div>{why}<div class="refusal-hint">{esc(hint)}</div></div>'
        )
    else:
        body = _link_markers(_escape_markdown_text(answer.answer_markdown), turn)
    if answer.notice and not answer.refused:
        body += f'\n\n<div class="answer-notice">{esc(answer.notice)}</div>'
    if answer.standalone_question.strip() != answer.question.strip():
        body += (
            '\n\n<details class="understood"><summary>How this follow-up was understood</summary>'
            f"<p>{esc(answer.standalone_question)}</p></details>"
        )
    return body


def error_message(message: str) -> str:
    return f'<div class="refusal error"><div class="refusal-text">{esc(message)}</div></div>'


def question_message(question: str) -> str:
    """The officer's own words, shown literally."""
    return _escape_markdown_text(question)


# --- the sources panel ---------------------------------------------------------------------------------


def _window(text: str, start: int, end: int, ctx_start: int, ctx_end: int) -> tuple[int, int]:
    """The surrounding passage to show: the stored context, widened to hold the quote, trimmed around it.

    At most `_CONTEXT_SIDE` characters either side of the quote, cut at a word boundary, so the marked
    words are always in view at the top of the card.
    """
    if ctx_end <= ctx_start:
        ctx_start, ctx_end = start - _CONTEXT_SIDE, end + _CONTEXT_SIDE
    lo, hi = max(0, min(ctx_start, start)), min(len(text), max(ctx_end, end))
    if start - lo > _CONTEXT_SIDE:
        lo = start - _CONTEXT_SIDE
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else lo
    if hi - end > _CONTEXT_SIDE:
        hi = end + _CONTEXT_SIDE
        space = text.rfind(" ", end, hi)
        hi = space if space > end else hi
    return lo, hi


def _prose(text: str) -> str:
    """Escaped text, runs of spaces collapsed, line breaks kept (CSS pre-line), paragraph breaks as a gap."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    return re.sub(r"\n{2,}", '<span class="pb"></span>', esc(text))


def _prose_without(text: str, lo: int, hi: int, hidden: Sequence[tuple[int, int]]) -> str:
    """`_prose(text[lo:hi])`, with each sentence addressed to an AI shown as a muted placeholder."""
    out, at = [], lo
    for start, end in sorted(hidden):
        if end <= at or start >= hi:
            continue
        out.append(_prose(text[at:max(start, at)]))
        out.append(f'<span class="set-aside-text">{esc(SET_ASIDE_SHOWN)}</span>')
        at = min(end, hi)
    out.append(_prose(text[at:hi]))
    return "".join(out)


def highlighted_context(text: str, citation: Citation, hidden: Sequence[tuple[int, int]] = ()) -> str:
    """The passage around a citation, with the cited words marked and any sentence addressed to
    an AI (`hidden`) replaced by a placeholder."""
    start, end = citation.start, citation.end
    if not (0 <= start <= end <= len(text)) or text[start:end] != citation.quote:
        found = text.find(citation.quote)  # the document changed since: find the words again
        if found < 0:
            return f"<mark>{_prose(citation.quote)}</mark>"
        start, end = found, found + len(citation.quote)
    lo, hi = _window(text, start, end, citation.context_start, citation.context_end)
    lo += len(text[lo:start]) - len(text[lo:start].lstrip())
    hi -= len(text[end:hi]) - len(text[end:hi].rstrip())
    return (
        ("… " if lo > 0 else "") + _prose_without(text, lo, start, hidden)
        + f"<mark>{_prose(text[start:end])}</mark>"
        + _prose_without(text, end, max(hi, end), hidden) + (" …" if hi < len(text) else "")
    )


def source_card(citation: Citation, turn: int, text: str | None, hidden: Sequence[tuple[int, int]] = ()) -> str:
    section = section_label(citation.section, citation.speaker)
    kind = "comment" if citation.section == "comment" else (
        "article" if citation.section in ("article", "") else "other")
    context = (highlighted_context(text, citation, hidden) if text is not None
               else f"<mark>{_prose(citation.quote)}</mark>")
    file_name = Path(citation.source).name if citation.source else citation.doc_id
    return (
        f'<article class="source" id="{esc(anchor_id(turn, citation.n))}" data-n="{citation.n}">'
        f'<div class="source-head"><span class="source-n">{citation.n}</span>'
        f'<div class="source-heading"><div class="source-title">{esc(citation.title or file_name)}</div>'
        f'<div class="source-meta">{esc(byline(citation.author, citation.date, citation.publisher, inferred=citation.date_inferred))}</div>'
        "</div></div>"
        f'<div class="source-section section-{kind}">{esc(section)}</div>'
        + _where(citation.page_label, citation.heading)
        + f'<blockquote class="source-context">{context}</blockquote>'
        f'<div class="source-file" title="{esc(citation.source)}">{esc(file_name)}</div>'
        "</article>"
    )


def _where(pages: str, heading: str) -> str:
    """Where in the document the quote is: 'p. 12 · Executive summary › Neighbourhood health'."""
    parts = [f'<span class="source-page">{esc(pages)}</span>'] if pages else []
    if heading:
        parts.append(f'<span class="source-path">{esc(heading)}</span>')
    return f'<div class="source-where">{" · ".join(parts)}</div>' if parts else ""


def related_card(passage: Passage) -> str:
    text = passage.text if len(passage.text) <= _MAX_RELATED else passage.text[:_MAX_RELATED].rsplit(" ", 1)[0] + " …"
    return (
        '<article class="source related">'
        f'<div class="source-heading"><div class="source-title">{esc(passage.title or passage.doc_id)}</div>'
        f'<div class="source-meta">{esc(byline(passage.author, passage.date, inferred=passage.date_inferred))}</div></div>'
        f'<div class="source-section">{esc(section_label(passage.section, passage.speaker))}</div>'
        + _where(passage.page_label, passage.heading)
        + f'<blockquote class="source-context">{_prose(text)}</blockquote>'
        "</article>"
    )


def _turn_sources(answer: Answer, turn: int, lookup: TextLookup, hidden: SpansLookup) -> str:
    texts: dict[str, str | None] = {}

    def text_of(doc_id: str) -> str | None:
        if doc_id not in texts:
            try:
                texts[doc_id] = lookup(doc_id)
            except KeyError:  # removed from the library since the answer was given
                texts[doc_id] = None
        return texts[doc_id]

    if answer.refused:
        if not answer.related:
            return '<p class="sources-empty">No related passages were found.</p>'
        where = "The selected documents do" if answer.scope else "The library does"
        return (
            f'<div class="related-note">{where} not answer this question. '
            "These are the nearest passages; they are not an answer.</div>"
            + "".join(related_card(p) for p in answer.related[:5])
        )
    return "".join(source_card(c, turn, text_of(c.doc_id), hidden(c.doc_id) if text_of(c.doc_id) else [])
                   for c in answer.citations)


def sources_panel(
    answers: Sequence[Answer], lookup: TextLookup, *, pending: str = "", hidden: SpansLookup = _no_spans,
) -> str:
    """Sources of the latest answer first; earlier answers' sources folded away below. `hidden`
    gives a document's sentences addressed to an AI, shown as placeholders in the context."""
    return '<div class="panel-title">Sources</div>' + _sources(answers, lookup, pending, hidden)


def _sources(answers: Sequence[Answer], lookup: TextLookup, pending: str, hidden: SpansLookup) -> str:
    if pending:
        head = f'<div class="sources-turn-q">Searching the library for: {esc(pending)}</div>'
        return f'<div class="sources">{head}<p class="sources-empty">Finding sources…</p></div>'
    if not answers:
        return (
            '<div class="sources"><div class="sources-empty">'
            "<p><strong>Sources appear here.</strong></p>"
            "<p>Every sentence of an answer is quoted from a document in the library and numbered. "
            "Click a number such as [1] in the answer to bring its source into view, with the quoted "
            "words highlighted in their surrounding text.</p></div></div>"
        )
    turn = len(answers)
    latest = answers[-1]
    count = "Related passages" if latest.refused else (
        f"{len(latest.citations)} source{'s' if len(latest.citations) != 1 else ''}")
    parts = [
        f'<div class="sources-turn" data-turn="{turn}">'
        f'<div class="sources-turn-q"><span class="sources-count">{esc(count)}</span> for: '
        f"{esc(latest.question)}</div>{_turn_sources(latest, turn, lookup, hidden)}</div>"
    ]
    if len(answers) > 1:
        earlier = "".join(
            f'<div class="sources-turn" data-turn="{t}"><div class="sources-turn-q">{t}. {esc(a.question)}</div>'
            f"{_turn_sources(a, t, lookup, hidden)}</div>"
            for t, a in reversed(list(enumerate(answers[:-1], start=1)))
        )
        parts.append(
            f'<details class="earlier"><summary>Sources of earlier answers ({len(answers) - 1})</summary>'
            f"{earlier}</details>"
        )
    return f'<div class="sources">{"".join(parts)}</div>'


# --- the library tab -----------------------------------------------------------------------------------


def library_table(documents: Sequence[IndexedDocument]) -> str:
    title = '<div class="panel-title">Documents in the library</div>'
    if not documents:
        return title + '<p class="sources-empty">The library is empty. Add documents on the right.</p>'
    rows = []
    for d in documents:
        m = d.meta
        role = f'<div class="lib-role">{esc(m.author_role)}</div>' if m.author_role else ""
        file_name = Path(m.source).name
        where = file_name if Path(file_name).stem == m.doc_id else f"{m.doc_id} · {file_name}"
        aside = (f'<div class="lib-set-aside" title="Text addressed to an AI is data, not instructions">'
                 f"{esc(set_aside_note(d.set_aside))}</div>" if d.set_aside else "")
        rows.append(
            f'<tr data-doc-id="{esc(m.doc_id)}">'
            f'<td><div class="lib-title">{esc(m.title or m.doc_id)}</div>'
            f'<div class="lib-id">{esc(where)}</div>{aside}</td>'
            f"<td>{esc(m.author_line or '—')}{role}</td>"
            f"<td>{esc(m.publisher or '—')}</td>"
            f"<td>{esc(m.date_label or '—')}</td>"
            f"<td>{esc(m.kind or '—')}</td>"
            f'<td class="num">{d.n_chunks}</td>'
            "</tr>"
        )
    total = sum(d.n_chunks for d in documents)
    return (
        f'{title}<div class="lib-summary">{len(documents)} document{"s" if len(documents) != 1 else ""}, '
        f"{total} indexed passages</div>"
        '<div class="lib-scroll"><table class="library"><colgroup><col class="c-title"><col class="c-author">'
        '<col class="c-pub"><col class="c-date"><col class="c-kind"><col class="c-num"></colgroup>'
        "<thead><tr><th>Title</th><th>Author</th><th>Publisher</th><th>Date</th><th>Kind</th>"
        '<th class="num">Passages</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def filter_summary(filters: SearchFilters, documents: Sequence[IndexedDocument]) -> str:
    """One line saying what questions are currently limited to (empty when they are not)."""
    if not filters.active:
        return ""
    scope = filters.describe({d.meta.doc_id: d.meta.title for d in documents})
    return (
        '<div class="filter-banner"><strong>Questions are limited to</strong> '
        f"{esc(scope)}. Change this in the Library tab.</div>"
    )
