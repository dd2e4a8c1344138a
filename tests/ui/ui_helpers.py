"""Shared by the UI tests: where the CLI and Chromium are, and what a running server looks like."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CLI = Path(sys.executable).parent / "policy-assistant"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass
class Server:
    url: str
    data_dir: Path
    log: Path
    pid: int
    env: dict[str, str]


def server_env(tmp: Path) -> dict[str, str]:
    """The environment the server runs in: offline, no telemetry, no settings leaking in from the shell."""
    env = dict(os.environ)
    env.update({
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False", "GRADIO_TEMP_DIR": str(tmp / "gradio-tmp"),
        "NO_PROXY": "127.0.0.1,localhost",
    })
    for key in ("POLICY_ASSISTANT_AUTH_USERNAME", "POLICY_ASSISTANT_AUTH_PASSWORD", "POLICY_ASSISTANT_DATA_DIR",
                "POLICY_ASSISTANT_HOST", "POLICY_ASSISTANT_PORT", "POLICY_ASSISTANT_CHROMA_URL"):
        env.pop(key, None)
    return env
