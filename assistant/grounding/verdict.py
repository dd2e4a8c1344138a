"""The calibrated verdict: the checker's signals combined into one probability of support.

A logistic model over a handful of signals (coverage, similarity, unknown words, and each sort
of disagreement), fitted on labelled answers by `python -m evals grounding-train`, which also
chooses the threshold on the same data. The weights are a few numbers in verdict.json beside
this module: they load with no network, and a check costs a dot product. Two models ship: one
with the MiniLM similarity signal and a lexical one for a checker without an embedder.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.grounding.agreement import Disagreement, Kind

WEIGHTS_FILE = Path(__file__).with_name("verdict.json")
PROBLEM_KINDS: tuple[Kind, ...] = ("missing_number", "missing_name", "swapped_number", "swapped_name", "unit",
                                   "opening", "negation", "negated_clause", "direction", "comparison")
SCATTERED_COVERAGE = 0.5  # below this share of its words in the aligned sentences, a claim restates none of them


@dataclass(frozen=True)
class Signals:
    """What the checker measured of one claim against its passages."""

    coverage: float  # share of its content words in the aligned sentences (or the question)
    coverage_anywhere: float  # share found anywhere in the passages (or the question)
    unknown_words: int  # content words no passage (nor the question) has
    similarity: float  # best MiniLM cosine with the aligned text (0 without an embedder)
    words: int
    facts: int
    problems: list[Disagreement] = field(default_factory=list)
    where: str = "the cited passages"
    missing: frozenset[str] = frozenset()  # stems the aligned sentences lack

    def features(self, semantic: bool) -> list[float]:
        """The model's inputs, in FEATURES order."""
        kinds = {p.kind for p in self.problems}
        disagrees = float(bool(kinds))
        row = [self.coverage, self.coverage_anywhere, min(self.unknown_words, 6) / 6, min(len(self.missing), 6) / 6,
               math.log1p(self.words) / 3, min(self.facts, 4) / 4, *(float(k in kinds) for k in PROBLEM_KINDS),
               min(len(self.problems), 3) / 3, disagrees * self.coverage,
               max(0.0, 0.5 - self.coverage), max(0.0, 0.5 - self.coverage_anywhere), max(0.0, 0.8 - self.coverage)]
        if semantic:
            row += [self.similarity, self.similarity * self.coverage, disagrees * self.similarity,
                    max(0.0, 0.5 - self.similarity), max(0.0, 0.7 - self.similarity)]
        return row


def feature_names(semantic: bool) -> list[str]:
    names = ["coverage", "coverage_anywhere", "unknown_words", "missing_words", "log_words", "facts", *PROBLEM_KINDS,
             "disagreements", "disagreement_x_coverage", "coverage_below_half", "coverage_anywhere_below_half",
             "coverage_below_0.8"]
    semantic_names = ["similarity", "similarity_x_coverage", "disagreement_x_similarity", "similarity_below_0.5",
                      "similarity_below_0.7"]
    return [*names, *semantic_names] if semantic else names


@dataclass(frozen=True)
class Vetoes:
    """What rejects a claim whatever the model says, each chosen on labelled data: these sorts of
    disagreement; a name missing from the passages in a sentence that otherwise restates them
    (coverage at least `name_coverage`); too few of its words anywhere in the passages; and a
    meaning far from every passage text (similarity below `least_similarity`) in a sentence that
    does not restate the aligned sentences' words either (its words gathered from all over)."""

    kinds: tuple[str, ...] = ()
    name_coverage: float = 2.0  # above 1: never
    least_anywhere: float = 0.0
    least_similarity: float = 0.0  # 0: never (always 0 for the lexical model: it has no similarity)

    def rejects(self, signals: Signals) -> bool:
        kinds = {p.kind for p in signals.problems}
        return (bool(kinds & set(self.kinds)) or ("missing_name" in kinds and signals.coverage >= self.name_coverage)
                or signals.coverage_anywhere < self.least_anywhere
                or (signals.similarity < self.least_similarity and signals.coverage < SCATTERED_COVERAGE))


@dataclass(frozen=True)
class Verdict:
    """A fitted logistic model, P(supported) = sigmoid(bias + weights . features), with the
    vetoes and the threshold chosen with it."""

    weights: tuple[float, ...]
    bias: float
    threshold: float  # supported when P(supported) >= threshold
    semantic: bool
    vetoes: Vetoes = Vetoes()

    def model_probability(self, signals: Signals) -> float:
        x = signals.features(self.semantic)
        z = self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def supported_probability(self, signals: Signals) -> float:
        """The model's probability, or 0 when a veto rejects the claim."""
        return 0.0 if self.vetoes.rejects(signals) else self.model_probability(signals)

    def to_json(self) -> dict[str, object]:
        return {"features": feature_names(self.semantic), "weights": list(self.weights), "bias": self.bias,
                "threshold": self.threshold, "vetoes": {"kinds": list(self.vetoes.kinds),
                                                        "name_coverage": self.vetoes.name_coverage,
                                                        "least_anywhere": self.vetoes.least_anywhere,
                                                        "least_similarity": self.vetoes.least_similarity}}


class VerdictFileError(RuntimeError):
    """verdict.json is missing or does not fit this version's signals."""


@lru_cache(maxsize=2)
def load_verdict(semantic: bool, path: Path = WEIGHTS_FILE) -> Verdict:
    """The shipped model (semantic: with the similarity signal)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["semantic" if semantic else "lexical"]
    except (OSError, KeyError, json.JSONDecodeError) as problem:
        raise VerdictFileError(f"{path}: no {'semantic' if semantic else 'lexical'} verdict model "
                               f"(rebuild it with `python -m evals grounding-train`): {problem}") from problem
    if data["features"] != feature_names(semantic):
        raise VerdictFileError(f"{path}: fitted on other signals {data['features']}; rebuild it with "
                               "`python -m evals grounding-train`")
    vetoes = data.get("vetoes", {})
    return Verdict(tuple(data["weights"]), float(data["bias"]), float(data["threshold"]), semantic,
                   Vetoes(tuple(vetoes.get("kinds", ())), float(vetoes.get("name_coverage", 2.0)),
                          float(vetoes.get("least_anywhere", 0.0)), float(vetoes.get("least_similarity", 0.0))))
