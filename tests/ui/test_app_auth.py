"""The app as FastAPI sees it, in process: login settings protect both the chat and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.ui.server import create_app


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", auth_username="officer", auth_password="s3cret-pass")


def test_login_protects_the_chat_and_the_api(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").status_code == 401
        assert client.get("/api/health", auth=("officer", "wrong")).status_code == 401
        health = client.get("/api/health", auth=("officer", "s3cret-pass"))
        assert health.status_code == 200 and health.json()["status"] == "empty"
        assert client.get("/config").status_code == 401  # the Gradio app needs the login too
        login = client.post("/login", data={"username": "officer", "password": "s3cret-pass"})
        assert login.status_code == 200
        assert client.get("/config").status_code == 200


def test_without_login_settings_everything_is_open_on_loopback(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.host == "127.0.0.1" and settings.port == 7860
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").json() == {"status": "empty", "documents": 0, "chunks": 0}
        assert "/api/ask" in client.get("/openapi.json").json()["paths"]
        page = client.get("/")
        assert page.status_code == 200 and "Policy assistant" in page.text
