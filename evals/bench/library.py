"""Benchmark libraries of a given size in chunks, built from real text, and the vector cache
that makes building them affordable.

The text is the bundled library plus ../shared/corpus-nhs (read at run time, never copied into
the repo), replicated into a temporary folder until the library holds the wanted number of
chunks. Replica r of `plan.md` is `r007/corpus-nhs/plan-r007.md`: a new file name (so a new doc_id and
new chunk ids) and r's number written in zero-width characters before every full stop (so its
content hash and its sentence strings differ, while the tokenizer, the sentence splitter and
BM25 see the original text). Each distinct text is therefore embedded once and its vector reused
for the replicas, with a little noise so the HNSW graph does not fill with exact duplicates:
encoding 100k chunks would take hours here, and it says nothing about how retrieval scales.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.config import BUNDLED_KNOWLEDGE, PROJECT_ROOT
from assistant.index.embedder import Embedder

SHARED_NHS = PROJECT_ROOT.parent / "shared" / "corpus-nhs"
DEFAULT_SOURCES = (BUNDLED_KNOWLEDGE, SHARED_NHS)
MANIFEST = "manifest.toml"
_SKIPPED = {"README.md", "SOURCES.md", MANIFEST}


@dataclass(frozen=True)
class BaseFile:
    """One source document and how many chunks it makes."""

    path: Path
    source: str  # the name of the folder it came from, e.g. "knowledge"
    chunks: int


def source_files(sources: list[Path]) -> list[tuple[Path, str]]:
    """The documents an ingest of `sources` would read, with their source folder's name."""
    found: list[tuple[Path, str]] = []
    for root in sources:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if path.name in _SKIPPED or path.name.startswith("."):
                continue
            found.append((path.resolve(), root.name if root.is_dir() else root.parent.name))
    return found


def write_library(folder: Path, base: list[BaseFile], target_chunks: int) -> int:
    """Copies of the base files under `folder` until about `target_chunks`; the expected total.

    Replica 0 keeps the original names and the bundled manifest (so the dev-set documents keep
    their metadata); later replicas are renamed and perturbed.
    """
    if folder.exists():
        shutil.rmtree(folder)
    total, replica = 0, 0
    while total < target_chunks:
        for item in base:
            if total >= target_chunks:
                break
            _write_copy(folder, item, replica)
            total += item.chunks
        replica += 1
    return total


def _write_copy(folder: Path, item: BaseFile, replica: int) -> None:
    """Replica 0 is the file as it is; later ones are renamed and get `replica` trailing spaces.
    The folder's manifest comes along (renamed to match), so sections and metadata hold."""
    target_dir = folder / f"r{replica:03d}" / item.source
    target_dir.mkdir(parents=True, exist_ok=True)
    manifest = item.path.parent / MANIFEST
    if manifest.is_file() and not (target_dir / MANIFEST).exists():
        text = manifest.read_text()
        if replica:
            text = re.sub(r'(?m)^(\s*file\s*=\s*")([^"]+)"', lambda m: m[1] + replica_name(m[2], replica) + '"', text)
        (target_dir / MANIFEST).write_text(text)
    data = item.path.read_bytes()
    if replica == 0:
        (target_dir / item.path.name).write_bytes(data)
    else:
        marked = mark_sentences(data.decode("utf-8", errors="replace"), replica)
        (target_dir / replica_name(item.path.name, replica)).write_text(marked, encoding="utf-8")


_INVISIBLE = ("\u200b", "\u200c")  # zero-width space / non-joiner: the tokenizer drops both
# After three lower-case letters or digits, so "Dr." and "No." stay abbreviations to the splitter.
_SENTENCE_END = re.compile(r"(?<=[a-z0-9]{3})([.!?])(?=\s)")


def mark_sentences(text: str, replica: int) -> str:
    """Put the replica's number, in invisible characters, before every sentence-ending stop.

    Every sentence of a replica is then a distinct string (so the answerer, which dedupes and
    caches sentences, does as much work as on a library of distinct documents) while its word
    pieces, sentence splits and BM25 terms are the original's, so its vectors can be reused.
    """
    bits = max(8, replica.bit_length())
    code = "".join(_INVISIBLE[(replica >> i) & 1] for i in range(bits))
    return _SENTENCE_END.sub(lambda m: code + m[1], text)


def text_key(text: str) -> str:
    """Cache key: the text without the replica marks (their vectors are the original's)."""
    plain = text.replace(_INVISIBLE[0], "").replace(_INVISIBLE[1], "")
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()


def replica_name(name: str, replica: int) -> str:
    path = Path(name)
    return f"{path.stem}-r{replica:03d}{path.suffix}"


class VectorCache:
    """Vectors by text (sha1), saved as one .npz so later runs and workers skip the encoding."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path) as saved:
                self.vectors = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
        self.dirty = False

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        for text, vector in zip(texts, vectors, strict=True):
            self.vectors[text_key(text)] = np.asarray(vector, dtype=np.float32)
        self.dirty = bool(texts) or self.dirty

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors), dtype="U40")
        matrix = np.stack(list(self.vectors.values())) if self.vectors else np.zeros((0, 384), np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=matrix)
        tmp.replace(self.path)
        self.dirty = False


class CachedEmbedder:
    """An Embedder that encodes only texts it has not seen; reused vectors get a little noise.

    Counts hits and misses, so the benchmark can say how much was really encoded.
    """

    def __init__(self, inner: Embedder, cache: VectorCache, jitter: float = 0.003, seed: int = 7) -> None:
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.jitter = jitter
        self.rng = np.random.default_rng(seed)
        self.hits = 0
        self.misses = 0

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        missing = sorted({i for i, k in enumerate(keys) if k not in self.cache.vectors})
        if missing:
            fresh = [texts[i] for i in missing]
            self.cache.put(fresh, self.inner.embed(fresh))
        self.misses += len(missing)
        self.hits += len(texts) - len(missing)
        if not texts:
            return self.inner.embed([])
        vectors = np.stack([self.cache.vectors[k] for k in keys]).astype(np.float32)
        return self._perturb(vectors) if self.jitter else vectors

    def _perturb(self, vectors: np.ndarray) -> np.ndarray:
        noisy = vectors + self.rng.normal(0.0, self.jitter, vectors.shape).astype(np.float32)
        return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
