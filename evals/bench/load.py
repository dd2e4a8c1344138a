"""`python -m evals load`: concurrent users against one server, on loopback only, bounded.

N clients (half through POST /api/ask, half through the chat's Gradio queue as a browser uses it) ask dev-set
questions in a loop for a fixed time, and every answer is compared with the answer the same
channel gave to a single user beforehand: concurrency must not change an answer (shared state,
a race in a cache) and must not fail a request. The test stops by itself: a deadline, a cap on
requests per client, and a timeout on every request; a server it started is stopped by PID.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import numpy as np

from assistant.config import PROJECT_ROOT

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REQUEST_TIMEOUT = 120.0
MAX_REQUESTS_PER_CLIENT = 500


@dataclass
class Outcome:
    channel: str
    question: str
    ms: float
    error: str = ""
    mismatch: bool = False
    got: str = ""  # kept only for a mismatch, to show what differed


@dataclass
class LoadConfig:
    url: str | None = None  # an already-running server (loopback only); else one is started
    clients: int = 20
    seconds: float = 60.0
    questions: int = 8
    data_dir: Path | None = None
    out: Path = PROJECT_ROOT / "bench-results" / "load"
    channels: tuple[str, ...] = ("api", "chat")


@dataclass
class Recorder:
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)


def require_loopback(url: str) -> None:
    """This test only ever sends traffic to this machine."""
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK and not host.startswith("127."):
        raise SystemExit(f"refusing to load-test {url}: only loopback addresses are allowed")


# --- the server under test --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, log_path: Path, timeout: float = 900.0) -> tuple[subprocess.Popen[bytes], str]:
    """`policy-assistant chat` on a free loopback port; ready when /api/health answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "POLICY_ASSISTANT_HOST": "127.0.0.1"}
    env.pop("POLICY_ASSISTANT_AUTH_USERNAME", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "chat", "--port", str(port), "--data-dir", str(data_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=PROJECT_ROOT,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(1)
    stop_server(process)
    raise RuntimeError(f"the server did not come up; see {log_path}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


# --- the two channels ---------------------------------------------------------------------------

Ask = Callable[[str], str]


def api_channel(url: str) -> Ask:
    """POST /api/ask; the comparable part of an Answer is its text and its cited quotes."""
    client = httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT)

    def ask(question: str) -> str:
        response = client.post("/api/ask", json={"question": question})
        response.raise_for_status()
        answer = response.json()
        quotes = [(c["doc_id"], c["start"], c["end"]) for c in answer["citations"]]
        return json.dumps([answer["answer_markdown"], answer["refused"], quotes])

    return ask


def chat_channel(url: str) -> Ask:
    """The chat's own ask event through the Gradio queue, as the browser sends it when an officer
    presses Enter: join the queue (POST /gradio_api/queue/join), then read the event's server-sent
    stream to its end; then the events the page runs after it (`.then`), as the browser does; each
    question in a new session (a new conversation). The event is internal to the page (not in the
    Gradio API), so it is found in the app's /config as the question box's submit; inputs other than
    the question take their components' initial values. The comparable part is the last chatbot
    message (the rendered answer); the time is until the last follow-up event has answered."""
    client = httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT)
    config = client.get("/config").raise_for_status().json()
    prefix = config.get("api_prefix", "/gradio_api")
    event, components = chat_event(config)
    follow_ups = follow_up_events(config, event)
    question_at = next(i for i, c in enumerate(event["inputs"]) if components[c]["type"] == "textbox")
    chatbot_at = next(i for i, c in enumerate(event["outputs"]) if components[c]["type"] == "chatbot")

    def initial(dep: dict[str, Any]) -> list[Any]:
        return [components[c].get("props", {}).get("value") for c in dep["inputs"]]

    def run(dep: dict[str, Any], data: list[Any], session: str) -> list[Any]:
        """One event of the page, queued or direct, as the browser runs it: its outputs."""
        body = {"data": data, "fn_index": dep["id"], "session_hash": session, "event_data": None,
                "trigger_id": dep["targets"][0][0] if dep["targets"] else None}
        if not dep.get("queue", True):
            response = client.post(f"{prefix}/run/predict", json=body)
            response.raise_for_status()
            return list(response.json()["data"])
        client.post(f"{prefix}/queue/join", json=body).raise_for_status()
        with client.stream("GET", f"{prefix}/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    if not message.get("success", True):
                        raise RuntimeError(f"the chat event failed: {str(message.get('output'))[:300]}")
                    return list(message["output"]["data"])
        raise RuntimeError("the chat's event stream ended without a result")

    def ask(question: str) -> str:
        session = uuid.uuid4().hex[:12]
        history = run(event, [question if i == question_at else v for i, v in enumerate(initial(event))],
                      session)[chatbot_at]
        for dep in follow_ups:
            run(dep, initial(dep), session)
        return json.dumps(history[-1] if history else None, sort_keys=True)

    return ask


def chat_event(config: dict[str, Any]) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """The dependency a browser runs when the question box is submitted (a textbox's submit that
    writes the chatbot), and the app's components by id."""
    components = {c["id"]: c for c in config["components"]}

    def is_ask(dep: dict[str, Any]) -> bool:
        return any(event == "submit" and components.get(target, {}).get("type") == "textbox"
                   for target, event in dep.get("targets", [])) and any(
            components[c]["type"] == "chatbot" for c in dep.get("outputs", []))

    found = next((d for d in config["dependencies"] if is_ask(d)), None)
    if found is None:
        raise RuntimeError("the app has no event that submits a question box into a chatbot")
    return found, components


def follow_up_events(config: dict[str, Any], event: dict[str, Any]) -> list[dict[str, Any]]:
    """The server-side events the page runs once `event` has finished (its `.then`s)."""
    return [d for d in config["dependencies"] if d.get("trigger_after") == event["id"] and d.get("backend_fn")]


CHANNELS: dict[str, Callable[[str], Ask]] = {"api": api_channel, "chat": chat_channel}


# --- the test -------------------------------------------------------------------------------------


def references(url: str, channels: tuple[str, ...], questions: list[str]) -> dict[tuple[str, str], str]:
    """Each channel's answer to each question with nobody else asking."""
    refs = {}
    for channel in channels:
        ask = CHANNELS[channel](url)
        for question in questions:
            refs[(channel, question)] = ask(question)
    return refs


def client_loop(
    index: int,
    channel: str,
    ask: Ask,
    questions: list[str],
    refs: dict[tuple[str, str], str],
    deadline: float,
    recorder: Recorder,
) -> None:
    """Ask in turn (each client starting at a different question) until the deadline."""
    for n in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        question = questions[(index + n) % len(questions)]
        began = time.perf_counter()
        try:
            got = ask(question)
            differs = got != refs[(channel, question)]
            outcome = Outcome(channel, question, _ms(began), mismatch=differs, got=got if differs else "")
        except Exception as err:  # every failure is counted, none stops the test
            outcome = Outcome(channel, question, _ms(began), error=f"{type(err).__name__}: {err}"[:300])
        recorder.add(outcome)


def run_load(config: LoadConfig, questions: list[str]) -> dict[str, Any]:
    """Start (or use) a server, record single-user answers, then run the clients concurrently."""
    config.out.mkdir(parents=True, exist_ok=True)
    process = None
    url = config.url
    if url is None:
        data_dir = config.data_dir or config.out / "data"
        process, url = start_server(data_dir, config.out / "server.log")
    require_loopback(url)
    try:
        refs = references(url, config.channels, questions)
        asks = [(i, config.channels[i % len(config.channels)]) for i in range(config.clients)]
        clients = [(i, channel, CHANNELS[channel](url)) for i, channel in asks]
        recorder = Recorder()
        load_before = [round(x, 2) for x in os.getloadavg()]
        server_cpu, client_cpu = _cpu_seconds(process.pid if process else None), _own_cpu_seconds()
        began = time.monotonic()
        deadline = began + config.seconds
        threads = [
            threading.Thread(target=client_loop, args=(i, ch, ask, questions, refs, deadline, recorder), daemon=True)
            for i, ch, ask in clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=config.seconds + REQUEST_TIMEOUT + 30)
        wall = time.monotonic() - began
        server_cpu = _cpu_seconds(process.pid if process else None) - server_cpu
        client_cpu = _own_cpu_seconds() - client_cpu
    finally:
        if process is not None:
            stop_server(process)
    result = summarise(recorder.outcomes, config, wall, len(questions))
    result["load_average"] = {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]}
    answered = max(1, sum(not o.error for o in recorder.outcomes))
    result["cpu"] = {  # what each answer cost, whatever else the machine was doing
        "server_seconds": server_cpu, "client_seconds": client_cpu,
        "server_ms_per_answer": 1000 * server_cpu / answered if process else None,
        "client_ms_per_answer": 1000 * client_cpu / answered,
    }
    for sample in result["mismatch_samples"]:
        sample["expected"] = refs[(sample["channel"], sample["question"])][:2000]
    return result


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (from /proc; 0 when there is none to read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def summarise(outcomes: list[Outcome], config: LoadConfig, wall: float, n_questions: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "clients": config.clients,
        "seconds": config.seconds,
        "wall_seconds": wall,
        "questions": n_questions,
        "requests": len(outcomes),
        "errors": sum(bool(o.error) for o in outcomes),
        "mismatches": sum(o.mismatch for o in outcomes),
        "channels": {},
        "error_samples": sorted({o.error for o in outcomes if o.error})[:5],
        "mismatch_samples": [
            {"channel": o.channel, "question": o.question, "got": o.got[:2000]} for o in outcomes if o.mismatch
        ][:5],
    }
    for channel in config.channels:
        mine = [o for o in outcomes if o.channel == channel and not o.error]
        ms = np.asarray([o.ms for o in mine] or [0.0])
        result["channels"][channel] = {
            "requests": sum(o.channel == channel for o in outcomes),
            "ok": len(mine),
            "mismatches": sum(o.mismatch for o in mine),
            "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max()),
            "per_second": len(mine) / wall if wall else 0.0,
        }
    result["passed"] = result["requests"] > 0 and not result["errors"] and not result["mismatches"]
    return result


def render(result: dict[str, Any]) -> list[str]:
    lines = [
        f"## Concurrent users: {result['clients']} clients for {result['seconds']:.0f} s (loopback)",
        "",
        f"{result['requests']} requests, {result['errors']} errors, {result['mismatches']} answers different from "
        f"the single-user answer → {'PASS' if result['passed'] else 'FAIL'}. Load average before "
        f"{result.get('load_average', {}).get('before')}, after {result.get('load_average', {}).get('after')}.",
        "",
        _cpu_line(result),
        "",
        "| channel | requests | ok | answers/s | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for channel, c in result["channels"].items():
        lines.append(
            f"| {channel} | {c['requests']} | {c['ok']} | {c['per_second']:.2f} | {c['p50_ms']:.0f} "
            f"| {c['p95_ms']:.0f} | {c['max_ms']:.0f} |"
        )
    return [*lines, ""]


def _cpu_line(result: dict[str, Any]) -> str:
    cpu = result.get("cpu") or {}
    server = cpu.get("server_ms_per_answer")
    served = f"the server used {server:.0f} ms of CPU per answer, " if server is not None else ""
    return (f"CPU: {served}the clients {cpu.get('client_ms_per_answer', 0):.0f} ms per answer (both on this "
            f"machine's {os.cpu_count()} cores).")


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def main(config: LoadConfig) -> None:
    """Run the test (`python -m evals load`), write load.json and load.md; exit 1 unless it passed."""
    from evals.bench.processes import dev_questions

    if config.url:
        require_loopback(config.url)
    questions = dev_questions(config.questions)
    result = run_load(config, questions)
    (config.out / "load.json").write_text(json.dumps(result, indent=2))
    (config.out / "load.md").write_text("\n".join(render(result)) + "\n")
    print("\n".join(render(result)))
    if not result["passed"]:
        raise SystemExit(1)
