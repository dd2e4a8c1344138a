"""One way to open the project's SQLite files: WAL (readers never block the writer), a generous
busy timeout (the chat and an ingest may share a file), one transaction per `with` block."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that commits when the block ends (or rolls back on error), then closes."""
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA journal_mode = WAL")
    try:
        with db:
            yield db
    finally:
        db.close()
