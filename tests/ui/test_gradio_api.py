"""The Gradio API as a program sees it: `ask` and `upload`, nothing internal; driven with gradio_client.

Documents are added and corrected here through the public endpoints, then removed again over the
JSON API (PATCH / DELETE /api/documents/{doc_id}), so the shared server's library is as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from ui_helpers import Server

pytestmark = pytest.mark.server

FISHER = "What did Brian Fisher suggest the SHA should do next?"


def client(server: Server):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    return Client(server.url + "/", verbose=False)


def test_the_gradio_api_offers_ask_and_upload_and_hides_the_page_internals(server: Server) -> None:
    info = requests.get(f"{server.url}/gradio_api/info", timeout=30).json()
    assert set(info["named_endpoints"]) == {"/ask", "/upload"}
    assert info["unnamed_endpoints"] == {}
    names = [p["parameter_name"] for p in info["named_endpoints"]["/ask"]["parameters"]]
    assert names == ["question", "doc_ids", "publishers", "year_from", "year_to", "session_id"]


def test_gradio_client_asks_and_carries_a_conversation(server: Server) -> None:
    answer = client(server).predict(FISHER, api_name="/ask")
    assert not answer["refused"] and "[1]" in answer["answer_markdown"]
    assert answer["citations"][0]["speaker"] == "Brian Fisher"
    follow = client(server).predict("and what did he say about PFI?", session_id="gc-1", api_name="/ask")
    assert follow["standalone_question"] == "and what did he say about PFI?"  # no history under a new id
    client(server).predict(FISHER, session_id="gc-2", api_name="/ask")
    follow = client(server).predict("and what did he say about PFI?", session_id="gc-2", api_name="/ask")
    assert "Brian Fisher" in follow["standalone_question"]
    filtered = client(server).predict("What is the capital of France?", doc_ids=["002_f81a2e93510845b4"],
                                      api_name="/ask")
    assert filtered["refused"] and filtered["answer_markdown"].startswith(
        "The selected documents (document “Whole person care: the hard work follows”) don't answer this question")


def test_upload_then_correct_then_remove_a_document(server: Server, tmp_path: Path) -> None:
    from gradio_client import handle_file

    note = tmp_path / "reablement-pilot-note.md"
    note.write_text("# Old template title\n\nThe reablement pilot in Eastbrook helped 212 people home from "
                    "hospital within a week.\n", encoding="utf-8")
    report = client(server).predict([handle_file(str(note))], api_name="/upload")
    assert "Added: <strong>Old template title</strong>" in report
    doc_id = "reablement-pilot-note"
    edited = requests.patch(f"{server.url}/api/documents/{doc_id}", timeout=60,
                            json={"title": "Eastbrook reablement pilot", "date": "2024-03"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["meta"]["title"], edited.json()["meta"]["date_inferred"]) == ("Eastbrook reablement pilot",
                                                                                        False)
    bad = requests.patch(f"{server.url}/api/documents/{doc_id}", json={"date": "March 2024"}, timeout=60)
    assert bad.status_code == 422 and "not a date" in bad.text
    answer = client(server).predict("How many people did the Eastbrook reablement pilot help home?",
                                    api_name="/ask")
    assert answer["citations"][0]["title"] == "Eastbrook reablement pilot"

    removed = requests.delete(f"{server.url}/api/documents/{doc_id}", timeout=60)
    assert removed.status_code == 200 and removed.json()["upload_deleted"] is True
    assert not (server.data_dir / "uploads" / note.name).exists()
    assert requests.delete(f"{server.url}/api/documents/{doc_id}", timeout=60).status_code == 404
    assert requests.patch(f"{server.url}/api/documents/{doc_id}", json={"title": "x"}, timeout=60).status_code == 404
    after = client(server).predict("How many people did the Eastbrook reablement pilot help home?", api_name="/ask")
    assert all(c["doc_id"] != doc_id for c in after["citations"]) and all(p["doc_id"] != doc_id for p in after["related"])
    listed = requests.get(f"{server.url}/api/documents", timeout=30).json()
    assert doc_id not in {d["meta"]["doc_id"] for d in listed}
