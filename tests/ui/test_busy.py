"""Over the answering limit: the API says 503 with Retry-After, the chat says it is busy; both
take slots from the same pool, so a question waiting in one face counts against the other."""

from __future__ import annotations

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


def test_api_says_503_with_retry_after_while_every_slot_is_taken(assistant: Assistant, api: TestClient) -> None:
    assistant.slots.acquire()  # another question (from the chat, say) holds the only slot
    try:
        busy = api.post("/api/ask", json={"question": QUESTION})
    finally:
        assistant.slots.release()

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
    assistant.slots.acquire()  # an API request holds the only slot
    try:
        *_, last = chat.respond(QUESTION, [], state, [], [], "Any", "Any")
    finally:
        assistant.slots.release()

    assert last[chat.c.question] == QUESTION
    assert "busy" in last[chat.c.ask_error]["value"]
    assert last[chat.c.chatbot] == [] and state.session.turns == []
