"""What the ingestion specs share: a spy on an embedder and the invariants of the index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.config import BUNDLED_KNOWLEDGE
from assistant.index.embedder import Embedder
from assistant.index.library import Library

OpenLibrary = Callable[..., Library]


class CountingEmbedder:
    """An embedder, counting the texts it is asked to embed (a spy, not a mock)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.embedded = 0

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def embed(self, texts: list[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.embed(texts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def copy_bundled(folder: Path, *names: str) -> list[Path]:
    """Copy bundled documents (real text) into a test library, by the start of their file name."""
    copied = []
    for name in names:
        (source,) = BUNDLED_KNOWLEDGE.glob(f"{name}*.txt")
        copied.append(Path(shutil.copy(source, folder / source.name)))
    return copied


def assert_index_consistent(library: Library) -> None:
    """The invariants every ingest must leave, whatever happened to the run before it.

    The catalogue is the truth; Chroma holds a vector for exactly its chunks, each document's
    chunks are numbered 0..n-1 and quote its text exactly, its answer units are numbered 0..n-1,
    quote its text exactly and each has its (unit-length) vector, and the saved BM25 index
    is of the catalogue's current generation and covers exactly its chunks.
    """
    catalog = library.catalog
    chunk_ids = catalog.chunk_ids()
    assert library.vectors.ids() == chunk_ids, "Chroma and the catalogue disagree"
    assert library.vectors.count() == len(chunk_ids)
    chunks = catalog.chunks()
    per_doc = Counter(c.doc_id for c in chunks)
    documents = catalog.documents()
    assert set(per_doc) <= {d.meta.doc_id for d in documents}
    for doc in documents:
        doc_id = doc.meta.doc_id
        assert per_doc[doc_id] == doc.n_chunks, doc_id
        mine = [c for c in chunks if c.doc_id == doc_id]
        assert [c.position for c in mine] == list(range(doc.n_chunks)), doc_id
        assert all(c.chunk_id.startswith(f"{doc_id}:{doc.content_hash[:12]}:") for c in mine), doc_id
        text = catalog.document_text(doc_id)
        assert all(text[c.start : c.end] == c.text for c in mine), doc_id
        units = catalog.units(doc_id)
        assert [u.position for u in units] == list(range(len(units))), doc_id
        assert all(u.unit_id.startswith(f"{doc_id}:{doc.content_hash[:12]}:") for u in units), doc_id
        assert all(text[u.start : u.end] == u.text for u in units), doc_id
        assert all(text[u.lead_start : u.lead_end] == u.lead for u in units if u.lead_start is not None), doc_id
        with_vectors = catalog.units_within([(doc_id, 0, len(text))])
        assert len(with_vectors) == len(units), f"{doc_id}: a unit without its vector"
        assert all(abs(float(np.linalg.norm(v)) - 1.0) < 0.01 for _, v in with_vectors), f"{doc_id}: a bad vector"
    saved = json.loads((library.keyword_folder / "ids.json").read_text())
    assert saved["generation"] == catalog.generation(), "the saved BM25 index is stale"
    assert len(saved["chunk_ids"]) == len(set(saved["chunk_ids"]))
    assert set(saved["chunk_ids"]) == chunk_ids, "BM25 and the catalogue disagree"


def cli_command() -> list[str]:
    """The installed `policy-assistant` script of this venv, else `python -m assistant.cli`."""
    script = Path(sys.executable).with_name("policy-assistant")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


def cli_env(**settings: str) -> dict[str, str]:
    """This environment without the developer's POLICY_ASSISTANT_* settings, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_ASSISTANT_")}
    env.update({"HF_HUB_OFFLINE": "1", "COLUMNS": "200"})
    env.update({f"POLICY_ASSISTANT_{k.upper()}": v for k, v in settings.items()})
    return env


def run_cli(*args: str, cwd: Path, timeout: float = 900, **settings: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a fresh process (from `cwd`, so no stray .env is read)."""
    return subprocess.run(
        [*cli_command(), *args], cwd=cwd, env=cli_env(**settings), capture_output=True, text=True,
        timeout=timeout, check=False,
    )
