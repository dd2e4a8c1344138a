"""The catalogue (SQLite): the source of truth for which documents and chunks are indexed.

Each document is written with its chunks and its answer units (with their vectors, as float16)
in one transaction, so a crash never leaves half a document here, nor a unit without its vector.
The override store (table `overrides`) keeps officers' metadata edits and removals; an edit or a
removal commits with the change to the document it concerns, in one transaction. Chroma and BM25 are indexes derived from it: ingest writes vectors *before* the
catalogue commits and deletes them *after*, so every catalogued chunk always has its vector, and
stray vectors left by a crash are swept away on the next run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from assistant.common.sqlite import transaction
from assistant.models import AnswerUnit, Chunk, DocumentMeta, DocumentStructure, IndexedDocument, MetaEdit

_CHUNK_COLUMNS = 'chunk_id, doc_id, position, start, "end", section, speaker, text, heading, page, page_end, context'
_CHUNK_QUERY = f"SELECT {_CHUNK_COLUMNS} FROM chunks"
_UNIT_COLUMNS = 'unit_id, doc_id, position, kind, start, "end", lead_start, lead_end, section, speaker, heading, text, lead'

# One transaction, so another process never sees the tables without the generation row.
_SCHEMA = """
BEGIN;
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, content_hash TEXT NOT NULL,
    meta_json TEXT NOT NULL, text TEXT NOT NULL, n_chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    section TEXT NOT NULL, speaker TEXT NOT NULL, text TEXT NOT NULL, heading TEXT NOT NULL DEFAULT '',
    page INTEGER, page_end INTEGER, context TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id, position);
