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
from pathlib import Path

import bm25s
import numpy as np

from assistant.index.catalog import Catalog
from assistant.ingest.chunking import indexed_text
from assistant.text import content_stems

TOKENIZER_VERSION = "3"  # bump when assistant.text.content_stems changes, to rebuild saved indexes


class KeywordIndex:
    """BM25 over chunk texts (stemmed, stopwords removed)."""

    def __init__(
        self, retriever: bm25s.BM25 | None, chunk_ids: list[str], generation: int,
        doc_freq: dict[str, int] | None = None,
    ) -> None:
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.position = {cid: i for i, cid in enumerate(chunk_ids)}
        self.generation = generation
        self.doc_freq = doc_freq or {}

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
        tokens = [content_stems(indexed_text(c, titles.get(c.doc_id, ""))) or ["∅"] for c in chunks]
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
                retriever = bm25s.BM25.load(str(folder)) if saved["chunk_ids"] else None
                return cls(retriever, saved["chunk_ids"], generation, saved["doc_freq"])
        except (OSError, ValueError, KeyError):
            pass
        index = cls.build(catalog)
        index.save(folder)
        return index

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

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the best k chunks, restricted to `allowed` when given."""
        tokens = content_stems(query)
        if self.retriever is None or not tokens:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.chunk_ids), dtype=np.float32)
            for cid in allowed:
                if cid in self.position:
                    mask[self.position[cid]] = 1.0
            if not mask.any():
                return []
        k = min(k, len(self.chunk_ids))
        docs, scores = self.retriever.retrieve(
            [tokens], k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [
            (self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0
        ]
