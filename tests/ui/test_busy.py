"""Over the answering limit: the API says 503 with Retry-After, the chat says it is busy; both
take slots from the same pool, so a question waiting in one face counts against the other."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fakes import HashingEmbedder
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant import Assistant, Settings
from assistant.api import build_router
from assistant.ui.app import ChatApp, ChatState

QUESTION = "What did Brian Fisher suggest the SHA should do next?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The bundled library (hashing embedder) behind one answering slot and no queue."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("busy"), answer_workers=1, answer_queue=0,
                        answer_wait_seconds=0.1)
    assistant = Assistant(settings, embedder=HashingEmbedder())
    assistant.ingest()
    return assistant


@pytest.fixture
def api(assistant: Assistant) -> TestClient:
    app = FastAPI()
    app.include_router(build_router(assistant))
    return TestClient(app)


@contextmanager
def slot_taken_elsewhere(assistant: Assistant) -> Iterator[None]:
    """Another question, in another thread, holds the only slot."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with assistant.slots.held():
            taken.set()
            done.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait(10)
    try:
        yield
    finally:
        done.set()
        thread.join(10)


def test_api_says_503_with_retry_after_while_every_slot_is_taken(assistant: Assistant, api: TestClient) -> None:
    with slot_taken_elsewhere(assistant):  # a chat question, say
        busy = api.post("/api/ask", json={"question": QUESTION})

    assert busy.status_code == 503
    assert busy.headers["Retry-After"].isdigit()
    assert "busy" in busy.json()["detail"]
    assert api.post("/api/ask", json={"question": QUESTION}).status_code == 200  # and answers once free


def test_openapi_documents_the_503(api: TestClient) -> None:
    assert "503" in api.get("/openapi.json").json()["paths"]["/api/ask"]["post"]["responses"]


def test_chat_says_it_is_busy_and_keeps_the_question(assistant: Assistant, tmp_path: Path) -> None:
    chat = ChatApp(assistant, assistant.feedback)
    chat.build()
    state = ChatState()
    with slot_taken_elsewhere(assistant):  # an API request, say
        *_, last = chat.respond(QUESTION, [], state, [], [], "Any", "Any")

    assert last[chat.c.question] == QUESTION
    assert "busy" in last[chat.c.ask_error]["value"]
    assert last[chat.c.chatbot] == [] and state.session.turns == []


def test_the_chat_holds_one_slot_for_its_answer_and_the_page_made_from_it(assistant: Assistant) -> None:
    chat = ChatApp(assistant, assistant.feedback)
    chat.build()
    steps = chat.respond(QUESTION, [], ChatState(), [], [], "Any", "Any")
    next(steps)  # "Searching the library…" is shown before any slot is taken
    assert assistant.slots.running == 0
    next(steps)
    assert assistant.slots.running == 1  # one slot, from the answer through the page made from it
    for _ in steps:
        pass
    assert assistant.slots.running == 0
