"""Keyword retrieval (bm25s) over the catalogued chunks, saved beside the Chroma store.

The index is derived from the catalogue and tagged with its generation: a stale or missing
index is rebuilt (seconds even for 100k chunks), so it can never disagree with the catalogue.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.index.catalog import Catalog
from assistant.index.search_text import indexed_text, keyword_tokens

if TYPE_CHECKING:
    import bm25s

TOKENIZER_VERSION = "4"  # bump when search_text.keyword_tokens (or the stemmer) changes, to rebuild saved indexes


class KeywordIndex:
    """BM25 over chunk texts, as `keyword_tokens` reads them (stemmed, stopwords removed, figures,
    financial years and acronyms whole)."""

    def __init__(
        self, retriever: bm25s.BM25 | None, chunk_ids: list[str], generation: int,
        doc_freq: dict[str, int] | None = None,
    ) -> None:
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.position = {cid: i for i, cid in enumerate(chunk_ids)}
        self.generation = generation
        self.doc_freq = doc_freq or {}

    def weights(self, text: str, closed_forms: bool = True) -> dict[str, float]:
        """A text's keyword terms, each once, with its inverse chunk frequency: what a question's
        words are worth when matched against chunks or units (see `keyword_tokens` for closed_forms)."""
        return {t: self.idf(t) for t in dict.fromkeys(keyword_tokens(text, closed_forms))}

    def idf(self, stem: str) -> float:
        """Inverse chunk frequency of a stem; unseen stems get the highest weight."""
        n = len(self.chunk_ids)
        return math.log((n + 1) / (self.doc_freq.get(stem, 0) + 0.5))

    @classmethod
    def build(cls, catalog: Catalog) -> KeywordIndex:
        generation = catalog.generation()
        chunks = catalog.chunks()
        if not chunks:
            return cls(None, [], generation)
        titles = {d.meta.doc_id: d.meta.title for d in catalog.documents()}
        tokens = [keyword_tokens(indexed_text(c, titles.get(c.doc_id, ""))) or ["∅"] for c in chunks]
        import bm25s

        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        doc_freq = Counter(stem for toks in tokens for stem in set(toks))
        return cls(retriever, [c.chunk_id for c in chunks], generation, dict(doc_freq))

    @classmethod
    def load_or_build(cls, catalog: Catalog, folder: Path) -> KeywordIndex:
        """The saved index if it matches the catalogue, else a fresh one (saved for next time)."""
        generation = catalog.generation()
        try:
            saved = json.loads((folder / "ids.json").read_text())
            if saved["generation"] == generation and saved.get("tokenizer") == TOKENIZER_VERSION:
                import bm25s

                retriever = bm25s.BM25.load(str(folder)) if saved["chunk_ids"] else None
                return cls(retriever, saved["chunk_ids"], generation, saved["doc_freq"])
        except (OSError, ValueError, KeyError):
            pass
        index = cls.build(catalog)
        index.save(folder)
        return index

    @staticmethod
    def is_saved(catalog: Catalog, folder: Path) -> bool:
        """Is the index saved in `folder` the one for the catalogue as it is now? (Cheap: no bm25s.)"""
        try:
            saved = json.loads((folder / "ids.json").read_text())
            return bool(saved["generation"] == catalog.generation() and saved.get("tokenizer") == TOKENIZER_VERSION)
        except (OSError, ValueError, KeyError):
            return False

    def save(self, folder: Path) -> None:
        """Write to a temporary folder, then swap it in, so a crash never leaves half an index."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=folder.parent))
        if self.retriever is not None:
            self.retriever.save(str(tmp))
        (tmp / "ids.json").write_text(json.dumps(
            {"generation": self.generation, "tokenizer": TOKENIZER_VERSION, "chunk_ids": self.chunk_ids,
             "doc_freq": self.doc_freq}
        ))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @cached_property
    def doc_rows(self) -> dict[str, np.ndarray]:
        """Row numbers of each document's chunks (chunk ids are "<doc_id>:..."), built once per
        index: a filtered question then sets its mask per document instead of testing every
        chunk id of the library."""
        rows: dict[str, list[int]] = {}
        for i, cid in enumerate(self.chunk_ids):
            rows.setdefault(cid.split(":", 1)[0], []).append(i)
        return {doc: np.asarray(r, dtype=np.int64) for doc, r in rows.items()}

    def search(
        self, query: str, k: int, allowed: set[str] | None = None, allowed_docs: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the best k chunks, restricted to the chunk ids in `allowed`
        and/or the documents in `allowed_docs` when given."""
        tokens = keyword_tokens(query)
        if self.retriever is None or not tokens:
            return []
        mask = None
        if allowed is not None or allowed_docs is not None:
            mask = self._mask(allowed, allowed_docs)
            if not mask.any():
                return []
        k = min(k, len(self.chunk_ids))
        docs, scores = self.retriever.retrieve(
            [tokens], k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [
            (self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]

    def _mask(self, allowed: set[str] | None, allowed_docs: set[str] | None) -> np.ndarray:
        """1.0 for the rows that pass both restrictions (either may be None: no restriction)."""
        mask = np.ones(len(self.chunk_ids), dtype=np.float32)
        if allowed_docs is not None:
            mask[:] = 0.0
            rows = [self.doc_rows[d] for d in allowed_docs if d in self.doc_rows]
            if rows:
                mask[np.concatenate(rows)] = 1.0
        if allowed is not None:
            keep = np.zeros(len(self.chunk_ids), dtype=np.float32)
            keep[[self.position[c] for c in allowed if c in self.position]] = 1.0
            mask *= keep
        return mask
