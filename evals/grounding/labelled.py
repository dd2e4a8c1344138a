"""RAGTruth-style labelled answers: how well the grounding checker tells real LLM answers apart.

A labelled file holds one source a line (a question for QA, the passages) and every answer
written for it, each labelled `supported` or `unsupported` with the spans annotators marked.
Each answer is judged the way the guard judges one (parsed into sentences, framing set aside,
every claim checked against all the passages); an answer is flagged when any claim is. The
figures: answer level (balanced accuracy, recall of unsupported answers, false alarms on
supported ones), sentence level (sentences of supported answers rejected) and span level
(which words were marked unsupported, against the annotators' spans).

The sources split in two halves by id (`half`): the calibrated verdict is tuned on half A, and
both halves are reported.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.grounding import ClaimCheck, GroundingChecker
from evals.results import GroundingScores, Rates
from evals.splits import Half

_WORD = re.compile(r"\S+")


class LabelledFileError(ValueError):
    """A labelled file that cannot be read, with the line that is wrong."""


@dataclass(frozen=True)
class LabelledAnswer:
    """One answer to judge, with what the annotators said of it."""

    source_id: str
    task: str
    question: str
    passages: tuple[str, ...]
    model: str
    response: str
    unsupported: bool
    spans: tuple[tuple[int, int], ...]  # characters of `response` marked unsupported

    @property
    def half(self) -> Half:
        return half(self.source_id)


def half(source_id: str) -> Half:
    """Which half a source belongs to: A when its number halved is even, else B (the file
    holds the even ids of RAGTruth's test split, so halving balances the two)."""
    digits = re.sub(r"\D", "", source_id)
    if not digits:
        return "A" if sum(map(ord, source_id)) % 2 == 0 else "B"
    return "A" if (int(digits) // 2) % 2 == 0 else "B"


def load_labelled(path: Path) -> list[LabelledAnswer]:
    """Every answer of a RAGTruth-style JSONL file, with its labelled spans located."""
    if not path.is_file():
        raise LabelledFileError(f"{path}: no such file")
    answers: list[LabelledAnswer] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            for r in row["responses"]:
                answers.append(LabelledAnswer(
                    source_id=str(row["source_id"]), task=str(row.get("task", "")),
                    question=str(row.get("question") or ""), passages=tuple(row["passages"]),
                    model=str(r.get("model", "")), response=r["response"],
                    unsupported=r["label"] == "unsupported",
                    spans=tuple(locate(r["response"], s["text"]) for s in r.get("spans", []) if s.get("text")),
                ))
        except (json.JSONDecodeError, KeyError, TypeError) as problem:
            raise LabelledFileError(f"{path}:{n}: not a labelled source ({problem})") from problem
    return answers


def locate(response: str, text: str) -> tuple[int, int]:
    """Where a marked span lies in the answer (by its words, whatever the spacing); (0, 0) if nowhere."""
    at = response.find(text)
    if at >= 0:
        return at, at + len(text)
    pattern = r"\s*".join(re.escape(w) for w in text.split())
    m = re.search(pattern, response) if pattern else None
    return (m.start(), m.end()) if m else (0, 0)


AnswerJudge = Callable[[LabelledAnswer], list[ClaimCheck]]


def checker_judge(checker: GroundingChecker) -> AnswerJudge:
    """Judge an answer as the guard does: its claims, each against all the passages."""
    return lambda a: checker.check_answer(a.response, list(a.passages), question=a.question)


@dataclass
class _Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    supported_sentences: int = 0
    rejected_sentences: int = 0
    marked_gold: int = 0
    marked: int = 0
    gold: int = 0
    extra: list[str] = field(default_factory=list)

    def rates(self) -> Rates:
        pos, neg = self.tp + self.fn, self.fp + self.tn
        recall = self.tp / pos if pos else None
        alarms = self.fp / neg if neg else None
        balanced = (recall + 1 - alarms) / 2 if recall is not None and alarms is not None else None
        sp = self.marked_gold / self.marked if self.marked else None
        sr = self.marked_gold / self.gold if self.gold else None
        f1 = 2 * sp * sr / (sp + sr) if sp and sr else (0.0 if sp is not None and sr is not None else None)
        return Rates(answers=pos + neg, unsupported=pos, balanced_accuracy=_r(balanced), recall=_r(recall),
                     false_alarms=_r(alarms), sentences_rejected=_r(self.rejected_sentences / self.supported_sentences
                                                                   if self.supported_sentences else None),
                     span_precision=_r(sp), span_recall=_r(sr), span_f1=_r(f1))


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def score(
    answers: Sequence[LabelledAnswer], judge: AnswerJudge, *, file: str = "", checker: str = "",
    progress: Callable[[int], None] | None = None,
) -> GroundingScores:
    """Answer-, sentence- and span-level figures, overall, per half and per task."""
    tallies: dict[str, _Tally] = {}
    sentences, started = 0, time.perf_counter()
    for i, answer in enumerate(answers):
        checks = judge(answer)
        sentences += len(checks)
        for group in ("all", f"half {answer.half}", answer.task, f"{answer.task} half {answer.half}"):
            _add(tallies.setdefault(group, _Tally()), answer, checks)
        if progress:
            progress(i + 1)
    elapsed = time.perf_counter() - started
    order = sorted(tallies, key=lambda g: (g != "all", not g.startswith("half"), g))
    return GroundingScores(file=file, checker=checker, groups={g: tallies[g].rates() for g in order},
                           ms_per_sentence=round(1000 * elapsed / max(sentences, 1), 2), sentences=sentences)


def _add(t: _Tally, answer: LabelledAnswer, checks: list[ClaimCheck]) -> None:
    flagged = any(not c.support.supported for c in checks if c.claim)
    if answer.unsupported:
        t.tp, t.fn = t.tp + flagged, t.fn + (not flagged)
    else:
        t.fp, t.tn = t.fp + flagged, t.tn + (not flagged)
        claims = [c for c in checks if c.claim]
        t.supported_sentences += len(claims)
        t.rejected_sentences += sum(not c.support.supported for c in claims)
    gold = _covered(answer.spans)
    marked = {i for c in checks if c.claim and not c.support.supported for i in c.unsupported_chars()}
    gold_words, marked_words = _words(answer.response, gold), _words(answer.response, marked)
    t.gold += len(gold_words)
    t.marked += len(marked_words)
    t.marked_gold += len(gold_words & marked_words)


def _covered(spans: Iterable[tuple[int, int]]) -> set[int]:
    return {i for s, e in spans for i in range(s, e)}


def _words(text: str, chars: set[int]) -> set[int]:
    """Start offsets of the words any of whose characters are in `chars`."""
    return {m.start() for m in _WORD.finditer(text) if any(i in chars for i in range(m.start(), m.end()))}


class _Located(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def sentence_labels(answer: LabelledAnswer, sentences: Sequence[_Located]) -> list[bool]:
    """For each sentence (anything with start and end), whether it overlaps a span the
    annotators marked (a sentence of an unsupported answer that touches no marked span counts
    as supported)."""
    gold = _covered(answer.spans)
    return [any(i in gold for i in range(c.start, c.end)) for c in sentences]

