"""The officers' chat: a Gradio Blocks app over one shared `Assistant`.

Two tabs. *Ask*: the conversation (answers stream in, with [n] markers that link to the sources
panel beside it), feedback on each answer, and a briefing-note export. *Library*: the indexed
documents, a filter limiting which documents questions may draw on, uploads, and the feedback
export. Per-browser state (the conversation) lives in a `gr.State` holding a `ChatState`.
"""

import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
from gradio.components.chatbot import ExampleMessage
from pydantic import ValidationError

from assistant import (
    MAX_COMMENT_CHARS,
    SUPPORTED_SUFFIXES,
    Answer,
    Assistant,
    AssistantBusy,
    DocumentNotFound,
    FeedbackStore,
    IndexedDocument,
    MetaEdit,
    QuestionTooLong,
    Rating,
    SearchFilters,
    Session,
    set_aside_note,
)
from assistant.api import SessionStore
from assistant.ui import render
from assistant.ui.briefing import briefing_docx, briefing_markdown, build_briefing
from assistant.ui.theme import CSS, HEAD, THEME

Message = dict[str, Any]

# Download the file a handler just wrote into a (hidden) gr.File, as a DownloadButton would.
DOWNLOAD_JS = """(file) => {
  if (!file || !file.url) return;
  const link = document.createElement("a");
  link.href = file.url;
  link.download = file.orig_name || "";
  document.body.appendChild(link);
  link.click();
  link.remove();
}"""


@dataclass
class ChatState:
    """One browser tab's conversation: the session (history) and which chat message is which answer."""

    session: Session = field(default_factory=Session)
    message_turns: list[int | None] = field(default_factory=list)  # chat message index -> turn (1-based)
    rated_turn: int | None = None  # the answer the comment box is about
    latest_only: bool = False  # briefing notes of the latest answer rather than the whole conversation
    left_out_answers: set[int] = field(default_factory=set)  # turns the officer unticked for the briefing
    left_out_quotes: set[str] = field(default_factory=set)  # "turn:n" quotes unticked for the briefing

    @property
    def answers(self) -> list[Answer]:
        return [turn.answer for turn in self.session.turns]


def filters_from(doc_ids: list[str] | None, publishers: list[str] | None,
                 year_from: int | str | None, year_to: int | str | None) -> SearchFilters:
    def year(value: int | str | None) -> int | None:
        return int(value) if value not in (None, "", "Any") else None

    return SearchFilters(doc_ids=list(doc_ids or []), publishers=list(publishers or []),
                         year_from=year(year_from), year_to=year(year_to))


def example_questions(documents: list[IndexedDocument], speakers: list[str]) -> list[str]:
    """Starting points drawn from what the library holds: its history, recommendations, who said what."""
    if not documents:
        return []
    years = sorted(d.meta.year for d in documents if d.meta.year)
    dated = sorted(documents, key=lambda d: d.meta.date or "0", reverse=True)
    named = [d.meta for d in dated if d.meta.authors and len(d.meta.authors[0].split()) > 1]
    questions = []
    if years:
        questions.append(f"Why has integrating health and social care been so hard since {years[0]}?")
    if named:
        review = re.search(r"\b([A-Z][a-z]+) review\b", f"{named[0].notes} {named[0].title}")
        questions.append(f"What does {named[0].authors[0]} say the {review.group(1)} review recommends?" if review
                         else f"What does {named[0].authors[0]} recommend?")
    if speakers:
        questions.append(f"What did {speakers[0]} argue?")
    if len(named) > 1:
        questions.append(f"What does {named[1].authors[0]} see as the core challenge?")
    return questions[:4]


