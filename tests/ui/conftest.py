"""One real `policy-assistant chat` server per test session, and a headless Chromium to drive it.

The server starts on an empty data folder, so it indexes the bundled library itself (the path
`make run` takes on a fresh machine); it is stopped by its PID at the end. Screenshots go to
artifacts/screenshots/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from ui_helpers import CHROMIUM, CHROMIUM_ARGS, CLI, SCREENSHOTS, Server, server_env

STARTUP_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`policy-assistant chat --port <free> --data-dir <empty tmp>`: it indexes the bundled library first."""
    tmp = tmp_path_factory.mktemp("chat-server")
    data_dir = tmp / "data"
    port = _free_port()
    log = tmp / "server.log"
    env = server_env(tmp)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CLI), "chat", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield Server(url=url, data_dir=data_dir, log=log, pid=process.pid, env=env)
    finally:
        _stop(process)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(f"{url}/api/health", timeout=2).ok and requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"the server did not start in {STARTUP_SECONDS} s:\n{log.read_text()[-4000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server we started, by its PID (its process group holds only it and its children)."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (bash .ci/install-browser)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server: Server):  # type: ignore[no-untyped-def]
    """A fresh browser tab (so a fresh chat session) on the chat, 1440x900, downloads allowed."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.on("request", lambda req: outside.append(req.url) if not req.url.startswith(
        (server.url, "data:", "blob:", "about:")) else None)
    tab.goto(server.url)
    tab.wait_for_selector("#question textarea")
    tab.wait_for_selector("#chat .example, #chat .message", timeout=30_000)
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not outside, f"the page reached outside this machine: {outside}"  # offline: no fonts, no CDNs


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
