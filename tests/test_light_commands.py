"""Light commands stay light: `--help`, `docs` and an unchanged `ingest` import no model, vector
store or web stack (each would cost seconds before the command could answer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import HashingEmbedder

from assistant.config import BUNDLED_KNOWLEDGE, Settings
from assistant.index.library import Library
from assistant.ingest.pipeline import ingest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "sentence_transformers", "transformers", "chromadb", "llama_index", "nltk", "gradio",
         "fastapi", "uvicorn", "bm25s")
_RUN = """
import json, sys
sys.argv = ["policy-assistant", *sys.argv[1:]]
from assistant.cli import main
try:
    main()
except SystemExit as end:
    code = end.code or 0
else:
    code = 0
heavy = [m for m in json.loads(sys.stdin.read()) if m in sys.modules]
print("IMPORTED " + json.dumps({"heavy": heavy, "code": code}), file=sys.stderr)
"""


def imported_by(*args: str) -> list[str]:
    """The heavy packages `policy-assistant ARGS` imported, run in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _RUN, *args], input=json.dumps(HEAVY), capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)
    line = next(x for x in done.stderr.splitlines() if x.startswith("IMPORTED "))
    result = json.loads(line.removeprefix("IMPORTED "))
    assert result["code"] == 0, done.stderr
    return list(result["heavy"])


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled library indexed (with the hashing embedder: the content hashes do not depend on it)."""
    data_dir = tmp_path_factory.mktemp("light-data")
    ingest(Library(Settings(data_dir=data_dir), HashingEmbedder()), [BUNDLED_KNOWLEDGE])
    return data_dir


def test_help_imports_no_model_store_or_web_stack() -> None:
    assert imported_by("--help") == []


def test_docs_imports_no_model_store_or_web_stack(ingested: Path) -> None:
    assert imported_by("docs", "--data-dir", str(ingested)) == []


def test_an_unchanged_ingest_imports_no_model_store_or_web_stack(ingested: Path) -> None:
    assert imported_by("ingest", "--data-dir", str(ingested)) == []
