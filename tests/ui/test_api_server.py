"""The JSON API over HTTP, on the same server process as the chat."""

from __future__ import annotations

import pytest
import requests
from ui_helpers import Server

pytestmark = pytest.mark.server

FISHER = "What did Brian Fisher suggest the SHA should do next?"


def test_openapi_lists_the_api(server: Server) -> None:
    schema = requests.get(f"{server.url}/openapi.json", timeout=10).json()
    assert "post" in schema["paths"]["/api/ask"]
    assert {"/api/health", "/api/documents"} <= set(schema["paths"])
    body = schema["paths"]["/api/ask"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/AskRequest")
    assert {"question", "filters", "session_id"} <= set(schema["components"]["schemas"]["AskRequest"]["properties"])
    assert requests.get(f"{server.url}/api/docs", timeout=10).ok


def test_ask_returns_the_answer_json_with_verifiable_citations(server: Server) -> None:
    response = requests.post(f"{server.url}/api/ask", json={"question": FISHER}, timeout=60)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert not answer["refused"] and "[1]" in answer["answer_markdown"]
    first = answer["citations"][0]
    assert first["speaker"] == "Brian Fisher" and first["section"] == "comment"
    assert "The SHA should now set up" in first["quote"]
    text = requests.get(f"{server.url}/api/documents", timeout=10).json()
    assert any(d["meta"]["doc_id"] == first["doc_id"] and d["n_chunks"] > 0 for d in text)


def test_session_id_carries_a_conversation(server: Server) -> None:
    first = requests.post(f"{server.url}/api/ask", json={"question": FISHER, "session_id": "api-test-1"}, timeout=60)
    assert first.headers["X-Session-Id"] == "api-test-1"
    follow = requests.post(f"{server.url}/api/ask", timeout=60,
                           json={"question": "and what did he say about PFI?", "session_id": "api-test-1"}).json()
    assert "Brian Fisher" in follow["standalone_question"]
    alone = requests.post(f"{server.url}/api/ask", json={"question": "and what did he say about PFI?"},
                          timeout=60).json()
    assert "Brian Fisher" not in alone["standalone_question"]


def test_filters_restrict_the_sources(server: Server) -> None:
    doc = "004_6d722130d6c3e701"
    answer = requests.post(f"{server.url}/api/ask", timeout=60, json={
        "question": "What should happen to health and social care integration?", "filters": {"doc_ids": [doc]},
    }).json()
    cited = {c["doc_id"] for c in answer["citations"]} | {p["doc_id"] for p in answer["related"]}
    assert cited == {doc}


def test_bad_questions_get_a_clear_422(server: Server) -> None:
    too_long = requests.post(f"{server.url}/api/ask", json={"question": "why " * 300}, timeout=30)
    assert too_long.status_code == 422
    assert "limited to 1000 characters" in too_long.json()["detail"]
    empty = requests.post(f"{server.url}/api/ask", json={"question": "   "}, timeout=30)
    assert empty.status_code == 422
    missing = requests.post(f"{server.url}/api/ask", json={}, timeout=30)
    assert missing.status_code == 422


def test_health_and_safe_defaults(server: Server) -> None:
    health = requests.get(f"{server.url}/api/health", timeout=10).json()
    assert health["status"] == "ok" and health["documents"] >= 5 and health["chunks"] > 0
    page = requests.get(server.url, timeout=10)
    assert page.ok and "Policy assistant" in page.text
    assert "share" not in server.log.read_text().lower()  # no public share link was made
    assert "127.0.0.1" in server.url
