"""The briefing note is written when the officer asks for it (Word or Markdown), never after each
answer; what an answer does is offer the note and its choices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fakes import HashingEmbedder

from assistant import Assistant, Settings
from assistant.ui.app import ChatApp, ChatState

FISHER = "What did Brian Fisher suggest the SHA should do next?"
FOLLOW_UP = "and what did he say about PFI?"


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> ChatApp:
    """The chat over the bundled library (hashing embedder)."""
    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("briefing")), embedder=HashingEmbedder())
    assistant.ingest()
    app = ChatApp(assistant, assistant.feedback)
    app.build()
    return app


def ask(chat: ChatApp, state: ChatState, question: str, history: list[Any]) -> None:
    *_, last = chat.respond(question, history, state, [], [], "Any", "Any")
    history[:] = last[chat.c.chatbot]


def exported(chat: ChatApp) -> list[Path]:
    return sorted(chat.exports.rglob("briefing-note-*"))


def test_an_answer_offers_the_note_without_writing_it(chat: ChatApp) -> None:
    state, history = ChatState(), []
    before = exported(chat)
    ask(chat, state, FISHER, history)
    first = chat.briefing_after_answer(state)  # the event that follows each question
    ask(chat, state, FOLLOW_UP, history)
    second = chat.briefing_after_answer(state)

    assert exported(chat) == before  # no file until a download is asked for
    assert first[chat.c.brief_docx]["visible"] and first[chat.c.brief_md]["visible"]
    assert [v for _, v in first[chat.c.brief_answers]["choices"]] == ["1"]
    assert [v for _, v in second[chat.c.brief_answers]["choices"]] == ["1", "2"]


def test_a_download_writes_the_note_as_the_officer_chose_it(chat: ChatApp) -> None:
    state, history = ChatState(), []
    ask(chat, state, FISHER, history)
    ask(chat, state, FOLLOW_UP, history)

    word = Path(chat.briefing_download(state, "docx") or "")
    assert word.suffix == ".docx" and word.name.startswith("briefing-note-")
    text = "\n".join(p.text for p in Document(str(word)).paragraphs)
    assert FISHER in text and FOLLOW_UP in text

    chat.change_scope(state, True)  # the latest answer only
    latest = Path(chat.briefing_download(state, "md") or "").read_text(encoding="utf-8")
    assert FOLLOW_UP in latest and FISHER not in latest


def test_everything_unticked_hides_the_downloads_and_writes_nothing(chat: ChatApp) -> None:
    state, history = ChatState(), []
    ask(chat, state, FISHER, history)
    before = exported(chat)

    controls = chat.choose_briefing(state, [], [])

    assert not controls[chat.c.brief_docx]["visible"] and not controls[chat.c.brief_md]["visible"]
    assert controls[chat.c.choose]["visible"]  # so that something can be ticked again
    assert chat.briefing_download(state, "docx") is None
    assert exported(chat) == before
