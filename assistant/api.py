"""The JSON API, served by the same process as the chat: POST /api/ask, GET /api/documents,
DELETE and PATCH /api/documents/{doc_id}, GET /api/health.

Questions take the same answering slots as the chat's (one per core), in the API's own lane:
first come first served within it, served `answer_api_weight` times for each chat question when
both wait, so neither face starves the other; a question that finds no free slot within the
wait gets 503.

`session_id` keeps a conversation going across requests (follow-ups are rewritten into
standalone questions as in the chat); sessions live in memory, the least recently used are
forgotten first. When the web app has a login, the API asks for the same credentials (HTTP Basic).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Field

from assistant import (
    Answer,
    Assistant,
    AssistantBusy,
    DocumentNotFound,
    IndexedDocument,
    MetaEdit,
    QuestionTooLong,
    Removal,
    SearchFilters,
    Session,
)

MAX_SESSIONS = 500


class AskRequest(BaseModel):
    """A question, optionally limited to some documents and continuing an earlier conversation."""

    question: str = Field(..., min_length=1, description="The question, in plain words.",
                          examples=["What did Brian Fisher suggest the SHA should do next?"])
    filters: SearchFilters | None = Field(None, description="Only draw on these documents, publishers or years.")
    session_id: str | None = Field(
        None, max_length=128,
        description="Any id you choose; questions with the same id form one conversation, so follow-ups "
                    "such as 'and what did he say about PFI?' are understood.",
    )


class Health(BaseModel):
    status: str
    documents: int
    chunks: int


class SessionStore:
    """Conversations by id, bounded; thread-safe."""

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self.limit = limit
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> Session:
        with self._lock:
            session = self._sessions.pop(session_id, None) or Session(session_id=session_id)
            self._sessions[session_id] = session
            while len(self._sessions) > self.limit:
                self._sessions.popitem(last=False)
            return session


def build_router(assistant: Assistant, *, username: str | None = None, password: str | None = None) -> APIRouter:
    """The /api routes over one shared Assistant."""
    sessions = SessionStore()
    dependencies = [Depends(_basic_auth(username, password))] if username and password else []
    router = APIRouter(prefix="/api", tags=["assistant"], dependencies=dependencies)

    @router.post(
        "/ask", response_model=Answer, summary="Ask a question of the library",
        responses={
            422: {"description": "The question is empty or too long (the message says which)."},
            503: {"description": "Busy: every answering slot (shared with the chat) stayed taken for the "
                                 "configured wait, or too many questions are queued; retry after `Retry-After` s."},
        },
    )
    def ask(request: AskRequest, response: Response) -> Answer:
        """Answer from the library only: every sentence cites a numbered passage; refuses when the
        library does not answer (then `refused` is true and `related` lists the nearest passages)."""
        if not request.question.strip():
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "The question is empty.")
        session = sessions.get(request.session_id) if request.session_id else None
        try:
            answer = assistant.ask(request.question, session=session, filters=request.filters, lane="api")
        except QuestionTooLong as err:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(err)) from err
        except AssistantBusy as err:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"The assistant is busy: {err}",
                                headers={"Retry-After": str(round(err.retry_after))}) from err
        if session is not None:
            response.headers["X-Session-Id"] = session.session_id
        return answer

    @router.get("/documents", response_model=list[IndexedDocument], summary="The indexed documents")
    def documents() -> list[IndexedDocument]:
        return assistant.documents()

    @router.delete(
        "/documents/{doc_id}", response_model=Removal, summary="Remove a document from the library",
        responses={404: {"description": "No document has this id."}},
    )
    def remove_document(doc_id: str) -> Removal:
        """Removes the document for good: it is never cited again, a re-ingest of its folder leaves
        it out, and its uploaded copy (if it was uploaded) is deleted."""
        try:
            return assistant.remove_document(doc_id)
        except DocumentNotFound as err:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(err)) from err

    @router.patch(
        "/documents/{doc_id}", response_model=IndexedDocument, summary="Correct a document's metadata",
        responses={404: {"description": "No document has this id."},
                   422: {"description": "A field is invalid (e.g. a date that is not 2013, 2015-01 or 2023-04-05), "
                         "or nothing was given to change."}},
    )
    def edit_document(doc_id: str, edit: MetaEdit) -> IndexedDocument:
        """Sets the given fields (title, authors, publisher, date) and keeps them across re-ingests;
        fields left out keep their value. A date set here is stated, no longer inferred."""
        try:
            return assistant.set_metadata(doc_id, edit)
        except DocumentNotFound as err:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(err)) from err
        except ValueError as err:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(err)) from err

    @router.get("/health", response_model=Health, summary="Is the service up, and how big is the library")
    def health() -> Health:
        docs = assistant.documents()
        return Health(status="ok" if docs else "empty", documents=len(docs), chunks=sum(d.n_chunks for d in docs))

    return router


_BASIC = HTTPBasic(realm="Policy assistant")
Credentials = Annotated[HTTPBasicCredentials, Depends(_BASIC)]


def _basic_auth(username: str, password: str) -> Callable[[HTTPBasicCredentials], None]:
    def check(credentials: Credentials) -> None:
        good_user = secrets.compare_digest(credentials.username.encode(), username.encode())
        good_password = secrets.compare_digest(credentials.password.encode(), password.encode())
        if not (good_user and good_password):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "Wrong username or password.",
                headers={"WWW-Authenticate": 'Basic realm="Policy assistant"'},
            )

    return check