class ChatApp:
    """The event handlers, over one Assistant and one feedback store shared by every browser."""

    def __init__(self, assistant: Assistant, feedback: FeedbackStore) -> None:
        self.assistant = assistant
        self.feedback = feedback
        self.settings = assistant.settings
        self.uploads = self.settings.data_dir / "uploads"
        self.exports = Path(tempfile.mkdtemp(prefix="policy-assistant-exports-"))
        self._ingest_lock = threading.Lock()
        self.api_sessions = SessionStore()  # conversations of Gradio API clients, by session_id
        self.c = SimpleNamespace()  # the components, set by build(); handlers return {component: update}

    # --- library facts ---------------------------------------------------------------------------------

    def documents(self) -> list[IndexedDocument]:
        return self.assistant.documents()

    def examples(self, documents: list[IndexedDocument]) -> list[ExampleMessage]:
        return [{"text": q} for q in example_questions(documents, self.assistant.speakers())]

    def doc_choices(self, documents: list[IndexedDocument]) -> list[tuple[str, str]]:
        return [(f"{d.meta.title or d.meta.doc_id} ({d.meta.date[:4] or 'undated'})", d.meta.doc_id)
                for d in documents]

    @staticmethod
    def publisher_choices(documents: list[IndexedDocument]) -> list[str]:
        return sorted({d.meta.publisher for d in documents if d.meta.publisher})

    @staticmethod
    def year_choices(documents: list[IndexedDocument]) -> list[str]:
        return ["Any"] + [str(y) for y in sorted({d.meta.year for d in documents if d.meta.year})]

    def header(self, documents: list[IndexedDocument]) -> str:
        n = len(documents)
        return (
            '<div class="pa-header"><div><div class="pa-title">Policy assistant</div>'
            '<div class="pa-subtitle">Health and social care integration · answers quoted from the library, '
            "every sentence cited</div></div>"
            f'<div class="pa-badge" title="Nothing leaves this machine">Offline · {n} document{"s" if n != 1 else ""}'
            "</div></div>"
        )

    # --- asking --------------------------------------------------------------------------------------

    def respond(
        self, question: str, history: list[Message], state: ChatState,
        doc_ids: list[str] | None, publishers: list[str] | None, year_from: str | None, year_to: str | None,
    ) -> Iterator[dict[Any, Any]]:
        """Stream one answer into the chat, then its sources (the briefing controls follow: `briefing_after_answer`)."""
        c = self.c
        question = (question or "").strip()
        history = list(history or [])
        if not question:
            yield {c.ask_error: _error("Type a question first, then press Ask (or Enter).")}
            return
        limit = self.settings.max_question_chars
        if len(question) > limit:
            yield {c.ask_error: _error(f"This question is {len(question):,} characters long; questions are "
                                       f"limited to {limit:,}. Please shorten it and ask again.")}
            return
        filters = filters_from(doc_ids, publishers, year_from, year_to)
        turn = len(state.session.turns) + 1
        history += [{"role": "user", "content": render.question_message(question)},
                    {"role": "assistant", "content": '<span class="typing">Searching the library…</span>'}]
        state.message_turns += [None, turn]
        yield {c.chatbot: history, c.question: "", c.ask_error: _hidden(), c.feedback_box: gr.update(visible=False),
               c.sources: render.sources_panel([], self.assistant.document_text, pending=question), c.state: state}
        slots = self.assistant.slots
        try:  # one answering slot, shared with the API, for the answer and the page made from it
            slots.acquire("chat")
        except AssistantBusy as err:
            yield self._returned(question, history, state, f"The assistant is busy answering other questions: {err}")
            return
        try:
            yield from self._answer(question, history, state, filters, turn)
        finally:
            slots.release()

    def _answer(
        self, question: str, history: list[Message], state: ChatState, filters: SearchFilters, turn: int,
    ) -> Iterator[dict[Any, Any]]:
        c = self.c
        answer: Answer | None = None
        try:
            for part in self.assistant.ask_stream(question, session=state.session, filters=filters, take_slot=False):
                if isinstance(part, Answer):
                    answer = part
                    break
                history[-1] = {"role": "assistant", "content": render.answer_message(part, turn, streaming=True)}
                yield {c.chatbot: history}
        except QuestionTooLong as err:
            yield self._returned(question, history, state, str(err))
            return
        except Exception as err:  # keep the conversation usable, and say what happened
            history[-1] = {"role": "assistant", "content": render.error_message(
                f"Sorry, this question could not be answered ({type(err).__name__}: {err}).")}
            state.message_turns[-1] = None
            yield {c.chatbot: history, c.sources: self.sources(state), c.state: state}
            return
        if answer is None:
            return
        history[-1] = {"role": "assistant", "content": render.answer_message(answer, turn)}
        yield {c.chatbot: history, c.sources: self.sources(state), c.state: state}

    def _returned(self, question: str, history: list[Message], state: ChatState, why: str) -> dict[Any, Any]:
        """The question goes back in the box, with why it was not answered."""
        c = self.c
        del history[-2:], state.message_turns[-2:]
        return {c.chatbot: history, c.question: question, c.ask_error: _error(why), c.sources: self.sources(state),
                c.state: state}

    def sources(self, state: ChatState) -> str:
        return render.sources_panel(state.answers, self.assistant.document_text, hidden=self.assistant.set_aside_spans)

    def new_conversation(self) -> dict[Any, Any]:
        c = self.c
        state = ChatState()
        return {c.chatbot: [], c.question: "", c.sources: self.sources(state), c.state: state,
                c.ask_error: _hidden(), c.feedback_box: gr.update(visible=False),
                **self.briefing_controls(state, False), c.scope: gr.update(value=False, visible=False)}

    # --- briefing notes ------------------------------------------------------------------------------

    def briefing_controls(self, state: ChatState, latest_only: bool) -> dict[Any, Any]:
        """Offer the note (whole conversation, or latest answer) for download, and what it may hold
        as checkboxes. No file is written here: `briefing_download` writes one when it is asked for."""
        c = self.c
        state.latest_only = bool(latest_only)
        hidden = {c.briefing_label: gr.update(visible=False), c.scope: gr.update(visible=False),
                  c.brief_md: gr.update(visible=False), c.brief_docx: gr.update(visible=False),
                  c.choose: gr.update(visible=False)}
        if not state.answers:
            return hidden
        shown = {c.briefing_label: gr.update(visible=True), c.scope: gr.update(visible=True),
                 **self._briefing_choices(state, self._briefing_turns(state))}
        try:  # everything unticked: nothing to download until something is ticked again
            picked, leave_out = self._briefing_picked(state)
            build_briefing(picked, leave_out=leave_out)
        except ValueError:
            return {**hidden, **shown}
        return {**shown, c.brief_md: gr.update(visible=True), c.brief_docx: gr.update(visible=True)}

    def briefing_after_answer(self, state: ChatState) -> dict[Any, Any]:
        """The briefing controls once an answer is in (the event that follows every question)."""
        return self.briefing_controls(state, state.latest_only)

    def briefing_download(self, state: ChatState, kind: str) -> str | None:
        """Write the note as the officer has chosen it (less what they unticked), when they click
        Word or Markdown: the file's path, which the page then downloads."""
        picked, leave_out = self._briefing_picked(state)
        stamp = datetime.now()
        try:
            content = (briefing_docx(picked, created=stamp, leave_out=leave_out) if kind == "docx" else
                       briefing_markdown(picked, created=stamp, leave_out=leave_out).encode("utf-8"))
        except ValueError as err:  # everything unticked since the buttons were shown
            gr.Warning(str(err) if not state.answers or picked else
                       "Everything has been left out: tick at least one answer or quote.")
            return None
        path = Path(tempfile.mkdtemp(dir=self.exports)) / f"briefing-note-{stamp:%Y-%m-%d-%H%M}.{kind}"
        path.write_bytes(content)
        return str(path)

    @staticmethod
    def _briefing_turns(state: ChatState) -> list[int]:
        """The turns the note may hold: the latest only, or the whole conversation."""
        count = len(state.session.turns)
        return [count] if state.latest_only else list(range(1, count + 1))

    def _briefing_picked(self, state: ChatState) -> tuple[list[Answer], dict[int, set[int]]]:
        """The answers the note holds, and for each (by position) the quote numbers left out of it."""
        answers = state.answers
        chosen = [t for t in self._briefing_turns(state) if t not in state.left_out_answers]
        return [answers[t - 1] for t in chosen], {i: _numbers(state.left_out_quotes, t) for i, t in enumerate(chosen)}

    def _briefing_choices(self, state: ChatState, turns: list[int]) -> dict[Any, Any]:
        """The answers and quotes the note may hold, ticked unless the officer left them out."""
        c = self.c
        answers = state.answers
        answer_choices = [(f"{t}. {_short(answers[t - 1].question, 70)}", str(t)) for t in turns]
        quote_choices = [
            (f"{t}. [{q.n}] “{_short(q.quote, 80)}”", f"{t}:{q.n}") for t in turns for q in answers[t - 1].citations
        ]
        return {
            c.choose: gr.update(visible=True),
            c.brief_answers: gr.update(choices=answer_choices,
                                       value=[v for _, v in answer_choices if int(v) not in state.left_out_answers]),
            c.brief_quotes: gr.update(choices=quote_choices,
                                      value=[v for _, v in quote_choices if v not in state.left_out_quotes]),
        }

    def change_scope(self, state: ChatState, latest_only: bool) -> dict[Any, Any]:
        controls = self.briefing_controls(state, latest_only)
        controls.pop(self.c.scope)
        return {**controls, self.c.state: state}

    def choose_briefing(self, state: ChatState, answers: list[str] | None, quotes: list[str] | None) -> dict[Any, Any]:
        """The officer ticked or unticked answers or quotes: the next download leaves them out."""
        turns = range(1, len(state.answers) + 1)
        offered = [t for t in turns if not state.latest_only or t == len(state.answers)]
        ticked = {int(v) for v in answers or []}
        state.left_out_answers = {t for t in offered if t not in ticked} | (state.left_out_answers - set(offered))
        every_quote = {f"{t}:{q.n}" for t in offered for q in state.answers[t - 1].citations}
        state.left_out_quotes = (every_quote - set(quotes or [])) | {q for q in state.left_out_quotes
                                                                     if q not in every_quote}
        controls = self.briefing_controls(state, state.latest_only)
        controls.pop(self.c.scope)
        return {**controls, self.c.state: state}

    # --- feedback ------------------------------------------------------------------------------------

    def rate(self, state: ChatState, data: gr.LikeData) -> dict[Any, Any]:
        c = self.c
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = state.message_turns[index] if 0 <= index < len(state.message_turns) else None
        if turn is None or turn > len(state.session.turns) or data.liked is None:
            return {c.feedback_box: gr.update(visible=False)}
        rating: Rating = "up" if data.liked is True or data.liked == "Like" else "down"
        self.feedback.rate(state.answers[turn - 1], rating, session_id=state.session.session_id, turn=turn)
        state.rated_turn = turn
        thanks = "Thanks: marked helpful." if rating == "up" else "Thanks: marked not helpful."
        return {c.state: state, c.feedback_box: gr.update(visible=True), c.comment: "",
                c.feedback_note: f'<div class="fb-thanks">{render.esc(thanks)}</div>',
                c.feedback_download: self.feedback_export()}

    def save_comment(self, state: ChatState, comment: str) -> dict[Any, Any]:
        c = self.c
        if state.rated_turn is None or not (comment or "").strip():
            return {}
        self.feedback.comment(state.session.session_id, state.rated_turn, comment)
        return {c.feedback_note: '<div class="fb-thanks">Comment saved. Thank you.</div>', c.comment: "",
                c.feedback_download: self.feedback_export()}

    def feedback_export(self) -> Any:
        counts = self.feedback.count()
        path = self.exports / "feedback.jsonl"
        path.write_text(self.feedback.export_jsonl(), encoding="utf-8")
        total = counts["up"] + counts["down"]
        return gr.update(value=str(path), label=f"Download feedback (JSONL, {total} rating{'s' if total != 1 else ''})")

    # --- the library tab ------------------------------------------------------------------------------

    def refresh(self) -> dict[Any, Any]:
        """Everything that depends on what is in the library, for page load and after an upload."""
        c = self.c
        documents = self.documents()
        years = self.year_choices(documents)
        return {
            c.header: self.header(documents),
            c.library: render.library_table(documents),
            c.doc_filter: gr.update(choices=self.doc_choices(documents)),
            c.pub_filter: gr.update(choices=self.publisher_choices(documents)),
            c.year_from: gr.update(choices=years),
            c.year_to: gr.update(choices=years),
            c.chatbot: gr.update(examples=self.examples(documents) or None),
            c.feedback_download: self.feedback_export(),
            c.manage_doc: gr.update(choices=self.doc_choices(documents)),
        }

    def filter_banner(self, doc_ids: list[str] | None, publishers: list[str] | None,
                      year_from: str | None, year_to: str | None) -> Any:
        text = render.filter_summary(filters_from(doc_ids, publishers, year_from, year_to), self.documents())
        return gr.update(value=text, visible=bool(text))

    def upload(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        """Copy the files into data_dir/uploads/ and ingest them, reporting file by file (the
        Gradio API's "upload": the report, as HTML)."""
        return self._upload(files, progress)

    def _upload(self, files: list[str] | None, progress: gr.Progress) -> str:
        if not files:
            return '<div class="upload-report warn">Choose one or more files first.</div>'
        self.uploads.mkdir(parents=True, exist_ok=True)
        copied: list[Path] = []
        problems: list[str] = []
        for item in files:
            source = Path(item)
            name = source.name.lstrip(".") or "upload"
            if source.suffix.lower() not in SUPPORTED_SUFFIXES:
                problems.append(f"<li><strong>{render.esc(name)}</strong> was not added: unsupported file type "
                                f"(supported: {render.esc(', '.join(SUPPORTED_SUFFIXES))})</li>")
                continue
            target = self.uploads / name
            shutil.copyfile(source, target)
            copied.append(target)
        if not copied:
            return f'<div class="upload-report bad"><ul>{"".join(problems)}</ul></div>'
        with self._ingest_lock:
            report = self.assistant.ingest(copied, _GradioProgress(progress))
        titles = {d.meta.doc_id: d.meta.title for d in self.documents()}
        found = {r.doc_id: r.summary + "".join(f"; {note}" for note in r.notes) for r in report.documents}
        lines = []
        for label, doc_ids in (("Added", report.added), ("Updated", report.updated),
                               ("Already in the library, unchanged", report.unchanged)):
            for doc_id in doc_ids:
                what = f" ({render.esc(found[doc_id])})" if doc_id in found else ""
                lines.append(f"<li>{label}: <strong>{render.esc(titles.get(doc_id, doc_id))}</strong>{what}</li>")
        for doc_id, count in report.set_aside.items():
            lines.append(f"<li>In <strong>{render.esc(titles.get(doc_id, doc_id))}</strong>: "
                         f"{render.esc(set_aside_note(count))}</li>")
        for problem in report.problems:
            kind = "was not added" if problem.fatal else "(note)"
            problems.append(f"<li><strong>{render.esc(Path(problem.path).name)}</strong> {kind}: "
                            f"{render.esc(problem.reason)}</li>")
        indexed = len(report.added) + len(report.updated)
        css = "bad" if problems and not lines else ("warn" if problems else "ok")
        passages = report.chunks_embedded
        summary = (f"{indexed} file{'s' if indexed != 1 else ''} indexed ({passages} passage"
                   f"{'s' if passages != 1 else ''}) in {report.seconds:.1f} s.")
        return (f'<div class="upload-report {css}"><div>{render.esc(summary)}</div>'
                f'<ul>{"".join(lines)}{"".join(problems)}</ul></div>')

    # --- correcting and removing documents ------------------------------------------------------------

    def _document(self, doc_id: str | None) -> IndexedDocument | None:
        return next((d for d in self.documents() if d.meta.doc_id == doc_id), None) if doc_id else None

    def _uploaded(self, doc: IndexedDocument) -> bool:
        return Path(doc.meta.source).is_relative_to(self.uploads.resolve())

    def pick_document(self, doc_id: str | None) -> dict[Any, Any]:
        """Fill the Edit form with the chosen document's metadata."""
        c = self.c
        doc = self._document(doc_id)
        m = doc.meta if doc else None
        return {c.edit_title: m.title if m else "", c.edit_authors: "; ".join(m.authors) if m else "",
                c.edit_publisher: m.publisher if m else "", c.edit_date: m.date if m else "",
                c.edit_hint: _date_hint(doc), c.delete_confirm: gr.update(visible=False), c.manage_report: _hidden()}

    def save_metadata(self, doc_id: str | None, title: str, authors: str, publisher: str, date: str) -> dict[Any, Any]:
        """Save what the officer changed in the Edit form (a date saved here is stated, not inferred)."""
        c = self.c
        doc = self._document(doc_id)
        if doc is None:
            return {c.manage_report: _report("warn", "Choose a document first.")}
        m = doc.meta
        wanted = {"title": (title or "").strip(), "authors": [a.strip() for a in (authors or "").split(";") if a.strip()],
                  "publisher": (publisher or "").strip(), "date": (date or "").strip()}
        changed = {k: v for k, v in wanted.items() if v != getattr(m, k)}
        if not changed:
            return {c.manage_report: _report("warn", "Nothing was changed.")}
        try:
            edit = MetaEdit.model_validate(changed)
        except ValidationError as err:
            problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
            return {c.manage_report: _report("bad", f"Not saved: {problems}.")}
        with self._ingest_lock:
            saved = self.assistant.set_metadata(m.doc_id, edit)
        fields = ", ".join(changed)
        return {c.manage_report: _report("ok", f"Saved {fields} of “{saved.meta.title}”. Kept when the library is "
                                               "indexed again."),
                c.edit_title: saved.meta.title, c.edit_authors: "; ".join(saved.meta.authors),
                c.edit_publisher: saved.meta.publisher, c.edit_date: saved.meta.date, c.edit_hint: _date_hint(saved)}

    def ask_delete(self, doc_id: str | None) -> dict[Any, Any]:
        """Ask the officer to confirm, saying what deleting will do."""
        c = self.c
        doc = self._document(doc_id)
        if doc is None:
            return {c.manage_report: _report("warn", "Choose a document first."), c.delete_confirm: gr.update(visible=False)}
        what = ("Its uploaded copy will be deleted too." if self._uploaded(doc) else
                "Its file stays where it is; indexing that folder again will leave it out.")
        text = (f"Delete “{doc.meta.title or doc.meta.doc_id}” from the library? It will never be searched or cited "
                f"again. {what}")
        return {c.delete_confirm: gr.update(visible=True), c.manage_report: _hidden(),
                c.delete_text: f'<div class="delete-text">{render.esc(text)}</div>'}

    def delete_document(self, doc_id: str | None) -> dict[Any, Any]:
        c = self.c
        cleared = {c.manage_doc: gr.update(value=None), c.edit_title: "", c.edit_authors: "", c.edit_publisher: "",
                   c.edit_date: "", c.edit_hint: "", c.delete_confirm: gr.update(visible=False)}
        try:
            with self._ingest_lock:
                removal = self.assistant.remove_document(doc_id or "")
        except DocumentNotFound as err:
            return {**cleared, c.manage_report: _report("warn", str(err))}
        title = removal.document.meta.title or removal.document.meta.doc_id
        note = " Its uploaded copy was deleted." if removal.upload_deleted else ""
        return {**cleared, c.manage_report: _report("ok", f"Deleted “{title}” from the library.{note}")}

    # --- the Gradio API ---------------------------------------------------------------------------------

    def api_ask(
        self, question: str, doc_ids: list[str] | None = None, publishers: list[str] | None = None,
        year_from: int | None = None, year_to: int | None = None, session_id: str | None = None,
    ) -> dict[str, Any]:
        """Answer from the library only, every sentence cited; the Answer as JSON (as POST /api/ask).
        Questions with one `session_id` form a conversation, so follow-ups are understood."""
        question = (question or "").strip()
        if not question:
            raise gr.Error("The question is empty.")
        filters = SearchFilters(doc_ids=list(doc_ids or []), publishers=list(publishers or []),
                                year_from=year_from or None, year_to=year_to or None)
        session = self.api_sessions.get(session_id) if session_id else None
        try:
            answer = self.assistant.ask(question, session=session, filters=filters, lane="api")
        except QuestionTooLong as err:
            raise gr.Error(str(err)) from err
        except AssistantBusy as err:
            raise gr.Error(f"The assistant is busy answering other questions: {err}") from err
        return answer.model_dump(mode="json")

    # --- layout --------------------------------------------------------------------------------------

    def build(self) -> gr.Blocks:
        documents = self.documents()
        c = self.c
        with gr.Blocks(title="Policy assistant · health and social care integration",
                       analytics_enabled=False) as blocks:
            c.state = gr.State(ChatState())  # copied for each browser tab
            c.header = gr.HTML(self.header(documents), elem_id="pa-header")
            with gr.Tabs(elem_id="pa-tabs"):
                with gr.Tab("Ask", id="ask", elem_id="tab-ask"):
                    c.banner = gr.HTML("", visible=False, elem_id="filter-banner")
                    with gr.Row(equal_height=False, elem_id="ask-row"):
                        with gr.Column(scale=3, min_width=420, elem_id="chat-column"):
                            with gr.Row(elem_id="toolbar"):
                                new_chat = gr.Button("New conversation", size="sm", variant="secondary",
                                                     elem_id="new-chat", scale=0, min_width=150)
                                gr.HTML("", elem_id="toolbar-spacer")
                                c.briefing_label = gr.HTML('<span class="toolbar-label">Briefing note:</span>',
                                                           visible=False, elem_id="briefing-label")
                                c.scope = gr.Checkbox(label="latest answer only", value=False, visible=False,
                                                      container=False, elem_id="briefing-latest", scale=0,
                                                      min_width=150)
                                # Buttons, not DownloadButtons: the note is written when one is clicked,
                                # into brief_file, and the page then downloads it (DOWNLOAD_JS).
                                c.brief_docx = gr.Button("Word", size="sm", variant="primary", visible=False,
                                                         elem_id="brief-docx", scale=0, min_width=70)
                                c.brief_md = gr.Button("Markdown", size="sm", elem_id="brief-md",
                                                       visible=False, scale=0, min_width=90)
                                c.brief_file = gr.File(visible=False, elem_id="brief-file")
                            with gr.Accordion("Choose what goes in the briefing note", open=False, visible=False,
                                              elem_id="briefing-choose") as c.choose:
                                c.brief_answers = gr.CheckboxGroup([], label="Answers", elem_id="brief-answers")
                                c.brief_quotes = gr.CheckboxGroup([], label="Quotes", elem_id="brief-quotes")
                            c.chatbot = gr.Chatbot(
                                elem_id="chat", show_label=False, height="calc(100vh - 365px)", min_height=340,
                                layout="panel", latex_delimiters=[], buttons=["copy"],
                                feedback_options=["Like", "Dislike"],
                                placeholder=(
                                    "<div class='chat-empty'><strong>Ask about health and social care "
                                    "integration</strong><br>Answers quote the library word for word, and every "
                                    "sentence is numbered to its source. Try one of these:</div>"),
                                examples=self.examples(documents) or None,
                            )
                            with gr.Row(visible=False, elem_id="feedback-box") as c.feedback_box:
                                c.feedback_note = gr.HTML("", elem_id="feedback-note")
                                c.comment = gr.Textbox(show_label=False, placeholder="Optional comment for the team",
                                                       scale=4, container=False, elem_id="feedback-comment",
                                                       max_length=MAX_COMMENT_CHARS)
                                save_comment = gr.Button("Save comment", size="sm", scale=0, min_width=120,
                                                         elem_id="feedback-save")
                            with gr.Row(elem_id="ask-bar"):
                                with gr.Column(scale=6, min_width=200, elem_id="question-column"):
                                    # Floats just above the question box, whatever its height: always in view.
                                    c.ask_error = gr.HTML("", visible=False, elem_id="ask-error")
                                    c.question = gr.Textbox(
                                        show_label=False, placeholder="Ask a question, or a follow-up…", lines=1,
                                        max_lines=6, elem_id="question", autofocus=True, container=False,
                                    )
                                send = gr.Button("Ask", variant="primary", scale=1, min_width=90, elem_id="ask")
                        with gr.Column(scale=2, min_width=320, elem_id="sources-column"):
                            c.sources = gr.HTML(render.sources_panel([], self.assistant.document_text),
                                                elem_id="sources-panel")
                with gr.Tab("Library", id="library", elem_id="tab-library"), gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=480):
                        c.library = gr.HTML(render.library_table(documents), elem_id="library-table")
                        gr.HTML('<div class="panel-title">Correct or remove a document</div><div class="panel-hint">'
                                "Corrections are kept when the library is indexed again. A removed document is "
                                "never searched or cited again.</div>")
                        c.manage_doc = gr.Dropdown(self.doc_choices(documents), value=None, label="Document",
                                                   elem_id="manage-doc")
                        with gr.Row(elem_id="edit-form"):
                            c.edit_title = gr.Textbox(label="Title", elem_id="edit-title", scale=3)
                            c.edit_authors = gr.Textbox(label="Authors (separate several with ;)",
                                                        elem_id="edit-authors", scale=2)
                        with gr.Row():
                            c.edit_publisher = gr.Textbox(label="Publisher", elem_id="edit-publisher", scale=3)
                            c.edit_date = gr.Textbox(label="Date", placeholder="2013, 2015-01 or 2023-04-05",
                                                     elem_id="edit-date", scale=2)
                        c.edit_hint = gr.HTML("", elem_id="edit-hint")
                        with gr.Row(elem_id="manage-actions"):
                            save_meta = gr.Button("Save corrections", variant="primary", size="sm",
                                                  elem_id="edit-save", scale=0, min_width=150)
                            ask_delete = gr.Button("Delete document…", variant="stop", size="sm", elem_id="doc-delete",
                                                   scale=0, min_width=150)
                        with gr.Row(visible=False, elem_id="delete-confirm") as c.delete_confirm:
                            c.delete_text = gr.HTML("", elem_id="delete-text")
                            confirm_delete = gr.Button("Yes, delete it", variant="stop", size="sm",
                                                       elem_id="delete-yes", scale=0, min_width=130)
                            cancel_delete = gr.Button("Cancel", size="sm", elem_id="delete-no", scale=0, min_width=90)
                        c.manage_report = gr.HTML("", visible=False, elem_id="manage-report")
                    with gr.Column(scale=2, min_width=320):
                        gr.HTML('<div class="panel-title">Limit questions to</div>'
                                '<div class="panel-hint">Leave empty to search the whole library.</div>')
                        c.doc_filter = gr.Dropdown(self.doc_choices(documents), multiselect=True, value=[],
                                                   label="Documents", elem_id="filter-docs")
                        c.pub_filter = gr.Dropdown(self.publisher_choices(documents), multiselect=True,
                                                   value=[], label="Publishers", elem_id="filter-publishers")
                        with gr.Row():
                            c.year_from = gr.Dropdown(self.year_choices(documents), value="Any",
                                                      label="From year", elem_id="filter-from")
                            c.year_to = gr.Dropdown(self.year_choices(documents), value="Any",
                                                    label="To year", elem_id="filter-to")
                        clear_filter = gr.Button("Clear filter", size="sm", elem_id="filter-clear")
                        gr.HTML('<div class="panel-title">Add documents</div><div class="panel-hint">'
                                "Text, Markdown, HTML, PDF or Word files. They are copied into the "
                                "library's uploads folder and indexed on this machine.</div>")
                        files = gr.File(file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), show_label=False,
                                        elem_id="upload-files", height=120)
                        add_files = gr.Button("Add to library", variant="primary", elem_id="upload-add")
                        upload_report = gr.HTML("", elem_id="upload-report")
                        gr.HTML('<div class="panel-title">Officers\' feedback</div><div class="panel-hint">'
                                "Every rating with its question, answer and citations, one JSON object "
                                "per line.</div>")
                        c.feedback_download = gr.DownloadButton("Download feedback (JSONL)", size="sm",
                                                                elem_id="feedback-download")
            self._wire(new_chat, send, save_comment, clear_filter, files, add_files, upload_report, blocks)
            self._wire_library(save_meta, ask_delete, confirm_delete, cancel_delete)
            slots = self.assistant.slots
            gr.api(self.api_ask, api_name="ask", concurrency_id="ask", concurrency_limit=slots.size + slots.max_waiting)
        blocks.queue(default_concurrency_limit=2, max_size=64)
        return blocks

    def _wire(self, new_chat: gr.Button, send: gr.Button, save_comment: gr.Button, clear_filter: gr.Button,
              files: gr.File, add_files: gr.Button, upload_report: gr.HTML, blocks: gr.Blocks) -> None:
        """The chat's events; all internal to the page (hidden from the Gradio API) but "upload"."""
        c = self.c
        internal: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
        filters = [c.doc_filter, c.pub_filter, c.year_from, c.year_to]
        # What an answer writes, step by step; the briefing controls follow in a second event
        # (briefing_after_answer): Gradio rebuilds every output component of an event at each step
        # of a stream, those the step leaves alone too, so the stream's outputs are what it writes.
        answer_out = [c.chatbot, c.question, c.sources, c.state, c.ask_error, c.feedback_box]
        briefing_controls = [c.briefing_label, c.brief_md, c.brief_docx, c.scope, c.choose, c.brief_answers,
                             c.brief_quotes]
        ask_in = [c.question, c.chatbot, c.state, *filters]
        # Questions wait in the Assistant's answering slots (shared with the API, in the chat's lane),
        # not in Gradio's queue: Gradio lets through as many as the slots may hold or queue.
        slots = self.assistant.slots
        asks: dict[str, Any] = {"concurrency_id": "ask", "concurrency_limit": slots.size + slots.max_waiting,
                                **internal}
        for asked in (c.question.submit(self.respond, ask_in, answer_out, **asks),
                      send.click(self.respond, ask_in, answer_out, **asks),
                      c.chatbot.example_select(_picked_example, None, c.question, queue=False, **internal).then(
                          self.respond, ask_in, answer_out, **asks)):
            asked.then(self.briefing_after_answer, [c.state], briefing_controls, queue=False, **internal)
        new_chat.click(self.new_conversation, None, answer_out + briefing_controls, queue=False, **internal)
        briefing_out = [c.state, c.briefing_label, c.brief_md, c.brief_docx, c.choose, c.brief_answers,
                        c.brief_quotes]
        c.scope.input(self.change_scope, [c.state, c.scope], briefing_out, **internal)
        for button, kind in ((c.brief_docx, "docx"), (c.brief_md, "md")):
            button.click(partial(self.briefing_download, kind=kind), [c.state], [c.brief_file], queue=False,
                         **internal).success(None, [c.brief_file], None, js=DOWNLOAD_JS, **internal)
        for choice in (c.brief_answers, c.brief_quotes):
            choice.input(self.choose_briefing, [c.state, c.brief_answers, c.brief_quotes], briefing_out, **internal)
        feedback_out = [c.state, c.feedback_box, c.feedback_note, c.comment, c.feedback_download]
        c.chatbot.like(self.rate, [c.state], feedback_out, **internal)
        save_comment.click(self.save_comment, [c.state, c.comment], feedback_out, **internal)
        c.comment.submit(self.save_comment, [c.state, c.comment], feedback_out, **internal)
        for control in filters:
            control.change(self.filter_banner, filters, c.banner, queue=False, **internal)
        clear_filter.click(lambda: ([], [], "Any", "Any"), None, filters, queue=False, **internal)
        add_files.click(self.upload, [files], [upload_report], concurrency_id="ingest", api_name="upload").then(
            self.refresh, None, self.refresh_out, **internal).then(lambda: None, None, files, **internal)
        blocks.load(self.refresh, None, self.refresh_out, **internal)

    def _wire_library(self, save_meta: gr.Button, ask_delete: gr.Button, confirm_delete: gr.Button,
                      cancel_delete: gr.Button) -> None:
        """The Library tab's Edit form and Delete action (with its confirmation)."""
        c = self.c
        internal: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
        form = [c.edit_title, c.edit_authors, c.edit_publisher, c.edit_date]
        picked = [*form, c.edit_hint, c.delete_confirm, c.manage_report]
        c.manage_doc.change(self.pick_document, [c.manage_doc], picked, queue=False, **internal)
        save_meta.click(self.save_metadata, [c.manage_doc, *form], [c.manage_report, *form, c.edit_hint],
                        concurrency_id="ingest", **internal).then(self.refresh, None, self.refresh_out, **internal)
        ask_delete.click(self.ask_delete, [c.manage_doc], [c.delete_confirm, c.delete_text, c.manage_report],
                         queue=False, **internal)
        cancel_delete.click(lambda: gr.update(visible=False), None, c.delete_confirm, queue=False, **internal)
        confirm_delete.click(self.delete_document, [c.manage_doc], [c.manage_report, c.delete_confirm, c.manage_doc,
                                                                    *form, c.edit_hint],
                             concurrency_id="ingest", **internal).then(self.refresh, None, self.refresh_out,
                                                                       **internal)

    @property
    def refresh_out(self) -> list[Any]:
        c = self.c
        return [c.header, c.library, c.doc_filter, c.pub_filter, c.year_from, c.year_to, c.chatbot,
                c.feedback_download, c.manage_doc]


