"""Results as pydantic models: per-question scores are stored, every aggregate is a property.

A report is these models rendered (report.py) or dumped (report.json, where the computed
fields appear too); `compare` reads report.json back into them and recomputes the aggregates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from pydantic import BaseModel, Field, computed_field

from evals.metrics import METRICS, RECALL_KS, definitions, percentile, refusal_scores
from evals.splits import HALVES, SplitError, assign_halves, check_half


class QuestionResult(BaseModel):
    """One system's answer to one question, scored."""

    id: str
    type: str
    question: str
    answerable: bool
    refused: bool
    answer: str = Field(description="answer_markdown as the system gave it.")
    recall: dict[int, float] = Field(default_factory=dict, description="k -> recall@k (answerable only).")
    first_hit_rank: int | None = None
    reciprocal_rank: float | None = None
    key_fact_coverage: float | None = None
    missing_facts: list[str] = Field(default_factory=list)
    citation_valid: bool | None = Field(default=None, description="None for refusals.")
    citation_problems: list[str] = Field(default_factory=list)
    evidence_cited: float | None = None
    cited_page_match: float | None = Field(default=None, description="None unless gold and citations have pages.")
    cited_pages: list[str] = Field(default_factory=list, description="'file p.3-4' per citation that has pages.")
    whole_quotes: float | None = Field(default=None, description="Share of quotes that are no line fragment.")
    citation_recall: float | None = None
    citation_precision: float | None = None
    faithfulness: float | None = None
    raw_faithfulness: float | None = Field(default=None, description="llm mode: before the guard.")
    unsupported: list[str] = Field(default_factory=list, description="Sentences the checker did not support.")
    latency_ms: float

    @property
    def refusal_correct(self) -> bool:
        return self.refused != self.answerable


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


