"""Incremental, crash-safe ingestion: files in, chunks and vectors out, one document written at a time
(the next is read and chunked while this one encodes).

Order of writes per document: chunk vectors are upserted under ids that include the content hash,
then the catalogue commits the document, its chunks and its answer units with their vectors in one
transaction, then the document's older chunk vectors are deleted. A SIGKILL at any point leaves the catalogue with either the old or the new
version, never both and never half; the next run sweeps vectors the catalogue does not know.
The catalogue flags the vectors "in doubt" before the first write and clears the flag when the
run ends, so only a run after a crash pays for the sweep (and an unchanged ingest never opens
Chroma or loads the model).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.index.catalog import Override
from assistant.index.embedder import Embedder
from assistant.index.embedding_pool import Encoding, start_encoding
from assistant.index.library import Library
from assistant.index.search_text import indexed_text, unit_text
from assistant.ingest.chunking import chunk_document
from assistant.ingest.instructions import find_instructions
from assistant.ingest.loaders import LoadedFile, UnreadableFile, load_file
from assistant.ingest.manifest import MANIFEST_NAME, ManifestEntry, read_manifest
from assistant.ingest.metadata import infer_metadata
from assistant.ingest.sections import find_sections
from assistant.ingest.units import UNITS_VERSION, build_units, sections_of
from assistant.models import AnswerUnit, Chunk, DocumentMeta, DocumentReading, FileProblem, IngestReport

CHUNKER_VERSION = "8"  # bump when extraction, sectioning, chunking or set-aside detection changes: re-indexes all
_IGNORED_NAMES = {MANIFEST_NAME, "README.md", "SOURCES.md"}


class IngestProgress(Protocol):
    """Receives progress from a long ingest (the CLI draws a bar, the UI a progress panel)."""

    def files_found(self, total: int) -> None: ...

    def file_done(self, path: Path, chunks: int) -> None: ...

    def embedded(self, count: int) -> None:
        """`count` more texts (chunks and answer units) are encoded."""


class _Silent:
    def files_found(self, total: int) -> None: ...

    def file_done(self, path: Path, chunks: int) -> None: ...

    def embedded(self, count: int) -> None: ...


@dataclass
class _Candidate:
    path: Path
    root: Path
    entry: ManifestEntry | None

    @property
    def named(self) -> bool:
        """Was this file named on its own (an upload, `ingest FILE`) rather than found in a folder?"""
        return self.path == self.root


def ingest(
    library: Library, paths: list[Path], progress: IngestProgress | None = None, embedder: Embedder | None = None,
) -> IngestReport:
    """Bring the index in line with the files under `paths`: add, update, remove, skip unchanged.
    `embedder` encodes the chunks (default: the library's; a batch ingest passes a pool). Neither is
    touched unless something needs encoding, so an unchanged ingest loads no model."""
    progress = progress or _Silent()
    began = time.perf_counter()
    report = IngestReport()
    if library.catalog.vectors_in_doubt():  # a crash (or an error) part-way through an earlier ingest
        sweep_orphans(library)
    report.units_embedded += backfill_units(library, embedder)
    candidates = _discover(paths, report)
    progress.files_found(len(candidates))
    known = library.catalog.hashes()
    overrides = library.catalog.overrides()
    seen: set[str] = set()
    in_flight: _Prepared | None = None  # one document encodes while the next is read and chunked
    for candidate in candidates:
        doc_id = _doc_id(candidate, known, seen)
        seen.add(doc_id)
        override = overrides.get(doc_id)
        if override and override.removed and _kept_out(library, candidate, doc_id, override, report):
            progress.file_done(candidate.path, 0)
            continue
        try:
            prepared = _prepare(library, embedder, candidate, doc_id, known, report, override)
        except UnreadableFile as err:
            report.problems.append(FileProblem(path=str(candidate.path), reason=str(err)))
            progress.file_done(candidate.path, 0)
            continue
        if prepared is None:
            progress.file_done(candidate.path, 0)
            continue
        if in_flight is not None:
            _commit(library, in_flight, known, report, progress)
        in_flight = prepared
    if in_flight is not None:
        _commit(library, in_flight, known, report, progress)
    _remove_deleted(library, paths, known, seen, report)
    library.save_keywords()  # rebuild and save BM25 now (if stale) rather than on the first question
    library.catalog.set_vectors_in_doubt(False)  # every vector written or deleted above is settled
    report.seconds = time.perf_counter() - began
    return report


def _kept_out(library: Library, candidate: _Candidate, doc_id: str, removal: Override, report: IngestReport) -> bool:
    """An officer removed this document: a folder ingest leaves it out (deleting the copy of a
    removed upload that a crash left behind); naming the file again adds it back."""
    if removal.source != str(candidate.path):
        return False
    if candidate.named:
        library.catalog.forget_override(doc_id)
        return False
    if candidate.path.is_relative_to(library.settings.uploads_dir.resolve()):
        candidate.path.unlink(missing_ok=True)
    report.excluded.append(doc_id)
    return True


def sweep_orphans(library: Library) -> int:
    """Delete vectors whose chunk the catalogue does not have (left by a crash mid-document)."""
    orphans = library.vectors.ids() - library.catalog.chunk_ids()
    library.vectors.delete(sorted(orphans))
    return len(orphans)


def backfill_units(library: Library, embedder: Embedder | None = None) -> int:
    """Give answer units to documents catalogued before units existed (from their stored text
    and chunks), so every document can be answered from stored vectors; returns units embedded."""
    done = 0
    for doc_id in library.catalog.documents_without_units():
        chunks = library.catalog.chunks_of(doc_id)
        digest = chunks[0].chunk_id.split(":")[-2] if chunks else doc_id
        text = library.catalog.document_text(doc_id)
        excluded = [span for c in chunks for span in c.set_aside] + [(f.start, f.end) for f in find_instructions(text)]
        units = build_units(doc_id, digest, text, sections_of(chunks), excluded=excluded,
                            structure=library.catalog.structure(doc_id))
        if units:
            library.catalog.put_units(doc_id, units, embed_units(embedder or library.embedder, units))
            done += len(units)
    return done


def embed_units(embedder: Embedder, units: list[AnswerUnit]) -> np.ndarray:
    """Vectors of answer units, as `unit_text` presents them to the model."""
    return embedder.embed([unit_text(u) for u in units])


def _discover(paths: list[Path], report: IngestReport) -> list[_Candidate]:
    found: list[_Candidate] = []
    manifests: dict[Path, dict[str, ManifestEntry]] = {}  # read once per folder, not once per file
    for root in paths:
        if not root.exists():
            report.problems.append(FileProblem(path=str(root), reason="no such file or folder"))
            continue
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
            if hidden or path.name in _IGNORED_NAMES:
                continue
            if path.parent not in manifests:
                manifests[path.parent] = read_manifest(path.parent)
            entry = manifests[path.parent].get(path.name)
            found.append(_Candidate(path=path.resolve(), root=root.resolve(), entry=entry))
    return found


def _doc_id(candidate: _Candidate, known: dict[str, tuple[str, str]], taken: set[str]) -> str:
    """The manifest id or the file's stem; a second file with the same stem gets a path suffix.

    `taken` holds the ids given out earlier in this run: without it two new files with one stem
    (a/plan.txt, b/plan.txt) both got "plan" and the second silently replaced the first.
    """
    base = candidate.entry.id if candidate.entry and candidate.entry.id else candidate.path.stem
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-.") or "document"
    source = str(candidate.path)
    owner = known.get(slug, (source, ""))[0]
    if slug in taken or (owner != source and Path(owner).exists()):
        return f"{slug}-{hashlib.sha1(source.encode()).hexdigest()[:6]}"
    return slug


def _content_hash(data: bytes, candidate: _Candidate, library: Library) -> str:
    """Changes when the file, its manifest entry, the chunking settings, the model or the backend
    that runs it change (the default torch backend adds nothing, so older indexes stay valid)."""
    settings = library.settings
    digest = hashlib.sha256(data)
    digest.update(candidate.entry.model_dump_json().encode() if candidate.entry else b"-")
    digest.update(
        f"{CHUNKER_VERSION}|{UNITS_VERSION}|{settings.chunk_size}|{settings.chunk_overlap}|"
        f"{settings.embedding_model}".encode()
    )
    if settings.embedding_backend != "torch":
        digest.update(f"|{settings.embedding_backend}".encode())
    return digest.hexdigest()


@dataclass
class _Prepared:
    """A document read, chunked and cut into answer units, its vectors on their way."""

    path: Path
    doc_id: str
    digest: str
    loaded: LoadedFile
    meta: DocumentMeta
    chunks: list[Chunk]
    units: list[AnswerUnit]
    set_aside: list[tuple[int, int, str]]
    encoding: Encoding
    began: float


def _prepare(
    library: Library, embedder: Embedder | None, candidate: _Candidate, doc_id: str,
    known: dict[str, tuple[str, str]], report: IngestReport, override: Override | None = None,
) -> _Prepared | None:
    """Read, chunk and unit a changed file and start encoding it (None: the file is unchanged)."""
    path = candidate.path
    if path.stat().st_size > library.settings.max_file_bytes:
        load_file(path, library.settings.max_file_bytes)  # raises the size error
    digest = _content_hash(path.read_bytes(), candidate, library)
    if known.get(doc_id, ("", ""))[1] == digest and known[doc_id][0] == str(path):
        report.unchanged.append(doc_id)
        return None
    loaded = load_file(path, library.settings.max_file_bytes)
    meta = _metadata(doc_id, path, candidate.entry, loaded)
    if override is not None and not override.removed:
        meta = override.edit.apply(meta)  # an officer's corrections win over what was inferred
    sections = find_sections(loaded.text, candidate.entry.section if candidate.entry else None)
    embedder = embedder or library.embedder  # only now: an unchanged file needs no model
    chunks = chunk_document(
        doc_id, digest, loaded.text, sections, embedder.count_tokens,
        library.settings.chunk_size, library.settings.chunk_overlap, loaded.structure,
    )
    set_aside = [(f.start, f.end, f.kind) for f in find_instructions(loaded.text)]
    units = build_units(doc_id, digest, loaded.text, sections, excluded=[(s, e) for s, e, _ in set_aside],
                        structure=loaded.structure)
    began = time.perf_counter()
    texts = [indexed_text(c) for c in chunks] + [unit_text(u) for u in units]
    encoding = start_encoding(embedder, texts, library.settings.embed_batch_size * 2)
    return _Prepared(path, doc_id, digest, loaded, meta, chunks, units, set_aside, encoding, began)


def _commit(
    library: Library, doc: _Prepared, known: dict[str, tuple[str, str]], report: IngestReport,
    progress: IngestProgress,
) -> None:
    """Write one document: its chunk vectors, then the catalogue (the commit), then its old vectors go."""
    library.catalog.set_vectors_in_doubt(True)  # before the first vector write: a crash from here is swept
    vectors = doc.encoding.wait(progress.embedded)
    report.embed_seconds += time.perf_counter() - doc.began
    library.vectors.upsert(doc.chunks, vectors[: len(doc.chunks)], doc.meta)
    library.catalog.put_document(doc.meta, doc.digest, doc.loaded.text, doc.chunks, doc.units,
                                 vectors[len(doc.chunks) :], doc.set_aside, doc.loaded.structure)
    library.vectors.delete_document(doc.doc_id, keep={c.chunk_id for c in doc.chunks})
    (report.updated if doc.doc_id in known else report.added).append(doc.doc_id)
    report.chunks_embedded += len(doc.chunks)
    report.units_embedded += len(doc.units)
    if doc.set_aside:
        report.set_aside[doc.doc_id] = len(doc.set_aside)
    report.documents.append(_reading_report(doc.doc_id, doc.path, doc.loaded, len(doc.chunks)))
    for warning in doc.loaded.warnings:
        report.problems.append(FileProblem(path=str(doc.path), reason=warning, fatal=False))
    progress.file_done(doc.path, len(doc.chunks))


def _metadata(doc_id: str, path: Path, entry: ManifestEntry | None, loaded: LoadedFile) -> DocumentMeta:
    """What the document's text and file say (ingest/metadata.py), with the manifest winning
    wherever it says something. An officer's corrections are applied after this, by the caller."""
    found = infer_metadata(loaded, path)
    inferred = DocumentMeta(
        doc_id=doc_id, title=found.title, authors=found.authors, publisher=found.publisher, date=found.date,
        date_inferred=found.date_inferred, source=str(path), kind=path.suffix.lstrip(".").lower() + " file",
    )
    if entry is None:
        return inferred
    return inferred.model_copy(update={
        "title": entry.title or inferred.title, "authors": entry.authors or inferred.authors,
        "author_role": entry.author_role, "publisher": entry.publisher or inferred.publisher,
        "date": entry.date or inferred.date, "date_inferred": inferred.date_inferred and not entry.date,
        "kind": entry.kind or inferred.kind, "notes": entry.notes,
    })


def _reading_report(doc_id: str, path: Path, loaded: LoadedFile, chunks: int) -> DocumentReading:
    counts = loaded.reading.counts()
    return DocumentReading(
        doc_id=doc_id, path=str(path), pages=loaded.structure.pages, headings=counts.get("heading", 0),
        paragraphs=counts.get("paragraph", 0), list_items=counts.get("list_item", 0),
        table_rows=counts.get("table_row", 0), chunks=chunks, notes=loaded.notes,
    )


def _remove_deleted(
    library: Library, roots: list[Path], known: dict[str, tuple[str, str]], seen: set[str],
    report: IngestReport,
) -> None:
    """Forget documents whose file was under an ingested folder and is gone (or is now ignored).

    A folder that is missing altogether (an unmounted share, a typo) is reported as a problem and
    its documents are kept: one mistyped path must not empty the library.
    """
    folders = [r.resolve() for r in roots if r.is_dir()]
    missing = [r.resolve() for r in roots if not r.exists()]
    for doc_id, (source, _) in known.items():
        src = Path(source)
        if doc_id in seen or any(src.is_relative_to(root) for root in missing):
            continue
        if any(src.is_relative_to(folder) for folder in folders) or not src.exists():
            library.catalog.set_vectors_in_doubt(True)
            library.catalog.remove_document(doc_id)
            library.vectors.delete_document(doc_id)
            report.removed.append(doc_id)
