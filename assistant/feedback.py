"""Officers' ratings of answers, kept durably in SQLite under the data folder and exportable as JSONL.

Each row holds the rating (up or down), an optional comment, and the question, answer and
citations it is about, so a rating still makes sense after the library changes. A rating is
keyed by (session, turn): rating the same answer again, or adding a comment, updates that row.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.common.sqlite import transaction
from assistant.models import Answer

FEEDBACK_FILE = "feedback.sqlite3"
MAX_COMMENT_CHARS = 2000

Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    session_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    standalone_question TEXT NOT NULL,
    answer_markdown TEXT NOT NULL,
    refused INTEGER NOT NULL,
    mode TEXT NOT NULL,
    citations_json TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    UNIQUE (session_id, turn)
);
"""


class FeedbackRecord(BaseModel):
    """One rating, as exported."""

    id: int
    created_at: str
    updated_at: str
    session_id: str
    turn: int
    rating: Rating
    comment: str = ""
    question: str
    standalone_question: str
    answer_markdown: str
    refused: bool
    mode: str
    citations: list[dict[str, object]] = Field(default_factory=list)


class FeedbackStore:
    """`feedback.sqlite3` in the data folder."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / FEEDBACK_FILE
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def rate(self, answer: Answer, rating: Rating, *, session_id: str, turn: int, comment: str | None = None) -> int:
        """Record (or change) the rating of one answer; returns the row id."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        now = _now()
        citations = json.dumps([c.model_dump() for c in answer.citations], ensure_ascii=False)
        with self._connect() as db:
            db.execute(
                """INSERT INTO feedback (created_at, updated_at, session_id, turn, rating, comment, question,
                       standalone_question, answer_markdown, refused, mode, citations_json, answer_json)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (session_id, turn) DO UPDATE SET
                       rating = excluded.rating, updated_at = excluded.updated_at,
                       comment = CASE WHEN ? THEN excluded.comment ELSE feedback.comment END""",
                (now, now, session_id, turn, rating, _clip(comment or ""), answer.question,
                 answer.standalone_question, answer.answer_markdown, int(answer.refused), answer.mode,
                 citations, answer.model_dump_json(), comment is not None),
            )
            row = db.execute("SELECT id FROM feedback WHERE session_id = ? AND turn = ?",
                             (session_id, turn)).fetchone()
        return int(row[0])

    def comment(self, session_id: str, turn: int, comment: str) -> bool:
        """Attach a comment to an answer already rated; False when it has not been rated."""
        with self._connect() as db:
            changed = db.execute(
                "UPDATE feedback SET comment = ?, updated_at = ? WHERE session_id = ? AND turn = ?",
                (_clip(comment), _now(), session_id, turn),
            ).rowcount
        return bool(changed)

    def records(self) -> list[FeedbackRecord]:
        with self._connect() as db:
            rows = db.execute(
                """SELECT id, created_at, updated_at, session_id, turn, rating, comment, question,
                          standalone_question, answer_markdown, refused, mode, citations_json
                   FROM feedback ORDER BY id"""
            ).fetchall()
        return [
            FeedbackRecord(
                id=r[0], created_at=r[1], updated_at=r[2], session_id=r[3], turn=r[4], rating=r[5],
                comment=r[6], question=r[7], standalone_question=r[8], answer_markdown=r[9],
                refused=bool(r[10]), mode=r[11], citations=json.loads(r[12]),
            )
            for r in rows
        ]

    def count(self) -> dict[str, int]:
        with self._connect() as db:
            rows = db.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        counts = {"up": 0, "down": 0}
        counts.update({rating: int(n) for rating, n in rows})
        return counts

    def export_jsonl(self) -> str:
        """Every rating, one JSON object a line, oldest first."""
        return "".join(record.model_dump_json() + "\n" for record in self.records())


def _clip(comment: str) -> str:
    return comment.strip()[:MAX_COMMENT_CHARS]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
