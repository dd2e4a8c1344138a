"""Fit the checker's calibrated verdict (assistant/grounding/verdict.json), reproducibly.

Training data: the claim sentences of half A of a RAGTruth-style labelled file (a sentence is
unsupported when it overlaps a span the annotators marked) and planted cases built from the
libraries with seeds other than the ones the planted figures and tests use. A logistic model
(L2, Newton's method, numpy only: no randomness) is fitted on the checker's signals; the
threshold is the one that gives the best answer-level balanced accuracy on half A with false
alarms at most `max_false_alarms`. Half B is never looked at here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.grounding import GroundingChecker
from assistant.grounding.checker import clean, quoted
from assistant.grounding.claims import is_claim, lead_stripped, parse
from assistant.grounding.verdict import SCATTERED_COVERAGE, WEIGHTS_FILE, Signals, Verdict, Vetoes, feature_names
from evals.grounding import fabrication
from evals.grounding.labelled import LabelledAnswer, sentence_labels

TRAIN_SEEDS = (3, 5)  # planted figures use seed 7, the planted tests seed 11


@dataclass
class Example:
    """One claim's signals with its label and its answer (features are derived when fitting,
    so a change of features needs no new signals)."""

    signals: Signals | None  # None for a quote (always supported)
    unsupported: bool
    answer: int  # index of its answer (-1 for a planted case)
    answer_unsupported: bool
    quoted: bool = False
    kind: str = ""  # a planted case's kind
    text: str = ""

    def features(self, semantic: bool) -> list[float]:
        assert self.signals is not None
        return self.signals.features(semantic)


def collect_answers(checker: GroundingChecker, answers: Sequence[LabelledAnswer],
                    progress: Callable[[int], None] | None = None) -> list[Example]:
    """Every claim sentence of the answers, with its signals and label."""
    out = []
    for i, answer in enumerate(answers):
        drafts = [d for d in parse(answer.response) if is_claim(d.text, answer.question, cited=bool(d.markers))]
        for draft, bad in zip(drafts, sentence_labels(answer, drafts), strict=True):
            out.append(_example(checker, draft.text, list(answer.passages), answer.question, bad, i,
                                answer.unsupported))
        if progress:
            progress(i + 1)
    return out


def collect_planted(checker: GroundingChecker, seeds: Sequence[int] = TRAIN_SEEDS, per_kind: int = 25) -> list[Example]:
    """Planted true and fabricated sentences (one change each), as single-sentence examples."""
    out = []
    for seed in seeds:
        for name, paths in fabrication.library_paths().items():
            for case in fabrication.build_cases(paths, seed=seed, per_kind=per_kind, prefix=name):
                example = _example(checker, case.sentence, case.passages, "", case.fabricated, -1, case.fabricated)
                example.kind = case.kind
                out.append(example)
    return out


def _example(checker: GroundingChecker, sentence: str, passages: list[str], question: str, bad: bool,
             answer: int, answer_bad: bool) -> Example:
    claim = lead_stripped(clean(sentence))
    passages = [p for p in passages if p.strip()]
    if not claim or not passages or quoted(claim, passages):
        return Example(None, bad, answer, answer_bad, quoted=bool(claim and passages))
    signals, _ = checker.signals(claim, passages, question)
    return Example(signals, bad, answer, answer_bad, text=claim)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, weights: np.ndarray | None = None,
                 iterations: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method: (weights, bias) for P(y=1)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    sw = np.ones(n) if weights is None else weights
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (sw * (p - y)) + reg * w
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


@dataclass
class Choice:
    threshold: float
    balanced_accuracy: float
    false_alarms: float
    recall: float
    sentences_rejected: float


def answer_rates(p_supported: np.ndarray, examples: Sequence[Example], threshold: float) -> Choice:
    """Answer-level figures when a claim is rejected below `threshold` (quotes are supported)."""
    flagged: dict[int, bool] = {}
    bad: dict[int, bool] = {}
    rejected = supported_sentences = 0
    for p, e in zip(p_supported, examples, strict=True):
        if e.answer < 0:
            continue
        reject = (not e.quoted) and p < threshold
        flagged[e.answer] = flagged.get(e.answer, False) or reject
        bad[e.answer] = e.answer_unsupported
        if not e.answer_unsupported:
            supported_sentences += 1
            rejected += reject
    pos = [a for a in bad if bad[a]]
    neg = [a for a in bad if not bad[a]]
    recall = sum(flagged[a] for a in pos) / max(len(pos), 1)
    alarms = sum(flagged[a] for a in neg) / max(len(neg), 1)
    return Choice(threshold, (recall + 1 - alarms) / 2, alarms, recall, rejected / max(supported_sentences, 1))


def planted_rates(p_supported: np.ndarray, examples: Sequence[Example], threshold: float) -> tuple[float, float]:
    """(fabrications caught, true sentences flagged) among the planted examples."""
    rows = [(p < threshold and not e.quoted, e.unsupported) for p, e in zip(p_supported, examples, strict=True)
            if e.answer < 0]
    fab = [r for r, bad in rows if bad]
    true = [r for r, bad in rows if not bad]
    return (sum(fab) / len(fab) if fab else 1.0), (sum(true) / len(true) if true else 0.0)


VETO_KINDS = ("missing_number", "swapped_number", "negation", "direction", "swapped_name")
NAME_COVERAGES = (0.6, 0.75, 0.9, 2.0)
LEAST_ANYWHERE = (0.0, 0.4, 0.5, 0.6)
LEAST_SIMILARITY = (0.5, 0.4, 0.0)  # the stricter first: kept when it costs nothing on the data
THRESHOLD_QUANTILES = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4)


def fit(examples: Sequence[Example], semantic: bool, l2: float = 1.0, planted_weight: float = 1.0,
        max_false_alarms: float = 0.15, max_rejected: float = 0.08,
        planted_bar: tuple[float, float] = (0.95, 0.05)) -> tuple[Verdict, Choice]:
    """The model, its vetoes and its threshold for one feature set (quotes left out of the fit).

    Vetoes and threshold are searched together on the same examples; the choice keeps the
    planted bar first (fabrications caught, true sentences flagged), then the false-alarm and
    rejected-sentence limits, then the best answer-level balanced accuracy."""
    rows = [e for e in examples if not e.quoted]
    x = np.array([e.features(semantic) for e in rows])
    y = np.array([0.0 if e.unsupported else 1.0 for e in rows])  # 1 = supported
    sw = np.array([planted_weight if e.answer < 0 else 1.0 for e in rows])
    w, b = fit_logistic(x, y, l2, sw)
    p = _predict(examples, semantic, w, b)
    answered = np.array([q for q, e in zip(p, examples, strict=True) if e.answer >= 0])
    thresholds = sorted({0.0, *(round(float(t), 4) for t in np.quantile(answered, THRESHOLD_QUANTILES[1:]))})
    table = SearchTable(examples)
    best: tuple[tuple[bool, bool, float, float], Vetoes, Choice] | None = None
    for vetoes in veto_grid(semantic):
        q = np.where(table.rejected(vetoes), 0.0, p)
        for t in thresholds:
            c, caught, flagged = table.rates(q, t)
            key = (caught >= planted_bar[0] and flagged <= planted_bar[1],
                   c.false_alarms <= max_false_alarms and c.sentences_rejected <= max_rejected,
                   c.balanced_accuracy, -c.false_alarms)
            if best is None or key > best[0]:
                best = (key, vetoes, c)
    assert best is not None
    _, vetoes, choice = best
    verdict = Verdict(tuple(round(float(v), 5) for v in w), round(b, 5), round(choice.threshold, 4), semantic, vetoes)
    return verdict, choice


class SearchTable:
    """The examples as arrays, so the search over vetoes and thresholds is quick: the same
    figures as `Vetoes.rejects`, `answer_rates` and `planted_rates` (a test holds them equal)."""

    def __init__(self, examples: Sequence[Example]) -> None:
        signals = [e.signals for e in examples]
        self.kinds = np.array([[s is not None and k in {p.kind for p in s.problems} for k in VETO_KINDS]
                               for s in signals], dtype=bool).reshape(len(examples), len(VETO_KINDS))
        self.missing_name = np.array([s is not None and any(p.kind == "missing_name" for p in s.problems)
                                      for s in signals], dtype=bool)
        self.checked = np.array([s is not None for s in signals], dtype=bool)
        self.coverage = np.array([s.coverage if s else 1.0 for s in signals])
        self.anywhere = np.array([s.coverage_anywhere if s else 1.0 for s in signals])
        self.similarity = np.array([s.similarity if s else 1.0 for s in signals])
        self.quoted = np.array([e.quoted for e in examples], dtype=bool)
        self.unsupported = np.array([e.unsupported for e in examples], dtype=bool)
        self.answered = np.array([e.answer >= 0 for e in examples], dtype=bool)
        answers = sorted({e.answer for e in examples if e.answer >= 0})
        index = {a: i for i, a in enumerate(answers)}
        self.answer = np.array([index.get(e.answer, -1) for e in examples])
        bad = np.zeros(len(answers), dtype=bool)
        for e in examples:
            if e.answer >= 0:
                bad[index[e.answer]] = e.answer_unsupported
        self.answer_bad = bad
        self.of_good_answer = self.answered & ~np.array([e.answer_unsupported for e in examples], dtype=bool)

    def rejected(self, vetoes: Vetoes) -> np.ndarray:
        columns = [VETO_KINDS.index(k) for k in vetoes.kinds]
        by_kind = self.kinds[:, columns].any(axis=1) if columns else np.zeros(len(self.checked), dtype=bool)
        return self.checked & (by_kind | (self.missing_name & (self.coverage >= vetoes.name_coverage))
                               | (self.anywhere < vetoes.least_anywhere)
                               | ((self.similarity < vetoes.least_similarity) & (self.coverage < SCATTERED_COVERAGE)))

    def rates(self, p_supported: np.ndarray, threshold: float) -> tuple[Choice, float, float]:
        """answer_rates and planted_rates at once."""
        reject = ~self.quoted & (p_supported < threshold)
        mine = self.answered
        flagged = np.zeros(len(self.answer_bad), dtype=bool)
        np.logical_or.at(flagged, self.answer[mine], reject[mine])
        pos, neg = self.answer_bad, ~self.answer_bad
        recall = int(flagged[pos].sum()) / max(int(pos.sum()), 1)
        alarms = int(flagged[neg].sum()) / max(int(neg.sum()), 1)
        good = self.of_good_answer
        choice = Choice(threshold, (recall + 1 - alarms) / 2, alarms, recall,
                        int(reject[good].sum()) / max(int(good.sum()), 1))
        fab, true = ~mine & self.unsupported, ~mine & ~self.unsupported
        caught = int(reject[fab].sum()) / int(fab.sum()) if fab.any() else 1.0
        flagged_true = int(reject[true].sum()) / int(true.sum()) if true.any() else 0.0
        return choice, caught, flagged_true


def veto_grid(semantic: bool) -> list[Vetoes]:
    kinds = [tuple(k for i, k in enumerate(VETO_KINDS) if mask >> i & 1) for mask in range(2 ** len(VETO_KINDS))]
    floors = LEAST_SIMILARITY if semantic else (0.0,)
    return [Vetoes(k, n, a, s) for k in kinds for n in NAME_COVERAGES for a in LEAST_ANYWHERE for s in floors]


def _predict(examples: Sequence[Example], semantic: bool, w: np.ndarray, b: float) -> np.ndarray:
    out = []
    for e in examples:
        if e.quoted:
            out.append(1.0)
            continue
        z = b + float(np.dot(w, e.features(semantic)))
        out.append(1 / (1 + np.exp(-np.clip(z, -30, 30))))
    return np.array(out)


def write_weights(semantic: Verdict, lexical: Verdict, note: str, path: Path = WEIGHTS_FILE) -> Path:
    """verdict.json with both models."""
    assert feature_names(True) == semantic.to_json()["features"]
    path.write_text(json.dumps({"semantic": semantic.to_json(), "lexical": lexical.to_json(), "note": note},
                               indent=1) + "\n", encoding="utf-8")
    return path
