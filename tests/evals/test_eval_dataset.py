"""Loading gold question sets and the corpus they point at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import BUNDLED_KNOWLEDGE
from evals.cli import expand_multi
from evals.dataset import DatasetError, load_dataset

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


ROW: dict[str, object] = {"id": "a1", "question": "Q?", "type": "factual", "evidence": ["e"], "key_facts": ["k"]}


def test_the_dev_set_loads_with_its_corpus() -> None:
    dev = load_dataset(ROOT / "evals" / "datasets" / "dev.jsonl")
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