class Figures(BaseModel):
    """The aggregate figures over some question results (a whole run, or one question type)."""

    results: list[QuestionResult] = Field(exclude=True)

    def _answered(self, value: Callable[[QuestionResult], float | None]) -> float | None:
        return _mean(value(r) for r in self.results if not r.refused)

    def _answerable(self, value: Callable[[QuestionResult], float | None]) -> float | None:
        return _mean(value(r) for r in self.results if r.answerable)

    def _recall(self, k: int) -> float | None:
        return self._answerable(lambda r: r.recall.get(k))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def questions(self) -> int:
        return len(self.results)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall_at_1(self) -> float | None:
        return self._recall(1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall_at_3(self) -> float | None:
        return self._recall(3)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall_at_5(self) -> float | None:
        return self._recall(5)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall_at_10(self) -> float | None:
        return self._recall(10)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mrr(self) -> float | None:
        return self._answerable(lambda r: r.reciprocal_rank)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def key_fact_coverage(self) -> float | None:
        return self._answerable(lambda r: r.key_fact_coverage)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def refusal_precision(self) -> float | None:
        return refusal_scores([(not r.answerable, r.refused) for r in self.results]).precision

    @computed_field  # type: ignore[prop-decorator]
    @property
    def refusal_recall(self) -> float | None:
        return refusal_scores([(not r.answerable, r.refused) for r in self.results]).recall

    @computed_field  # type: ignore[prop-decorator]
    @property
    def refusal_f1(self) -> float | None:
        return refusal_scores([(not r.answerable, r.refused) for r in self.results]).f1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def refused_share(self) -> float | None:
        """Share of questions refused: for an answerable type, its false-refusal rate."""
        return _mean(float(r.refused) for r in self.results)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def citation_validity(self) -> float | None:
        return self._answered(lambda r: None if r.citation_valid is None else float(r.citation_valid))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def evidence_cited(self) -> float | None:
        return self._answered(lambda r: r.evidence_cited)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cited_page_match(self) -> float | None:
        return self._answered(lambda r: r.cited_page_match)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def whole_quotes(self) -> float | None:
        return self._answered(lambda r: r.whole_quotes)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def citation_recall(self) -> float | None:
        return self._answered(lambda r: r.citation_recall)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def citation_precision(self) -> float | None:
        return self._answered(lambda r: r.citation_precision)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def faithfulness(self) -> float | None:
        return self._answered(lambda r: r.faithfulness)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def raw_faithfulness(self) -> float | None:
        return _mean(r.raw_faithfulness for r in self.results)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def latency_p50_ms(self) -> float | None:
        return percentile([r.latency_ms for r in self.results], 50)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def latency_p95_ms(self) -> float | None:
        return percentile([r.latency_ms for r in self.results], 95)

    def value(self, key: str) -> float | None:
        """A figure by its metric key (see evals.metrics.METRICS)."""
        value: float | None = getattr(self, key)
        return value


class SystemResult(BaseModel):
    """Every question's result for one system (ours, or a baseline)."""

    name: str = Field(description="Short key: assistant, bm25, llamaindex.")
    label: str
    notes: str = ""
    setup_seconds: float = 0.0
    questions: list[QuestionResult]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def overall(self) -> Figures:
        return Figures(results=self.questions)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def by_type(self) -> dict[str, Figures]:
        types = list(dict.fromkeys(r.type for r in self.questions))
        return {t: Figures(results=[r for r in self.questions if r.type == t]) for t in types}

    def question(self, qid: str) -> QuestionResult | None:
        return next((q for q in self.questions if q.id == qid), None)

    def restricted(self, ids: set[str]) -> SystemResult:
        """The same system on some of its questions only."""
        return self.model_copy(update={"questions": [q for q in self.questions if q.id in ids]})


class PlantedKind(BaseModel):
    """One kind of planted case: how many the checker flagged as unsupported."""

    kind: str
    fabricated: bool
    total: int
    flagged: int

    @property
    def rate(self) -> float:
        return self.flagged / self.total if self.total else 0.0


class PlantedFabrication(BaseModel):
    """evals.grounding.fabrication's figures (planted fabrications vs the grounding checker), when available."""

    available: bool
    note: str = ""
    cases: int = 0
    detection_rate: float | None = None
    false_alarm_rate: float | None = None
    meets_bar: bool | None = None
    ms_per_sentence: float | None = None
    by_kind: list[PlantedKind] = Field(default_factory=list)


class Rates(BaseModel):
    """Answer-level figures for one group of answers."""

    answers: int
    unsupported: int
    balanced_accuracy: float | None
    recall: float | None = Field(description="Unsupported answers flagged.")
    false_alarms: float | None = Field(description="Supported answers flagged.")
    sentences_rejected: float | None = Field(description="Claim sentences of supported answers rejected.")
    span_precision: float | None = Field(default=None, description="Words marked unsupported that annotators marked.")
    span_recall: float | None = Field(default=None, description="Annotated words the checker marked.")
    span_f1: float | None = None


class GroundingScores(BaseModel):
    """A labelled file scored by `python -m evals grounding`: overall, by half and by task, with the
    time a sentence took."""

    file: str
    checker: str
    groups: dict[str, Rates] = Field(default_factory=dict)
    ms_per_sentence: float = 0.0
    sentences: int = 0
    note: str = ""


class RunReport(BaseModel):
    """Everything one `python -m evals run` measured: the model report.md/html/json render."""

    dataset: str
    dataset_path: str
    corpus: list[str]
    corpus_description: str = ""
    split: str = Field("", description="The half of the set run (A or B); empty: the whole set.")
    set_size: int = Field(0, description="Questions in the whole set (0 in reports made before it was recorded).")
    documents: int = 0
    chunks: int = 0
    mode: str = "extractive"
    retrieval: str = "hybrid"
    created: datetime = Field(default_factory=datetime.now)
    commit: str = ""
    grounding: str = Field(default="", description="Whether the grounding checker was available.")
    evidence_strings: int = Field(0, description="Gold evidence strings in the questions run.")
    evidence_not_in_corpus: list[str] = Field(default_factory=list)
    planted: PlantedFabrication = Field(default_factory=lambda: PlantedFabrication(available=False))
    labelled_grounding: list[GroundingScores] = Field(
        default_factory=list, description="The checker scored on labelled answers (python -m evals grounding).")
    systems: list[SystemResult]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def definitions(self) -> dict[str, str]:
        return definitions()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def evidence_in_corpus(self) -> float | None:
        """The share of gold evidence strings found (matched as for recall) in the text of some
        document of the corpus: below 1, the set and the library (or its reading) disagree."""
        if not self.evidence_strings:
            return None
        return 1 - len(self.evidence_not_in_corpus) / self.evidence_strings

    @computed_field  # type: ignore[prop-decorator]
    @property
    def by_half(self) -> dict[str, dict[str, Figures]]:
        """Half -> system -> figures, for a report of a whole set (empty for a half or a --limit run)."""
        if not self.complete:
            return {}
        return {h: {s.name: s.overall for s in self.half(h).systems} for h in HALVES}

    @property
    def complete(self) -> bool:
        """Whether the report covers the whole set (a report without set_size is taken to)."""
        return not self.split and (not self.set_size or len(self.primary.questions) == self.set_size)

    @property
    def described(self) -> str:
        """The set and, for a half, which: 'dev_nhs', 'dev_nhs half A'."""
        return f"{self.dataset} half {self.split}" if self.split else self.dataset

    def half(self, half: str) -> RunReport:
        """Half A or B of this report's set (itself when it is that half already)."""
        wanted = check_half(half)
        if self.split == wanted:
            return self
        if self.split:
            raise SplitError(f"the report is of {self.described}, not half {wanted}")
        if not self.complete:
            raise SplitError(f"the report has {len(self.primary.questions)} of the set's {self.set_size} "
                             f"questions (--limit): only a report of the whole set can be split")
        halves = assign_halves((q.id, q.type) for q in self.primary.questions)
        ids = {qid for qid, h in halves.items() if h == wanted}
        return self.model_copy(update={"split": wanted, "systems": [s.restricted(ids) for s in self.systems]})

    @property
    def primary(self) -> SystemResult:
        """The system under test (the others are baselines)."""
        return self.systems[0]

    def system(self, name: str) -> SystemResult | None:
        return next((s for s in self.systems if s.name == name), None)

    @property
    def recall_ks(self) -> tuple[int, ...]:
        return RECALL_KS

    @property
    def metric_keys(self) -> list[str]:
        return [m.key for m in METRICS]
