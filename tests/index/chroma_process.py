"""Start and stop a real Chroma server (`chroma run`) on a loopback port, for server-mode tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


@dataclass
class ChromaServer:
    """A `chroma run` process on a loopback port, stopped by its PID."""

    process: subprocess.Popen[bytes]
    url: str
    path: Path

    def stop(self) -> None:
        """SIGTERM by PID, then SIGKILL if it has not gone within 10 s."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chroma_executable() -> str:
    """The `chroma` CLI installed with chromadb in this interpreter's environment."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        pytest.skip("the chroma CLI is not installed")
    return found


def start_chroma(path: Path, timeout: float = 60.0) -> ChromaServer:
    """Start `chroma run` and wait until its heartbeat answers (or fail with its log)."""
    port = free_port()
    log = path.with_suffix(".log")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [chroma_executable(), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    server = ChromaServer(process, f"http://127.0.0.1:{port}", path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{server.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"chroma run did not start on port {port}:\n{log.read_text(errors='replace')[-2000:]}")
