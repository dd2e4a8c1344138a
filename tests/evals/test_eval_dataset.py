"""Loading gold question sets and the corpus they point at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import BUNDLED_KNOWLEDGE
from evals import dataset
from evals.cli import app, expand_multi
from evals.dataset import SHARED_DIR, Dataset, DatasetError, load_dataset, load_named_set, named_sets

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


ROW: dict[str, object] = {"id": "a1", "question": "Q?", "type": "factual", "evidence": ["e"], "key_facts": ["k"]}


def test_the_dev_set_loads_with_its_corpus(dev_set: Dataset) -> None:
    dev = dev_set
    assert len(dev.questions) == 35
    assert dev.types["unanswerable"] == 5
    assert [p.resolve() for p in dev.corpus] == [BUNDLED_KNOWLEDGE.resolve()]
    assert not any(q.answerable for q in dev.questions if q.type == "unanswerable")
    assert any("\u00a0" in e for q in dev.questions for e in q.evidence)  # NBSPs kept as written


def test_a_sidecar_points_at_the_corpus_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    data = write(tmp_path / "mine.jsonl", [ROW])
    (tmp_path / "mine.corpus.json").write_text('{"description": "my docs", "paths": ["docs"]}')
    loaded = load_dataset(data)
    assert loaded.corpus == [(tmp_path / "docs").resolve()] and loaded.corpus_description == "my docs"
    override = load_dataset(data, [Path("elsewhere")])
    assert override.corpus == [Path("elsewhere")]


def test_without_a_sidecar_the_bundled_library_is_used(tmp_path: Path) -> None:
    assert load_dataset(write(tmp_path / "x.jsonl", [ROW])).corpus == [BUNDLED_KNOWLEDGE]


def test_bad_lines_and_duplicate_ids_are_reported_with_their_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ROW) + "\n{not json\n")
    with pytest.raises(DatasetError, match=r"bad\.jsonl:2"):
        load_dataset(bad)
    with pytest.raises(DatasetError, match="duplicate question ids a1"):
        load_dataset(write(tmp_path / "dup.jsonl", [ROW, ROW]))
    with pytest.raises(DatasetError, match="type"):
        load_dataset(write(tmp_path / "notype.jsonl", [{"id": "x", "question": "Q?"}]))


def test_corpus_takes_several_paths_after_one_option() -> None:
    argv = ["run", "--corpus", "knowledge", "../shared/corpus-nhs", "--out", "o"]
    assert expand_multi(argv, "--corpus") == [
        "run", "--corpus", "knowledge", "--corpus", "../shared/corpus-nhs", "--out", "o"]
    assert expand_multi(["run", "--out", "o"], "--corpus") == ["run", "--out", "o"]


def test_named_sets_are_the_sidecars_in_evals_datasets(dev_set: Dataset) -> None:
    assert named_sets() == ["dev", "dev_nhs", "dev_pdf"]
    assert dev_set.name == "dev" and dev_set.path == (SHARED_DIR / "evals" / "dev.jsonl").resolve()
    with pytest.raises(DatasetError, match="no set named 'dev_xyz'; the sets are dev, dev_nhs, dev_pdf"):
        load_named_set("dev_xyz")


@pytest.mark.skipif(not SHARED_DIR.is_dir(), reason="needs ../shared")
def test_the_shared_sets_are_read_from_shared_with_their_libraries() -> None:
    nhs = load_named_set("dev_nhs")
    assert nhs.path == (SHARED_DIR / "evals" / "dev_nhs.jsonl").resolve() and len(nhs.questions) == 40
    assert nhs.corpus == [BUNDLED_KNOWLEDGE.resolve(), (SHARED_DIR / "corpus-nhs").resolve()]
    pdf = load_named_set("dev_pdf")
    assert pdf.corpus == [(SHARED_DIR / "corpus-pdf").resolve()]
    assert all(len(q.page) == len(q.evidence) for q in pdf.questions)
    assert pdf.questions[0].gold_pages == {pdf.questions[0].doc[0]: set(pdf.questions[0].page)}
    # the shared file named directly gets its set's library too
    assert load_dataset(SHARED_DIR / "evals" / "dev_nhs.jsonl").corpus == nhs.corpus
    assert not (ROOT / "evals" / "datasets" / "dev_nhs.jsonl").exists()  # never copied into the repo


def test_a_set_whose_shared_files_are_missing_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sets, shared = tmp_path / "checkout" / "evals" / "datasets", tmp_path / "shared"
    sets.mkdir(parents=True)
    (sets / "far.corpus.json").write_text(
        '{"questions": "../../../shared/evals/far.jsonl", "paths": ["../../../shared/corpus-far"]}')
    monkeypatch.setattr(dataset, "SETS_DIR", sets)
    monkeypatch.setattr(dataset, "SHARED_DIR", shared)
    with pytest.raises(DatasetError, match=r"far\.jsonl, .*corpus-far not found \(it is read at run time from .*shared"):
        load_named_set("far")


def test_the_run_command_takes_a_set_or_a_file_not_both() -> None:
    result = CliRunner().invoke(app, ["run", "--set", "dev", "--dataset", "../shared/evals/dev.jsonl"])
    assert result.exit_code == 2 and "give --set or --dataset, not both" in result.output
    result = CliRunner().invoke(app, ["run", "--set", "nope"])
    assert result.exit_code == 2 and "no set named 'nope'" in result.output
    result = CliRunner().invoke(app, ["run", "--set", "dev", "--split", "C"])
    assert result.exit_code == 2 and "the halves are A and B" in result.output


def test_pages_must_run_parallel_to_documents_and_evidence(tmp_path: Path) -> None:
    row = {**ROW, "doc": ["a.pdf", "a.pdf"], "evidence": ["e", "f"], "page": [3, 4]}
    assert load_dataset(write(tmp_path / "ok.jsonl", [row])).questions[0].gold_pages == {"a.pdf": {3, 4}}
    with pytest.raises(DatasetError, match=r"parallel lists \(2/1/2 entries\)"):
        load_dataset(write(tmp_path / "bad.jsonl", [{**row, "page": [3]}]))
