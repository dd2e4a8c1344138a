"""A conversation: the questions asked so far and the answers given, in order."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from assistant.models import Answer


class Turn(BaseModel):
    """One question and the answer given to it."""

    question: str
    standalone_question: str
    answer: Answer
    passage_ids: list[str] = Field(
        default_factory=list, description="The chunks the answer was chosen from: a follow-up may be answered "
        "from them too.")


class Session(BaseModel):
    """The history of one conversation."""

    session_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[Turn] = Field(default_factory=list)

    def add(self, answer: Answer, passage_ids: list[str] | None = None) -> None:
        self.turns.append(Turn(question=answer.question, standalone_question=answer.standalone_question,
                               answer=answer, passage_ids=list(passage_ids or [])))
