"""The processes a benchmark starts: one-shot workers and long-lived `serve` workers, and the questions they ask.

Each measurement of memory or start-up runs in a fresh process, so its RSS and cold start are its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT

DEV_SET = PROJECT_ROOT.parent / "shared" / "evals" / "dev.jsonl"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


NHS_DEV_SET = PROJECT_ROOT.parent / "shared" / "evals" / "dev_nhs.jsonl"


def dev_questions(limit: int = 0, path: Path = DEV_SET) -> list[str]:
    if not path.is_file():
        raise SystemExit(f"{path} not found: the dev questions are read at run time from ../shared, "
                         "the shared data folder beside the checkout")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    questions = [str(r["question"]) for r in rows]
    return questions[:limit] if limit else questions


def bench_questions(limit: int = 0) -> list[str]:
    """The dev questions about library B (bundled + corpus-nhs), each once, the two sets
    alternating so that a short run (`limit`) samples both."""
    sets = [dev_questions(0, DEV_SET)] + ([dev_questions(0, NHS_DEV_SET)] if NHS_DEV_SET.is_file() else [])
    mixed = [q for group in zip(*sets, strict=False) for q in group]
    longest = max(sets, key=len)
    mixed += longest[min(len(s) for s in sets):]
    unique = list(dict.fromkeys(mixed))
    return unique[:limit] if limit else unique


def run_worker(args: list[str], log_path: Path, timeout: float, module: str = "evals.bench.workers") -> dict[str, Any]:
    """A one-shot worker; its last JSON line is the result."""
    with log_path.open("w") as err:
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            timeout=timeout,
            cwd=PROJECT_ROOT,
            env=_worker_env(),
        )
    if done.returncode != 0:
        raise RuntimeError(f"worker {args[0]} failed ({done.returncode}); see {log_path}")
    return _last_json(done.stdout.splitlines())


def _worker_env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def _last_json(lines: list[str]) -> dict[str, Any]:
    for line in reversed(lines):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError("worker printed no result")


class Server:
    """A `serve` worker: started, timed to its first answer, then driven line by line."""

    def __init__(self, name: str, args: list[str], log_path: Path) -> None:
        self.name = name
        self._log = log_path.open("w")
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "evals.bench.workers", "serve", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=PROJECT_ROOT,
            env=_worker_env(),
        )
        self.ready = self._read()
        self.cold_start_seconds = time.perf_counter() - began

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                return dict(json.loads(line))
        raise RuntimeError(f"{self.name} exited early; see {self._log.name}")

    def call(self, op: str, question: str = "", mode: str = "hybrid") -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, "question": question, "mode": mode}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def stop(self) -> None:
        """Ask it to quit; kill it by PID if it does not."""
        try:
            if self.process.poll() is None and self.process.stdin is not None:
                self.process.stdin.write('{"op": "quit"}\n')
                self.process.stdin.flush()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=30)
        self._log.close()
