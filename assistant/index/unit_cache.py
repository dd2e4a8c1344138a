"""The answer units of the documents questions touch, held in memory: retrieval ranks the
candidate chunks by their units and the answerer then reads the same units again, and reading
them from SQLite (rows, models, float16 vectors) cost more than the rest of a search.

A question reads from the catalogue only the stretches of a document it needs that are not yet
held (a server's warm-up reads documents whole): in a large library a first question touches tens
of documents, and reading each whole cost ten times its search. Everything is keyed to the
catalogue's generation, so an ingest, an edit or a removal, by this process or another, empties
the cache; documents least recently used are dropped beyond a number of units
(`Settings.unit_cache_units`).
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


WHOLE = (0, 2**62)  # a span past the end of any document


@dataclass(frozen=True)
class DocumentUnits:
    """The answer units held of one document, in document order (start, then position), where each
    starts and ends, their vectors (row i is unit i's), and the stretches of the document whose
    units are all here (merged, in order)."""

    units: list[AnswerUnit]
    starts: np.ndarray
    ends: np.ndarray
    vectors: np.ndarray
    covered: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, units: list[AnswerUnit], vectors: np.ndarray, covered: list[tuple[int, int]]) -> DocumentUnits:
        vectors.setflags(write=False)  # shared by every question: nobody may change it in place
        return cls(units, np.array([u.start for u in units], dtype=np.int64),
                   np.array([u.end for u in units], dtype=np.int64), vectors,
                   tuple((start, end) for _, start, end in merged_spans([("", s, e) for s, e in covered])))

    def overlapping(self, spans: list[tuple[int, int]]) -> np.ndarray:
        """Indexes, in order, of the units that overlap any (start, end) span."""
        hit = np.zeros(len(self.units), dtype=bool)
        for start, end in spans:
            hit |= (self.starts < end) & (self.ends > start)
        return np.flatnonzero(hit)

    def missing(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The parts of these spans whose units may not all be held."""
        out = []
        for start, end in spans:
            for held_start, held_end in self.covered:
                if held_end <= start or held_start >= end:
                    continue
                if held_start > start:
                    out.append((start, held_start))
                start = max(start, held_end)
            if start < end:
                out.append((start, end))
        return out

    def adding(self, units: list[AnswerUnit], vectors: np.ndarray, spans: list[tuple[int, int]]) -> DocumentUnits:
        """These units held too (the ones not held already), the spans they were read for covered."""
        covered = [*self.covered, *spans]
        known = {u.unit_id for u in self.units}
        fresh = [i for i, u in enumerate(units) if u.unit_id not in known]
        if not fresh:
            return DocumentUnits.of(self.units, self.vectors, covered)
        every = self.units + [units[i] for i in fresh]
        stacked = np.concatenate([self.vectors, vectors[fresh]]) if self.units else vectors[fresh]
        order = sorted(range(len(every)), key=lambda i: (every[i].start, every[i].position))
        return DocumentUnits.of([every[i] for i in order], stacked[order], covered)


_NOTHING = DocumentUnits.of([], np.zeros((0, 0), dtype=np.float32), [])


class UnitCache:
    """Answer units and their vectors by document, read from the catalogue as questions need them."""

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
            wanted = [(start, end) for _, start, end in group]
            document = self.covering(doc_id, wanted)
            for i in document.overlapping(wanted):
                found.append((document.units[i], document.vectors[i]))
        return found

    def covering(self, doc_id: str, wanted: list[tuple[int, int]]) -> DocumentUnits:
        """One document's units over the wanted spans (and whatever else is held of it), reading
        from the catalogue only what is not held yet."""
        generation = self.catalog.generation()
        with self._lock:
            if generation != self._generation:
                self._documents.clear()
                self._generation, self._held = generation, 0
            held = self._documents.get(doc_id, _NOTHING)
            missing = held.missing(wanted)
            if not missing:
                self._documents.move_to_end(doc_id)
                return held
            read_at, units, vectors = self.catalog.units_within_at([(doc_id, s, e) for s, e in missing])
            document = held.adding(units, vectors, missing)
            if read_at == generation:  # else the catalogue changed meanwhile: serve it, keep nothing
                self._documents[doc_id] = document
                self._documents.move_to_end(doc_id)
                self._held += len(document.units) - len(held.units)
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
            self.covering(doc_id, [WHOLE])

    def clear(self) -> None:
        """Forget every document (the next question reads its units from the catalogue again)."""
        with self._lock:
            self._documents.clear()
            self._held = 0

    @property
    def units_held(self) -> int:
        return self._held
