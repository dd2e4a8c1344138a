"""`python -m evals grounding-bench`: how long the grounding checker takes per sentence.

A benchmark, not a timed test: it prints its figures and writes grounding-bench.json and .md.
Real answers (a RAGTruth-style labelled file) are checked as the guard checks them, each
answer's claims against its passages. *Cold*: every cache emptied before each answer, so its
passages are split, analysed and embedded afresh (a new question's sources); *warm*: the same
answers again with the caches full (the guard's further checks of a sentence against one cited
passage, or a follow-up on the same sources). The time spent in the embedder is given apart,
since on a shared machine it is what swings most. Absolute times on a loaded machine are noisy:
compare the figures of one run.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.grounding import GroundingChecker
from assistant.grounding.claims import is_claim, parse
from assistant.index.embedder import Embedder
from evals.grounding.labelled import LabelledAnswer, load_labelled

TARGET_MS = 30.0


class TimedEmbedder:
    """An embedder that keeps the time its calls took (and passes them through)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.texts = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def embed(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


@dataclass
class Pass:
    """One pass over the answers: claims checked, and the time taken in all and in the embedder."""

    name: str
    answers: int = 0
    claims: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    texts_embedded: int = 0
    per_answer_ms: list[float] = field(default_factory=list)

    @property
    def ms_per_claim(self) -> float:
        return 1000 * self.seconds / max(self.claims, 1)

    def summary(self) -> dict[str, object]:
        per_answer = np.array(self.per_answer_ms or [0.0])
        return {"pass": self.name, "answers": self.answers, "claims": self.claims,
                "ms_per_claim": round(self.ms_per_claim, 2),
                "ms_per_claim_without_embedding": round(1000 * (self.seconds - self.embed_seconds)
                                                        / max(self.claims, 1), 2),
                "embedding_share": round(self.embed_seconds / self.seconds, 3) if self.seconds else 0.0,
                "texts_embedded": self.texts_embedded,
                "answer_ms_p50": round(float(np.percentile(per_answer, 50)), 1),
                "answer_ms_p95": round(float(np.percentile(per_answer, 95)), 1)}


def clear_caches(checker: GroundingChecker) -> None:
    """Forget every analysed passage and cached vector (a new question's sources)."""
    from assistant.grounding import alignment, facts
    from assistant.grounding import checker as checker_module

    for cached in (alignment.sources, alignment._sentences, alignment.loose_pattern, facts.source_keys,
                   checker_module._lowered):
        cached.cache_clear()
    checker._vectors.clear()


def time_pass(name: str, checker: GroundingChecker, timed: TimedEmbedder | None, answers: list[LabelledAnswer],
              cold: bool) -> Pass:
    result = Pass(name)
    for answer in answers:
        if cold:
            clear_caches(checker)
        before = timed.seconds if timed else 0.0
        texts = timed.texts if timed else 0
        started = time.perf_counter()
        checks = checker.check_answer(answer.response, list(answer.passages), answer.question)
        elapsed = time.perf_counter() - started
        claims = sum(c.claim for c in checks)
        result.answers += 1
        result.claims += claims
        result.seconds += elapsed
        result.per_answer_ms.append(1000 * elapsed)
        if timed:
            result.embed_seconds += timed.seconds - before
            result.texts_embedded += timed.texts - texts
    return result


def pick(answers: list[LabelledAnswer], per_task: int) -> list[LabelledAnswer]:
    """The first `per_task` answers with a claim of each task, in file order (the same every run)."""
    chosen: list[LabelledAnswer] = []
    counts: dict[str, int] = {}
    for a in answers:
        if counts.get(a.task, 0) < per_task and any(is_claim(d.text, a.question) for d in parse(a.response)):
            counts[a.task] = counts.get(a.task, 0) + 1
            chosen.append(a)
    return chosen


def run(file: Path, per_task: int, out: Path, similarity: bool = True) -> dict[str, object]:
    """Time the checker on `per_task` answers of each task; write and return the figures."""
    answers = pick(load_labelled(file), per_task)
    timed: TimedEmbedder | None = None
    if similarity:
        from assistant.index.embedder import SentenceTransformerEmbedder

        timed = TimedEmbedder(SentenceTransformerEmbedder())
        timed.embed(["warm-up: load the model"])  # the model's load is not a sentence's cost
    checker = GroundingChecker(timed)
    passes = []
    for task in sorted({a.task for a in answers}):
        mine = [a for a in answers if a.task == task]
        passes.append(time_pass(f"{task} cold", checker, timed, mine, cold=True))
        passes.append(time_pass(f"{task} warm", checker, timed, mine, cold=False))
    passes.append(time_pass("all cold", checker, timed, answers, cold=True))
    figures: dict[str, object] = {
        "file": str(file), "checker": "with MiniLM similarity" if similarity else "lexical",
        "target_ms_per_claim": TARGET_MS, "machine": f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end",
        "passes": [p.summary() for p in passes],
    }
    overall = passes[-1].ms_per_claim
    figures["ms_per_claim_cold"] = round(overall, 2)
    figures["meets_target"] = overall <= TARGET_MS
    out.mkdir(parents=True, exist_ok=True)
    (out / "grounding-bench.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    (out / "grounding-bench.md").write_text(markdown(figures), encoding="utf-8")
    return figures


def markdown(figures: dict[str, object]) -> str:
    rows = figures["passes"]
    assert isinstance(rows, list)
    head = ["pass", "answers", "claims", "ms_per_claim", "ms_per_claim_without_embedding", "embedding_share",
            "answer_ms_p50", "answer_ms_p95"]
    lines = [f"# Grounding checker speed ({figures['checker']})", "",
             f"{figures['machine']}. Target: ≤ {figures['target_ms_per_claim']} ms per claim sentence; "
             f"cold, all answers: {figures['ms_per_claim_cold']} ms.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def describe(figures: dict[str, object]) -> str:
    """The figures as printed lines."""
    lines = [f"{figures['checker']}; {figures['machine']}"]
    rows = figures["passes"]
    assert isinstance(rows, list)
    lines += [f"{r['pass']:>14}: {r['claims']:4d} claims of {r['answers']:3d} answers, {r['ms_per_claim']:7.2f} ms per "
              f"claim ({r['ms_per_claim_without_embedding']:.2f} without the embedder; embedding "
              f"{r['embedding_share']:.0%}), answer p50 {r['answer_ms_p50']} ms, p95 {r['answer_ms_p95']} ms"
              for r in rows]
    lines.append(f"cold, all: {figures['ms_per_claim_cold']} ms per claim "
                 f"({'within' if figures['meets_target'] else 'over'} the {TARGET_MS:.0f} ms target)")
    return "\n".join(lines)

