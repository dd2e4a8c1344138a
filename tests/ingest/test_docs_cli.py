"""`policy-assistant docs --json` lists what the catalogue holds, with the manifest's metadata."""

from __future__ import annotations

import json
from pathlib import Path

from ingest_helpers import run_cli

from assistant import Assistant
from assistant.config import BUNDLED_KNOWLEDGE
from assistant.ingest.manifest import read_manifest


def test_docs_json_lists_the_five_bundled_documents_with_titles_authors_and_dates(
    bundled: Assistant, tmp_path: Path
) -> None:
    data_dir = str(bundled.settings.data_dir)

    result = run_cli("docs", "--json", "--data-dir", data_dir, cwd=tmp_path, timeout=300)

    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    manifest = read_manifest(BUNDLED_KNOWLEDGE)
    assert [d["meta"]["doc_id"] for d in listed] == sorted(Path(name).stem for name in manifest)
    for document in listed:
        meta, entry = document["meta"], manifest[document["meta"]["doc_id"] + ".txt"]
        assert (meta["title"], meta["authors"], meta["date"]) == (entry.title, entry.authors, entry.date)
        assert meta["title"] and meta["date"]
        assert Path(meta["source"]) == (BUNDLED_KNOWLEDGE / entry.file).resolve()
        assert document["n_chunks"] > 0
    by_id = {d["meta"]["doc_id"]: d["meta"] for d in listed}
    assert by_id["000_880d7357cb23477c"]["authors"] == ["Michael Bracey"]
    assert by_id["004_6d722130d6c3e701"]["date"] == "2015-01"
    assert by_id["003_61361ad6a03f30ee"]["authors"] == []  # no byline: none is invented


def test_docs_json_on_an_empty_data_folder_is_an_empty_list(tmp_path: Path) -> None:
    result = run_cli("docs", "--json", "--data-dir", str(tmp_path / "nothing-yet"), cwd=tmp_path, timeout=300)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