class _GradioProgress:
    """Ingest progress on the Gradio progress bar: files done, passages embedded."""

    def __init__(self, progress: gr.Progress) -> None:
        self.progress = progress
        self.total = 0
        self.done = 0
        self.chunks = 0
        self.started = time.perf_counter()
        progress(0, desc="Reading files…")

    def files_found(self, total: int) -> None:
        self.total = total

    def file_done(self, path: Path, chunks: int) -> None:
        self.done += 1
        self.progress((self.done, max(self.total, 1)), desc=f"Indexed {path.name}", unit="files")

    def embedded(self, count: int) -> None:
        self.chunks += count
        self.progress((self.done, max(self.total, 1)), desc=f"Embedding passages and sentences ({self.chunks} so far)",
                      unit="files")


def _picked_example(data: gr.SelectData) -> str:
    value = data.value
    return str(value.get("text", "")) if isinstance(value, dict) else str(value or "")


def _report(kind: str, message: str) -> Any:
    return gr.update(value=f'<div class="upload-report {kind}">{render.esc(message)}</div>', visible=True)


def _date_hint(doc: IndexedDocument | None) -> str:
    """Whether the date shown was stated or inferred."""
    if doc is None or not doc.meta.date:
        return ""
    how = ("inferred, not stated in the document: shown as “" + doc.meta.date_label + "”. Saving a date here "
           "states it.") if doc.meta.date_inferred else "as stated."
    return f'<div class="panel-hint">Date {render.esc(how)}</div>'


def _short(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _numbers(keys: set[str], turn: int) -> set[int]:
    """The citation numbers of `turn` among "turn:n" keys."""
    return {int(k.split(":")[1]) for k in keys if k.split(":")[0] == str(turn)}


def _error(message: str) -> Any:
    return gr.update(value=f'<div class="ask-error" role="alert">{render.esc(message)}</div>', visible=True)


def _hidden() -> Any:
    return gr.update(value="", visible=False)


def build_blocks(assistant: Assistant, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The Blocks app; mount it with `assistant.ui.server.create_app` (theme, CSS and head come from there)."""
    return ChatApp(assistant, feedback or assistant.feedback).build()


__all__ = ["CSS", "HEAD", "THEME", "ChatApp", "ChatState", "build_blocks", "example_questions"]
