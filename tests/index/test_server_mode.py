"""Server mode: vectors in a real Chroma server, catalogue and BM25 under the data dir."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import chromadb
import pytest
from chroma_process import ChromaServer, free_port, start_chroma
from chromadb.config import Settings as ChromaSettings
from typer.testing import CliRunner

from assistant import Assistant, Settings
from assistant.cli import app
from assistant.cli import main as cli_main
from assistant.index.embedder import SentenceTransformerEmbedder
from assistant.index.library import Library
from assistant.index.vectors import ChromaUnavailable, parse_server_url

pytestmark = pytest.mark.server


def server_count(url: str, collection: str = "policy_chunks") -> int:
    """Vectors in the server's collection, asked of the server directly."""
    host, port, ssl = parse_server_url(url)
    settings = ChromaSettings(anonymized_telemetry=False)
    client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings)
    return int(client.get_collection(collection).count())


def test_ingest_and_ask_through_a_chroma_server(
    chroma_server: ChromaServer, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    data_dir = tmp_path / "data"
    assistant = Assistant(Settings(data_dir=data_dir, chroma_url=chroma_server.url), embedder=embedder)
    report = assistant.ingest()
    assert not report.partial, report.problems
    assert report.added

    answer = assistant.ask("How many residents does Milton Keynes have now?")
    assert not answer.refused
    assert "288,000" in answer.answer_markdown

    n_chunks = sum(d.n_chunks for d in assistant.documents())
    assert server_count(chroma_server.url) == n_chunks
    assert (data_dir / "catalog.sqlite3").is_file() and (data_dir / "bm25").is_dir()
    assert not (data_dir / "chroma").exists(), "server mode must not write an embedded store"

    again = Assistant(Settings(data_dir=data_dir, chroma_url=chroma_server.url), embedder=embedder).ingest()
    assert not again.added and not again.updated and len(again.unchanged) == len(report.added)


def test_every_cli_command_works_through_the_server(chroma_server: ChromaServer, tmp_path: Path) -> None:
    env = {"POLICY_ASSISTANT_CHROMA_URL": chroma_server.url, "POLICY_ASSISTANT_CHROMA_COLLECTION": "cli_test"}
    data = ["--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    ingested = runner.invoke(app, ["ingest", *data], env=env)
    assert ingested.exit_code == 0, ingested.output
    assert chroma_server.url in ingested.output
    listed = runner.invoke(app, ["docs", "--json", *data], env=env)
    documents = json.loads(listed.stdout)
    assert listed.exit_code == 0 and len(documents) == 5
    question = "How many residents does Milton Keynes have now?"
    asked = runner.invoke(app, ["ask", question, "--json", *data], env=env)
    assert asked.exit_code == 0, asked.output
    assert "288,000" in json.loads(asked.stdout)["answer_markdown"]
    assert server_count(chroma_server.url, "cli_test") == sum(d["n_chunks"] for d in documents)
    assert not (tmp_path / "data" / "chroma").exists()


def test_an_unreachable_server_is_a_clear_error(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assistant = Assistant(Settings(data_dir=tmp_path / "data", chroma_url=url), embedder=embedder)
    with pytest.raises(ChromaUnavailable, match=f"cannot reach the Chroma server at {url}"):
        assistant.ingest()


def test_the_cli_reports_an_unreachable_server_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("POLICY_ASSISTANT_CHROMA_URL", url)
    monkeypatch.setattr(sys, "argv", ["policy-assistant", "ingest", "--data-dir", str(tmp_path / "data")])
    with pytest.raises(SystemExit) as exit_info:
        cli_main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert f"cannot reach the Chroma server at {url}" in err and "Traceback" not in err


def test_a_server_that_stops_mid_session_is_a_clear_error(tmp_path: Path) -> None:
    server = start_chroma(tmp_path / "db")
    try:
        library = Library(Settings(data_dir=tmp_path / "data", chroma_url=server.url))
        assert library.vectors.count() == 0
    finally:
        server.stop()
    assert server.process.returncode is not None
    with pytest.raises(ChromaUnavailable, match=f"cannot reach the Chroma server at {server.url}"):
        library.vectors.count()


def test_server_urls_are_parsed_with_chromas_default_port() -> None:
    assert parse_server_url("http://127.0.0.1:8123") == ("127.0.0.1", 8123, False)
    assert parse_server_url("localhost") == ("localhost", 8000, False)
    assert parse_server_url("https://chroma.internal") == ("chroma.internal", 443, True)
    with pytest.raises(ChromaUnavailable):
        parse_server_url("ftp://x")
