"""SIGKILL the real `policy-assistant ingest` mid-run, run it again: nothing is duplicated, lost or orphaned.

The library is the bundled one plus documents assembled from real paragraphs (the bundled texts,
and ../shared/corpus-nhs when it is there, read at run time), so a run has many commit points
and takes several seconds. Writes all happen in child processes; this process opens the data
folder only at the end, to check it (Chroma is not meant to be shared live between processes).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_helpers import (
    CountingEmbedder,
    OpenLibrary,
    assert_index_consistent,
    cli_command,
    cli_env,
)

from assistant.config import BUNDLED_KNOWLEDGE
from assistant.index.embedder import SentenceTransformerEmbedder
from assistant.index.library import Library
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_file
from assistant.ingest.manifest import MANIFEST_NAME, read_manifest
from assistant.ingest.pipeline import ingest
from assistant.ingest.sections import find_sections

pytestmark = pytest.mark.slow


@pytest.fixture
def counting(embedder: SentenceTransformerEmbedder) -> CountingEmbedder:
    """The real model: its tokenizer sets the chunk boundaries these specs recompute and compare."""
    return CountingEmbedder(embedder)

SHARED_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus-nhs"
STARTUP_TIMEOUT = 600.0  # seconds for a child to load the model and commit its first document
RUN_TIMEOUT = 900.0  # seconds for a whole run on a loaded two-core machine


def _paragraphs() -> list[str]:
    sources = sorted(BUNDLED_KNOWLEDGE.glob("*.txt"))
    if SHARED_CORPUS.is_dir():
        sources += sorted(p for p in SHARED_CORPUS.glob("*.md") if p.name != "SOURCES.md")
    pool = []
    for path in sources:
        pool += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 200]
    return pool


def _build_library(folder: Path, rng: random.Random, pool: list[str], generated: int) -> None:
    """The bundled library (with its manifest) and `generated` documents of 4-8 real paragraphs."""
    shutil.copytree(BUNDLED_KNOWLEDGE, folder)
    for i in range(generated):
        body = "\n\n".join(rng.sample(pool, rng.randint(4, 8)))
        text = f"Generated policy digest {i}\n\n{body}\n"
        (folder / f"generated_{i:03d}.txt").write_text(text, encoding="utf-8")


def _catalog_state(data_dir: Path) -> tuple[int, int]:
    """(documents committed, catalogue generation), read the way another process would."""
    path = data_dir / "catalog.sqlite3"
    if not path.exists():
        return 0, 0
    try:
        db = sqlite3.connect(path, timeout=10)
        try:
            documents = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            generation = db.execute("SELECT value FROM state WHERE key='generation'").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # created but no schema yet
        return 0, 0
    return int(documents), int(generation)


class IngestRun:
    """`policy-assistant ingest FOLDER --data-dir DATA` as a child process."""

    def __init__(self, folder: Path, data_dir: Path, logs: Path, **settings: str) -> None:
        logs.mkdir(exist_ok=True)
        self.log = logs / f"run-{len(list(logs.iterdir())):02d}.log"
        self.data_dir = data_dir
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [*cli_command(), "ingest", str(folder), "--data-dir", str(data_dir)],
                cwd=logs, env=cli_env(**settings), stdout=out, stderr=subprocess.STDOUT,
            )

    def children(self) -> list[int]:
        """PIDs of the run's child processes (its encoding workers), from /proc."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def wait_until(self, condition: Callable[[tuple[int, int]], bool], timeout: float) -> bool:
        """True once the catalogue meets `condition` with the child still running; False if it ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if condition(_catalog_state(self.data_dir)):
                return True
            time.sleep(0.02)
        self.process.kill()
        raise AssertionError(f"no progress within {timeout:.0f} s:\n{self.log.read_text()}")

    def kill(self) -> bool:
        """SIGKILL now; True if it was still running (so it really died mid-run)."""
        running = self.process.poll() is None
        self.process.kill()
        self.process.wait(timeout=60)
        return running and self.process.returncode == -9

    def finish(self) -> int:
        return self.process.wait(timeout=RUN_TIMEOUT)


def _kill_mid_run(folder: Path, data_dir: Path, logs: Path, rng: random.Random, first: bool) -> bool:
    """Start a run, wait for one more commit (plus a random pause unless `first`), SIGKILL it."""
    start_generation = _catalog_state(data_dir)[1]
    run = IngestRun(folder, data_dir, logs)
    if not run.wait_until(lambda state: state[1] > start_generation, STARTUP_TIMEOUT):
        assert run.process.returncode == 0, run.log.read_text()
        return False
    if not first:
        time.sleep(rng.uniform(0.0, 1.5))
    return run.kill()


def _complete_run(folder: Path, data_dir: Path, logs: Path) -> None:
    run = IngestRun(folder, data_dir, logs)
    assert run.finish() == 0, run.log.read_text()


def _assert_library_matches_files(library: Library, folder: Path) -> None:
    """Every file is one document, holding the file's text and exactly the chunks it should."""
    files = sorted(p.resolve() for p in folder.iterdir() if p.name != MANIFEST_NAME)
    documents = library.catalog.documents()
    assert sorted(Path(d.meta.source) for d in documents) == files, "a file is missing or doubled"
    chunks = library.catalog.chunks()
    manifest = read_manifest(folder)
    settings, embedder = library.settings, library.embedder
    for doc in documents:
        path = Path(doc.meta.source)
        loaded = load_file(path, settings.max_file_bytes)
        text = loaded.text
        assert library.catalog.document_text(doc.meta.doc_id) == text, f"{path.name}: an old version"
        entry = manifest.get(path.name)
        sections = find_sections(text, entry.section if entry else None)
        expected = chunk_document(
            doc.meta.doc_id, doc.content_hash, text, sections, embedder.count_tokens,
            settings.chunk_size, settings.chunk_overlap, loaded.structure,
        )
        stored = [c for c in chunks if c.doc_id == doc.meta.doc_id]
        shape = [(c.chunk_id, c.start, c.end, c.section, c.speaker) for c in expected]
        assert [(c.chunk_id, c.start, c.end, c.section, c.speaker) for c in stored] == shape, path.name


