"""Re-running ingest does only what changed, and leaves catalogue, Chroma and BM25 in agreement."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ingest_helpers import CountingEmbedder, OpenLibrary, assert_index_consistent, copy_bundled

from assistant.index.library import Library
from assistant.ingest.pipeline import ingest, sweep_orphans
from assistant.models import Chunk, DocumentMeta

BURTON = "001_296eb1b625b7b62b"  # "Is the integration bandwagon beginning to roll at last?"
THOUGHTS = "003_61361ad6a03f30ee"  # "Integrated care: making it a reality"
THOUGHTS_WORDS = "Osbourne Oldham"  # in 003 only


def _bm25_hits(library: Library, words: str) -> set[str]:
    return {cid.split(":")[0] for cid, _ in library.keywords().search(words, 50)}


def test_an_unchanged_library_is_skipped_without_embedding_anything(
    open_library: OpenLibrary, library_dir: Path, counting: CountingEmbedder
) -> None:
    copy_bundled(library_dir, BURTON, THOUGHTS)
    library = open_library()
    first = ingest(library, [library_dir])
    vectors, generation, embedded = library.vectors.ids(), library.catalog.generation(), counting.embedded

    again = ingest(open_library(), [library_dir])  # a new process's view of the same data folder

    assert sorted(first.added) == [BURTON, THOUGHTS]
    assert sorted(again.unchanged) == [BURTON, THOUGHTS]
    assert (again.added, again.updated, again.removed, again.problems) == ([], [], [], [])
    assert again.chunks_embedded == 0 and counting.embedded == embedded, "an unchanged file was re-embedded"
    assert library.catalog.generation() == generation
    assert library.vectors.ids() == vectors
    assert again.seconds < 30, "loose bound only; speed proper belongs in the benchmarks"
    assert_index_consistent(library)


def test_a_new_file_is_added_and_only_it_is_embedded(
    open_library: OpenLibrary, library_dir: Path, counting: CountingEmbedder
) -> None:
    copy_bundled(library_dir, BURTON)
    library = open_library()
    ingest(library, [library_dir])
    before = counting.embedded

    copy_bundled(library_dir, THOUGHTS)
    report = ingest(library, [library_dir])

    assert (report.added, report.unchanged) == ([THOUGHTS], [BURTON])
    new_chunks = [c for c in library.catalog.chunks() if c.doc_id == THOUGHTS]
    new_units = library.catalog.units(THOUGHTS)
    assert report.chunks_embedded == len(new_chunks) > 0
    assert report.units_embedded == len(new_units) > 0
    assert counting.embedded - before == report.chunks_embedded + report.units_embedded
    assert THOUGHTS in _bm25_hits(library, THOUGHTS_WORDS)
    assert_index_consistent(library)


def test_a_modified_file_is_reindexed_and_its_old_chunks_are_gone_everywhere(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    burton, _ = copy_bundled(library_dir, BURTON, THOUGHTS)
    library = open_library()
    ingest(library, [library_dir])
    old_ids = {c.chunk_id for c in library.catalog.chunks() if c.doc_id == BURTON}

    addition = "\n\nPostscript: the Zanzibar pilot pooled every budget in the borough.\n"
    burton.write_text(burton.read_text(encoding="utf-8") + addition, encoding="utf-8")
    report = ingest(library, [library_dir])

    assert (report.updated, report.unchanged) == ([BURTON], [THOUGHTS])
    new_ids = {c.chunk_id for c in library.catalog.chunks() if c.doc_id == BURTON}
    assert new_ids and not new_ids & old_ids
    assert not old_ids & library.vectors.ids(), "stale vectors of the old version remain in Chroma"
    assert library.catalog.document_text(BURTON).endswith(addition.strip())
    assert [d.meta.doc_id for d in library.catalog.documents()] == [BURTON, THOUGHTS]  # no duplicate
    assert BURTON in _bm25_hits(library, "Zanzibar pilot")
    assert_index_consistent(library)


def test_a_deleted_file_is_removed_from_catalogue_chroma_and_bm25(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    _, thoughts = copy_bundled(library_dir, BURTON, THOUGHTS)
    library = open_library()
    ingest(library, [library_dir])
    assert THOUGHTS in _bm25_hits(library, THOUGHTS_WORDS)

    thoughts.unlink()
    report = ingest(library, [library_dir])

    assert (report.removed, report.unchanged) == ([THOUGHTS], [BURTON])
    assert [d.meta.doc_id for d in library.catalog.documents()] == [BURTON]
    assert not library.vectors.collection.get(where={"doc_id": THOUGHTS}, include=[])["ids"]
    assert THOUGHTS not in _bm25_hits(library, THOUGHTS_WORDS)
    assert_index_consistent(library)


def test_editing_a_documents_manifest_entry_reindexes_it_with_the_new_metadata(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    copy_bundled(library_dir, BURTON, THOUGHTS)
    manifest = library_dir / "manifest.toml"
    entry = f'[[document]]\nfile = "{BURTON}.txt"\ntitle = "{{title}}"\nauthors = ["Michael Burton"]\n'
    manifest.write_text(entry.format(title="Integration bandwagon"), encoding="utf-8")
    library = open_library()
    ingest(library, [library_dir])
    old_ids = {c.chunk_id for c in library.catalog.chunks() if c.doc_id == BURTON}

    new_title = "Is the integration bandwagon beginning to roll?"
    manifest.write_text(entry.format(title=new_title), encoding="utf-8")
    report = ingest(library, [library_dir])

    assert (report.updated, report.unchanged) == ([BURTON], [THOUGHTS])
    meta = {d.meta.doc_id: d.meta for d in library.catalog.documents()}[BURTON]
    assert (meta.title, meta.authors) == (new_title, ["Michael Burton"])
    assert not old_ids & library.vectors.ids()
    assert_index_consistent(library)


def test_two_files_with_the_same_name_in_different_folders_are_two_documents(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    (library_dir / "north").mkdir()
    (library_dir / "south").mkdir()
    (library_dir / "north" / "plan.txt").write_text("North plan. Carers first.\n")
    (library_dir / "south" / "plan.txt").write_text("South plan. Housing first.\n")
    library = open_library()

    first = ingest(library, [library_dir])
    again = ingest(library, [library_dir])

    assert len(first.added) == 2 and len(set(first.added)) == 2
    assert sorted(again.unchanged) == sorted(first.added)  # ids are stable from run to run
    sources = sorted(Path(d.meta.source).parent.name for d in library.catalog.documents())
    assert sources == ["north", "south"]
    assert_index_consistent(library)


def test_a_missing_folder_is_reported_and_does_not_empty_the_library(
    open_library: OpenLibrary, library_dir: Path, tmp_path: Path
) -> None:
    copy_bundled(library_dir, BURTON)
    library = open_library()
    ingest(library, [library_dir])
    moved = tmp_path / "unmounted"
    shutil.move(library_dir, moved)

    report = ingest(library, [library_dir])

    assert [(Path(p.path).name, p.reason) for p in report.problems] == [("library", "no such file or folder")]
    assert report.removed == []
    assert [d.meta.doc_id for d in library.catalog.documents()] == [BURTON]
    assert_index_consistent(library)


def test_vectors_left_by_a_crash_are_swept_on_the_next_run(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    """A run killed after upserting vectors but before the catalogue committed leaves orphans."""
    copy_bundled(library_dir, BURTON)
    library = open_library()
    ingest(library, [library_dir])
    meta = DocumentMeta(doc_id="ghost", title="Never committed")
    stale_version = Chunk(chunk_id=f"{BURTON}:000000000000:00000", doc_id=BURTON, text="old", start=0, end=3,
                          section="article", position=0)
    never_committed = Chunk(chunk_id="ghost:111111111111:00000", doc_id="ghost", text="new", start=0, end=3,
                            section="article", position=0)
    vectors = library.embedder.embed([stale_version.text, never_committed.text])
    library.catalog.set_vectors_in_doubt(True)  # as the killed run did before its first vector write
    library.vectors.upsert([stale_version, never_committed], vectors, meta)
    assert library.vectors.count() == len(library.catalog.chunk_ids()) + 2

    report = ingest(library, [library_dir])

    assert report.unchanged == [BURTON]
    assert sweep_orphans(library) == 0
    assert_index_consistent(library)


def test_a_stale_bm25_index_is_rebuilt_from_the_catalogue(
    open_library: OpenLibrary, library_dir: Path
) -> None:
    """Another process (the web app) holding an older BM25 index sees the new generation."""
    copy_bundled(library_dir, BURTON)
    writer, reader = open_library(), open_library()
    ingest(writer, [library_dir])
    assert THOUGHTS not in _bm25_hits(reader, THOUGHTS_WORDS)

    copy_bundled(library_dir, THOUGHTS)
    ingest(writer, [library_dir])
    assert THOUGHTS in _bm25_hits(reader, THOUGHTS_WORDS)

    (writer.keyword_folder / "ids.json").write_text("{not json")  # a damaged saved index
    assert THOUGHTS in _bm25_hits(open_library(), THOUGHTS_WORDS)
    assert_index_consistent(open_library())


def test_an_unchanged_run_after_a_clean_one_opens_neither_chroma_nor_the_model(
    open_library: OpenLibrary, library_dir: Path, counting: CountingEmbedder, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A clean run settles its vector writes, so the next run has nothing to sweep: an unchanged
    re-ingest reads the catalogue and the files only (the CLI then loads no model and no Chroma)."""
    copy_bundled(library_dir, BURTON)
    ingest(open_library(), [library_dir])
    fresh = open_library()
    assert not fresh.catalog.vectors_in_doubt()
    monkeypatch.setattr(Library, "embedder", property(lambda _: pytest.fail("the embedder was asked for")))

    report = ingest(fresh, [library_dir])

    assert report.unchanged == [BURTON]
    assert "vectors" not in vars(fresh), "the vector store was opened for an unchanged library"
    assert not fresh.catalog.vectors_in_doubt()
    assert_index_consistent(fresh)


def test_a_failed_run_leaves_the_vectors_in_doubt_so_the_next_run_sweeps(
    open_library: OpenLibrary, library_dir: Path, counting: CountingEmbedder
) -> None:
    """An error mid-run (here the embedder fails after the flag is set) is treated like a crash."""
    copy_bundled(library_dir, BURTON)
    library = open_library()
    ingest(library, [library_dir])
    copy_bundled(library_dir, THOUGHTS)

    def broken(texts: list[str]) -> object:
        raise RuntimeError("encoder died")

    counting.embed = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="encoder died"):
        ingest(library, [library_dir])

    assert library.catalog.vectors_in_doubt()