CREATE TABLE IF NOT EXISTS units (
    unit_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL, kind TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    lead_start INTEGER, lead_end INTEGER, section TEXT NOT NULL, speaker TEXT NOT NULL,
    heading TEXT NOT NULL, text TEXT NOT NULL, lead TEXT NOT NULL, vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS units_by_doc ON units(doc_id, start);
CREATE TABLE IF NOT EXISTS set_aside (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (doc_id, start)
);
CREATE TABLE IF NOT EXISTS overrides (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, edit_json TEXT NOT NULL, removed INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS structures (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE, structure_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO state VALUES ('generation', '0');
COMMIT;
"""

# Chunk columns added after the first release; older catalogues get them on opening (their
# documents re-index anyway, as CHUNKER_VERSION is part of every content hash).
_LATER_COLUMNS = (("heading", "TEXT NOT NULL DEFAULT ''"), ("page", "INTEGER"), ("page_end", "INTEGER"),
                  ("context", "TEXT NOT NULL DEFAULT ''"))


@dataclass(frozen=True)
class Override:
    """What an officer changed about a document: a metadata edit, or its removal."""

    source: str
    edit: MetaEdit
    removed: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    """Documents, their full text and their chunks, in `catalog.sqlite3` under the data folder."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "catalog.sqlite3"
        self._reader = threading.local()  # per thread (and process): a connection kept open for generation()
        with self._connect() as db:
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
            for name, kind in _LATER_COLUMNS:  # a catalogue written before these were kept
                if name not in columns:
                    db.execute(f"ALTER TABLE chunks ADD COLUMN {name} {kind}")

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def generation(self) -> int:
        """Goes up on every change, so derived indexes can tell when they are stale. Asked several
        times per question, so read on a connection this thread keeps open (opening one costs
        ~50 times the read); outside a transaction, each read sees the latest commit."""
        held = getattr(self._reader, "db", None)
        if held is None or held[0] != os.getpid():  # a forked child must not share its parent's connection
            held = (os.getpid(), sqlite3.connect(self.path, timeout=30, check_same_thread=True))
            self._reader.db = held
        return int(held[1].execute("SELECT value FROM state WHERE key='generation'").fetchone()[0])

    def vectors_in_doubt(self) -> bool:
        """Might the vector store hold vectors this catalogue does not know? True from the first
        vector write of an ingest until that ingest finishes (so after a crash), and for a
        catalogue written before this flag existed; only then does ingest sweep the store."""
        with self._connect() as db:
            row = db.execute("SELECT value FROM state WHERE key='vectors_in_doubt'").fetchone()
        return row is None or row[0] != "0"

    def set_vectors_in_doubt(self, in_doubt: bool) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO state VALUES ('vectors_in_doubt', ?)", ("1" if in_doubt else "0",))

    def hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (source, content_hash) for every catalogued document."""
        with self._connect() as db:
            rows = db.execute("SELECT doc_id, source, content_hash FROM documents").fetchall()
        return {doc_id: (source, digest) for doc_id, source, digest in rows}

    def put_document(
        self, meta: DocumentMeta, content_hash: str, text: str, chunks: list[Chunk],
        units: list[AnswerUnit] | None = None, unit_vectors: np.ndarray | None = None,
        set_aside: Sequence[tuple[int, int, str]] = (), structure: DocumentStructure | None = None,
    ) -> None:
        """Replace a document, all its chunks, its answer units (with their vectors), its
        set-aside sentences ((start, end, kind): text addressed to an AI) and its reading text's
        structure (blocks, page map) atomically."""
        now = _now()
        with self._connect() as db:
            db.execute("DELETE FROM documents WHERE doc_id = ?", (meta.doc_id,))
            db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                (meta.doc_id, meta.source, content_hash, meta.model_dump_json(), text, len(chunks), now),
            )
            db.executemany(
                f"INSERT INTO chunks ({_CHUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(c.chunk_id, c.doc_id, c.position, c.start, c.end, c.section, c.speaker, c.text, c.heading,
                  c.page, c.page_end, c.context) for c in chunks],
            )
            self._insert_units(db, units or [], unit_vectors)
            db.executemany("INSERT INTO set_aside VALUES (?, ?, ?, ?)",
                           [(meta.doc_id, start, end, kind) for start, end, kind in set_aside])
            if structure is not None:
                db.execute("INSERT INTO structures VALUES (?, ?)", (meta.doc_id, structure.model_dump_json()))
            self._bump(db)

    def put_units(self, doc_id: str, units: list[AnswerUnit], vectors: np.ndarray) -> None:
        """Replace a document's answer units (for a document catalogued before units existed)."""
        with self._connect() as db:
            db.execute("DELETE FROM units WHERE doc_id = ?", (doc_id,))
            self._insert_units(db, units, vectors)
            self._bump(db)

    @staticmethod
    def _insert_units(db: sqlite3.Connection, units: list[AnswerUnit], vectors: np.ndarray | None) -> None:
        if not units:
            return
        if vectors is None or len(vectors) != len(units):
            raise ValueError("every answer unit needs its vector")
        half = np.asarray(vectors, dtype=np.float16)
        db.executemany(
            f"INSERT INTO units ({_UNIT_COLUMNS}, vector) VALUES ({','.join('?' * 14)})",
            [(u.unit_id, u.doc_id, u.position, u.kind, u.start, u.end, u.lead_start, u.lead_end, u.section,
              u.speaker, u.heading, u.text, u.lead, half[i].tobytes()) for i, u in enumerate(units)],
        )

    def remove_document(self, doc_id: str, *, remember: bool = False) -> None:
        """Forget a document and its chunks; with `remember`, an officer removed it: the override
        store keeps it out of later ingests of its folder (in the same transaction)."""
        with self._connect() as db:
            row = db.execute("SELECT source FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            if remember and row is not None:
                db.execute("INSERT OR REPLACE INTO overrides VALUES (?, ?, '{}', 1, ?)", (doc_id, row[0], _now()))
            self._bump(db)

    def edit_document(self, doc_id: str, edit: MetaEdit) -> DocumentMeta:
        """Apply an officer's metadata edit now and keep it in the override store, atomically;
        later ingests apply it again after inferring metadata. Raises KeyError for an unknown id."""
        with self._connect() as db:
            row = db.execute("SELECT meta_json FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if row is None:
                raise KeyError(doc_id)
            meta = edit.apply(DocumentMeta.model_validate(json.loads(row[0])))
            kept = db.execute("SELECT edit_json FROM overrides WHERE doc_id = ? AND removed = 0", (doc_id,)).fetchone()
            merged = (MetaEdit.model_validate_json(kept[0]) if kept else MetaEdit()).merged(edit)
            db.execute("UPDATE documents SET meta_json = ? WHERE doc_id = ?", (meta.model_dump_json(), doc_id))
            db.execute("INSERT OR REPLACE INTO overrides VALUES (?, ?, ?, 0, ?)",
                       (doc_id, meta.source, merged.model_dump_json(exclude_none=True), _now()))
            self._bump(db)
        return meta

    def overrides(self) -> dict[str, Override]:
        """Officers' edits and removals, by doc_id."""
        with self._connect() as db:
            rows = db.execute("SELECT doc_id, source, edit_json, removed FROM overrides").fetchall()
        return {doc_id: Override(source=source, edit=MetaEdit.model_validate_json(edit), removed=bool(removed))
                for doc_id, source, edit, removed in rows}

    def forget_override(self, doc_id: str) -> None:
        """Drop a document's edits and removal (it was added again on purpose)."""
        with self._connect() as db:
            db.execute("DELETE FROM overrides WHERE doc_id = ?", (doc_id,))

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute("UPDATE state SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")

    def documents(self) -> list[IndexedDocument]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT meta_json, content_hash, n_chunks, ingested_at, "
                "(SELECT COUNT(*) FROM set_aside s WHERE s.doc_id = d.doc_id) FROM documents d ORDER BY doc_id"
            ).fetchall()
        return [
            IndexedDocument(
                meta=DocumentMeta.model_validate(json.loads(meta)), content_hash=digest,
                n_chunks=n, ingested_at=at, set_aside=aside,
            )
            for meta, digest, n, at, aside in rows
        ]

    def set_aside(self, doc_ids: Iterable[str] | None = None) -> dict[str, list[tuple[int, int, str]]]:
        """doc_id -> its sentences addressed to an AI, as (start, end, kind), in document order."""
        query = 'SELECT doc_id, start, "end", kind FROM set_aside'
        with self._connect() as db:
            if doc_ids is None:
                rows = db.execute(query + " ORDER BY doc_id, start").fetchall()
            else:
                wanted = sorted(set(doc_ids))
                rows = []
                for i in range(0, len(wanted), 500):
                    batch = wanted[i : i + 500]
                    rows += db.execute(f"{query} WHERE doc_id IN ({','.join('?' * len(batch))}) ORDER BY start",
                                       batch).fetchall()
        found: dict[str, list[tuple[int, int, str]]] = {}
        for doc_id, start, end, kind in rows:
            found.setdefault(doc_id, []).append((start, end, kind))
        return found

    def document_text(self, doc_id: str) -> str:
        with self._connect() as db:
            row = db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return str(row[0])

    def structure(self, doc_id: str) -> DocumentStructure:
        """The blocks and page map of a document's reading text (empty for a document indexed
        before structures were kept)."""
        with self._connect() as db:
            row = db.execute("SELECT structure_json FROM structures WHERE doc_id = ?", (doc_id,)).fetchone()
        return DocumentStructure.model_validate_json(row[0]) if row else DocumentStructure()

    def chunk_ids(self) -> set[str]:
        with self._connect() as db:
            return {row[0] for row in db.execute("SELECT chunk_id FROM chunks")}

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        """One document's chunks, in order."""
        with self._connect() as db:
            rows = db.execute(f"{_CHUNK_QUERY} WHERE doc_id = ? ORDER BY position", (doc_id,)).fetchall()
        return [_chunk(r) for r in rows]

    def chunks(self, chunk_ids: list[str] | None = None) -> list[Chunk]:
        """The given chunks (all when None), in document order."""
        query = _CHUNK_QUERY
        with self._connect() as db:
            if chunk_ids is None:
                rows = db.execute(query + " ORDER BY doc_id, position").fetchall()
            else:
                rows = []
                for i in range(0, len(chunk_ids), 500):
                    batch = chunk_ids[i : i + 500]
                    marks = ",".join("?" * len(batch))
                    rows += db.execute(f"{query} WHERE chunk_id IN ({marks})", batch).fetchall()
        hidden = self.set_aside(None if chunk_ids is None else {r[1] for r in rows})
        return [_chunk(r, hidden.get(r[1], [])) for r in rows]

    def units_within(self, spans: list[tuple[str, int, int]]) -> list[tuple[AnswerUnit, np.ndarray]]:
        """The answer units (and their vectors, as float32) that overlap any (doc_id, start, end)
        span, once each, in document order. Reads stored vectors: nothing is embedded."""
        _, units, vectors = self.units_within_at(spans)
        return list(zip(units, vectors, strict=True))

    def units_within_at(self, spans: list[tuple[str, int, int]]) -> tuple[int, list[AnswerUnit], np.ndarray]:
        """(generation, units, vectors) in one snapshot, so the generation names what was read: the
        units overlapping any span, once each, ordered by document, start and position, and their
        vectors as one float32 matrix (row i is unit i's)."""
        query = f'SELECT {_UNIT_COLUMNS}, vector FROM units WHERE doc_id = ? AND start < ? AND "end" > ?'
        found: dict[str, tuple] = {}
        with self._connect() as db:
            db.execute("BEGIN")
            generation = int(db.execute("SELECT value FROM state WHERE key='generation'").fetchone()[0])
            for doc_id, start, end in merged_spans(spans):
                for row in db.execute(query, (doc_id, end, start)):
                    found.setdefault(row[0], row)
        rows = sorted(found.values(), key=lambda r: (r[1], r[4], r[2]))
        half = np.frombuffer(b"".join(r[13] for r in rows), dtype=np.float16)
        vectors = half.reshape(len(rows), -1).astype(np.float32) if rows else np.zeros((0, 0), dtype=np.float32)
        return generation, [_unit(r) for r in rows], vectors

    def units(self, doc_id: str) -> list[AnswerUnit]:
        """A document's answer units in reading order (without their vectors)."""
        with self._connect() as db:
            rows = db.execute(f"SELECT {_UNIT_COLUMNS} FROM units WHERE doc_id = ? ORDER BY position", (doc_id,))
            return [_unit(r) for r in rows.fetchall()]

    def unit_count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM units").fetchone()[0])

    def documents_without_units(self) -> list[str]:
        """Documents that have chunks but no answer units (catalogued before units existed)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT doc_id FROM documents d WHERE n_chunks > 0 AND NOT EXISTS "
                "(SELECT 1 FROM units u WHERE u.doc_id = d.doc_id) ORDER BY doc_id"
            ).fetchall()
        return [r[0] for r in rows]


def _chunk(r: tuple, marks: Sequence[tuple[int, int, str]] = ()) -> Chunk:
    """A chunk row, carrying the set-aside sentences (document offsets) that fall inside it."""
    return Chunk(chunk_id=r[0], doc_id=r[1], position=r[2], start=r[3], end=r[4], section=r[5], speaker=r[6],
                 text=r[7], heading=r[8], page=r[9], page_end=r[10], context=r[11], set_aside=[(s, e) for s, e, _ in marks if s < r[4] and r[3] < e])


def _unit(row: tuple) -> AnswerUnit:
    return AnswerUnit(
        unit_id=row[0], doc_id=row[1], position=row[2], kind=row[3], start=row[4], end=row[5],
        lead_start=row[6], lead_end=row[7], section=row[8], speaker=row[9], heading=row[10], text=row[11],
        lead=row[12],
    )


def merged_spans(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Overlapping or touching spans of one document as one, so each stretch is read once."""
    out: list[tuple[str, int, int]] = []
    for doc_id, start, end in sorted(spans):
        if out and out[-1][0] == doc_id and start <= out[-1][2]:
            out[-1] = (doc_id, out[-1][1], max(out[-1][2], end))
        else:
            out.append((doc_id, start, end))
    return out
