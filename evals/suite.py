"""One evaluation end to end: build the systems, observe every question, score, assemble the report."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from assistant import Assistant
from assistant.config import PROJECT_ROOT
from assistant.retrieve import Mode
from evals.baselines import LlamaIndexBaseline, bm25_baseline
from evals.dataset import Dataset
from evals.evaluate import Grounding, load_grounding, score
from evals.grounding.planted import planted_fabrication
from evals.metrics import evidence_forms, holds_evidence, squash
from evals.results import PlantedFabrication, RunReport, SystemResult
from evals.runner import AnswerMode, AssistantSystem, System, Tick, observe_all


def build_systems(
    assistant: Assistant, *, mode: AnswerMode = "extractive", retrieval: Mode = "hybrid",
    baselines: bool = True, on_setup: Callable[[str], None] | None = None,
) -> list[System]:
    """Ours first, then the baselines (BM25-only is skipped when ours already is BM25-only)."""
    systems: list[System] = [AssistantSystem(assistant, retrieval=retrieval, mode=mode)]
    if baselines:
        if retrieval != "bm25":
            systems.append(bm25_baseline(assistant))
        if on_setup:
            on_setup("Indexing the corpus for the LlamaIndex baseline")
        systems.append(LlamaIndexBaseline(assistant))
    return systems


def run_systems(
    dataset: Dataset, assistant: Assistant, systems: list[System], grounding: Grounding, *,
    tick: Tick | None = None, mode: str = "extractive", retrieval: str = "hybrid", planted: bool = True,
    status: Callable[[str], None] | None = None,
) -> RunReport:
    """Every system on every question of the dataset, scored into one report."""
    questions = [q.question for q in dataset.questions]
    results = []
    for system in systems:
        observed = observe_all(system, questions, tick)
        scored = [score(q, seen, grounding.judge, assistant.document_text)
                  for q, seen in zip(dataset.questions, observed, strict=True)]
        results.append(SystemResult(name=system.name, label=system.label, notes=system.notes,
                                    setup_seconds=round(system.setup_seconds, 1), questions=scored))
    if planted and status:
        status("Checking planted fabrications")
    documents = assistant.documents()
    return RunReport(
        dataset=dataset.name, dataset_path=str(dataset.path), corpus=[str(p) for p in dataset.corpus],
        corpus_description=dataset.corpus_description, split=dataset.split,
        set_size=dataset.set_size, documents=len(documents),
        chunks=sum(d.n_chunks for d in documents), mode=mode, retrieval=retrieval, commit=git_commit(),
        grounding=grounding.status, evidence_not_in_corpus=missing_evidence(dataset, assistant),
        evidence_strings=sum(1 for q in dataset.questions for e in q.evidence if e.strip()),
        planted=planted_fabrication(grounding.checker) if planted else PlantedFabrication(
            available=False, note="not run (--no-planted)"),
        systems=results,
    )


def evaluate(
    dataset: Dataset, assistant: Assistant, *, mode: AnswerMode = "extractive", retrieval: Mode = "hybrid",
    baselines: bool = True, planted: bool = True, tick: Tick | None = None,
) -> RunReport:
    """The whole evaluation of an already-ingested assistant (tests and the gate call this)."""
    systems = build_systems(assistant, mode=mode, retrieval=retrieval, baselines=baselines)
    grounding = load_grounding(assistant.library.embedder)
    return run_systems(dataset, assistant, systems, grounding, tick=tick, mode=mode, retrieval=retrieval,
                       planted=planted)


def missing_evidence(dataset: Dataset, assistant: Assistant) -> list[str]:
    """Gold evidence that appears in no document: a dataset/corpus mismatch, not a retrieval miss."""
    texts = [squash(assistant.document_text(d.meta.doc_id)) for d in assistant.documents()]
    return [
        f"{q.id}: {e[:60]}…" for q in dataset.questions for e in q.evidence
        if not any(holds_evidence(evidence_forms(e), t) for t in texts)
    ]


def git_commit() -> str:
    """The commit evaluated, with '+dirty' when the working tree has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True, timeout=10, cwd=PROJECT_ROOT).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True, timeout=10, cwd=PROJECT_ROOT).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{head}+dirty" if dirty else head