def _assert_rerun_does_nothing(library: Library, folder: Path, counting: CountingEmbedder) -> None:
    before = counting.embedded
    report = ingest(library, [folder])
    assert (report.added, report.updated, report.removed, report.problems) == ([], [], [], [])
    assert counting.embedded == before


def test_ingest_killed_at_random_points_recovers_to_an_exact_index(
    tmp_path: Path, open_library: OpenLibrary, counting: CountingEmbedder
) -> None:
    rng = random.Random(20240602)
    folder, data_dir, logs = tmp_path / "library", tmp_path / "data", tmp_path / "logs"
    _build_library(folder, rng, _paragraphs(), generated=40)  # ~140 chunks, 45 commit points

    assert _kill_mid_run(folder, data_dir, logs, rng, first=True), "the first run ended before the kill"
    for _ in range(2):
        _kill_mid_run(folder, data_dir, logs, rng, first=False)
    _complete_run(folder, data_dir, logs)

    library = open_library()
    assert_index_consistent(library)
    _assert_library_matches_files(library, folder)
    _assert_rerun_does_nothing(library, folder, counting)


def test_ingest_killed_while_updating_and_deleting_recovers_to_an_exact_index(
    tmp_path: Path, open_library: OpenLibrary, counting: CountingEmbedder
) -> None:
    """Updates write new vectors before, and delete old ones after, the commit: kill in between."""
    rng = random.Random(7)
    pool = _paragraphs()
    folder, data_dir, logs = tmp_path / "library", tmp_path / "data", tmp_path / "logs"
    _build_library(folder, rng, pool, generated=20)
    _complete_run(folder, data_dir, logs)

    generated = sorted(folder.glob("generated_*.txt"))
    for path in rng.sample(generated[:15], 10):
        path.write_text(path.read_text(encoding="utf-8") + "\n" + rng.choice(pool) + "\n", encoding="utf-8")
    for path in generated[15:18]:
        path.unlink()
    (folder / "002_f81a2e93510845b4.txt").unlink()  # a document with a manifest entry goes too
    for i in range(3):
        (folder / f"late_{i}.txt").write_text("Late addition\n\n" + "\n\n".join(rng.sample(pool, 3)) + "\n")

    assert _kill_mid_run(folder, data_dir, logs, rng, first=True), "the update run ended before the kill"
    _kill_mid_run(folder, data_dir, logs, rng, first=False)
    _complete_run(folder, data_dir, logs)

    library = open_library()
    assert_index_consistent(library)
    _assert_library_matches_files(library, folder)
    _assert_rerun_does_nothing(library, folder, counting)


def test_a_pooled_ingest_killed_mid_run_recovers_and_leaves_no_workers_behind(
    tmp_path: Path, open_library: OpenLibrary, counting: CountingEmbedder
) -> None:
    """The batch ingest's encoding processes die with a SIGKILLed parent, and the index recovers."""
    rng = random.Random(11)
    folder, data_dir, logs = tmp_path / "library", tmp_path / "data", tmp_path / "logs"
    _build_library(folder, rng, _paragraphs(), generated=24)

    run = IngestRun(folder, data_dir, logs, ingest_workers="2")
    assert run.wait_until(lambda state: state[0] >= 2, STARTUP_TIMEOUT), run.log.read_text()
    workers = run.children()
    assert len(workers) >= 2, "the run did not start its encoding pool"
    assert run.kill()
    deadline = time.monotonic() + 60
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "encoding workers outlived the ingest"

    run = IngestRun(folder, data_dir, logs, ingest_workers="2")
    assert run.finish() == 0, run.log.read_text()
    library = open_library()
    assert_index_consistent(library)
    _assert_library_matches_files(library, folder)
    _assert_rerun_does_nothing(library, folder, counting)
