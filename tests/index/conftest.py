"""Fixtures for the index tests: a real Chroma server in a subprocess."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chroma_process import ChromaServer, start_chroma


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One server for the module's tests; always stopped by PID at the end."""
    server = start_chroma(tmp_path_factory.mktemp("chroma-server") / "db")
    try:
        yield server
    finally:
        server.stop()
