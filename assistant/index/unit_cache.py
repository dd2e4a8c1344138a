"""The answer units of the documents questions touch, held in memory: retrieval ranks the
candidate chunks by their units and the answerer then reads the same units again, and reading
them from SQLite (rows, models, float16 vectors) cost more than the rest of a search.

Each document is read whole, once: its units in the catalogue's order with their vectors as one
float32 matrix (a row per unit, read-only). Everything is keyed to the catalogue's generation,
so an ingest, an edit or a removal, by this process or another, empties the cache; documents
least recently used are dropped beyond a number of units (`Settings.unit_cache_units`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import groupby
from typing import Protocol

import numpy as np

from assistant.index.catalog import Catalog, merged_spans
from assistant.models import AnswerUnit


class UnitReader(Protocol):
    """Where answer units and their vectors are read: the catalogue, or this cache of it."""

    def units_within(self, spans: list[tuple[str, int, int]]) -> list[tuple[AnswerUnit, np.ndarray]]: ...


@dataclass(frozen=True)
class DocumentUnits:
    """One document's answer units in document order (start, then catalogue order), where each
    starts and ends, and their vectors (row i is unit i's)."""

    units: list[AnswerUnit]
    starts: np.ndarray
    ends: np.ndarray
    vectors: np.ndarray

    @classmethod
    def of(cls, units: list[AnswerUnit], vectors: np.ndarray) -> DocumentUnits:
        vectors.setflags(write=False)  # shared by every question: nobody may change it in place
        return cls(units, np.array([u.start for u in units], dtype=np.int64),
                   np.array([u.end for u in units], dtype=np.int64), vectors)

    def overlapping(self, spans: list[tuple[int, int]]) -> np.ndarray:
        """Indexes, in order, of the units that overlap any (start, end) span."""
        hit = np.zeros(len(self.units), dtype=bool)
        for start, end in spans:
            hit |= (self.starts < end) & (self.ends > start)
        return np.flatnonzero(hit)


class UnitCache:
    """Answer units and their vectors by document, read from the catalogue on first use."""

    def __init__(self, catalog: Catalog, max_units: int) -> None:
        self.catalog = catalog
        self.max_units = max_units
        self._lock = threading.Lock()
        self._generation = -1
        self._documents: OrderedDict[str, DocumentUnits] = OrderedDict()
        self._held = 0  # units held, over all documents

    def units_within(self, spans: list[tuple[str, int, int]]) -> list[tuple[AnswerUnit, np.ndarray]]:
        """The answer units (and their float32 vectors) that overlap any (doc_id, start, end) span,
        once each, in document order: what `Catalog.units_within` returns, from memory."""
        found: list[tuple[AnswerUnit, np.ndarray]] = []
        for doc_id, group in groupby(merged_spans(spans), key=lambda span: span[0]):
            document = self.document(doc_id)
            for i in document.overlapping([(start, end) for _, start, end in group]):
                found.append((document.units[i], document.vectors[i]))
        return found

    def document(self, doc_id: str) -> DocumentUnits:
        """One document's units (none for a document not catalogued)."""
        generation = self.catalog.generation()
        with self._lock:
            if generation != self._generation:
                self._documents.clear()
                self._generation, self._held = generation, 0
            cached = self._documents.get(doc_id)
            if cached is not None:
                self._documents.move_to_end(doc_id)
                return cached
            read_at, units, vectors = self.catalog.document_units(doc_id)
            document = DocumentUnits.of(units, vectors)
            if read_at == generation:  # else the catalogue changed meanwhile: serve it, keep nothing
                self._documents[doc_id] = document
                self._held += len(units)
                while self._held > self.max_units and len(self._documents) > 1:
                    _, dropped = self._documents.popitem(last=False)
                    self._held -= len(dropped.units)
            return document

    def preload(self, doc_ids: list[str]) -> None:
        """Read these documents' units now (until the limit is reached), so that no question
        waits for them: a server's first questions are then as fast as later ones."""
        for doc_id in doc_ids:
            if self._held >= self.max_units:
                return
            self.document(doc_id)

    def clear(self) -> None:
        """Forget every document (the next question reads its units from the catalogue again)."""
        with self._lock:
            self._documents.clear()
            self._held = 0

    @property
    def units_held(self) -> int:
        return self._held
