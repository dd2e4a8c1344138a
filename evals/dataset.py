"""Gold question sets: one JSON object a line, plus an optional sidecar naming the corpus.

A dataset is only meaningful against the library it was written for, so a dataset can say which
library that is: `<name>.corpus.json` beside `<name>.jsonl`, e.g. `dev.corpus.json`:

    {"description": "The five bundled documents", "paths": ["../../knowledge"]}

Relative paths are resolved against the sidecar's folder. `--corpus` on the command line wins
over the sidecar; with neither, the bundled library (Settings().knowledge_dir) is used.

A *named set* (`--set NAME`) is a sidecar in evals/datasets/, `NAME.corpus.json`; its questions
are `NAME.jsonl` beside it, or the file its `questions` field names. The shared sets are read
that way from ../shared at run time and never copied into the repository.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.config import BUNDLED_KNOWLEDGE, PROJECT_ROOT
from evals.splits import check_half, half_ids

SETS_DIR = Path(__file__).resolve().with_name("datasets")
SHARED_DIR = PROJECT_ROOT.parent / "shared"
UNANSWERABLE = "unanswerable"
KNOWN_TYPES = ("factual", "history", "recommendation", "comparison", "opinion", UNANSWERABLE)


class DatasetError(ValueError):
    """A dataset file that cannot be read, with the line at fault."""


class Question(BaseModel):
    """One gold question: what to ask, what a correct answer contains, and where it is written."""

    id: str
    question: str
    answer: str = ""
    doc: list[str] = Field(default_factory=list, description="File names of the supporting documents.")
    evidence: list[str] = Field(default_factory=list, description="Verbatim quotes that support the answer.")
    key_facts: list[str] = Field(default_factory=list, description="Strings a correct answer must contain.")
    type: str = Field(description=f"One of {', '.join(KNOWN_TYPES)} (others are allowed).")
    page: list[int] = Field(
        default_factory=list, description="1-based PDF page of each evidence string (parallel to doc and evidence)."
    )

    @model_validator(mode="after")
    def _pages_parallel(self) -> Question:
        if self.page and not len(self.page) == len(self.doc) == len(self.evidence):
            raise ValueError(f"doc, page and evidence must be parallel lists "
                             f"({len(self.doc)}/{len(self.page)}/{len(self.evidence)} entries)")
        return self

    @property
    def answerable(self) -> bool:
        """Unanswerable questions are the positives of the refusal metrics."""
        return self.type != UNANSWERABLE

    @property
    def gold_pages(self) -> dict[str, set[int]]:
        """Document file name -> the pages its evidence is on (empty when the set gives no pages)."""
        pages: dict[str, set[int]] = {}
        for doc, page in zip(self.doc, self.page, strict=False):
            pages.setdefault(doc, set()).add(page)
        return pages


class CorpusSpec(BaseModel):
    """The sidecar `<name>.corpus.json`: which files or folders the dataset was written against."""

    description: str = ""
    questions: Path | None = Field(None, description="The question file, when not <name>.jsonl beside the sidecar.")
    paths: list[Path]


class Dataset(BaseModel):
    """A named list of questions and the corpus they are about."""

    name: str
    path: Path
    questions: list[Question]
    corpus: list[Path]
    corpus_description: str = ""
    split: str = Field("", description="The half of the set these questions are (A or B); empty: all of it.")
    set_size: int = Field(0, description="Questions in the whole set, before --split and --limit.")

    @model_validator(mode="after")
    def _whole_set_size(self) -> Dataset:
        self.set_size = self.set_size or len(self.questions)
        return self

    @property
    def types(self) -> dict[str, int]:
        """Question count by type, in a stable order (known types first)."""
        counts = Counter(q.type for q in self.questions)
        order = [t for t in KNOWN_TYPES if t in counts] + sorted(set(counts) - set(KNOWN_TYPES))
        return {t: counts[t] for t in order}

    def subset(self, ids: list[str]) -> Dataset:
        """The same dataset restricted to some questions (for quick runs and tests)."""
        wanted = set(ids)
        return self.model_copy(update={"questions": [q for q in self.questions if q.id in wanted]})

    def half(self, half: str) -> Dataset:
        """Half A or B of the whole set (see evals.splits.assign_halves)."""
        if self.split or len(self.questions) != self.set_size:
            raise DatasetError(f"{self.name}: only a whole set can be split")
        ids = half_ids([(q.id, q.type) for q in self.questions], half)
        return self.subset(ids).model_copy(update={"split": check_half(half)})


def load_dataset(path: Path, corpus: list[Path] | None = None, *, name: str = "") -> Dataset:
    """Read a JSONL dataset; `corpus` (from the command line) overrides the sidecar, which is the
    one beside the file or, for a named set's question file, the named set's."""
    questions = [_parse_line(path, number, line) for number, line in _lines(path)]
    ids = [q.id for q in questions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DatasetError(f"{path}: duplicate question ids {', '.join(duplicates)}")
    spec = read_corpus_spec(sidecar_path(path)) or _set_reading(path)
    paths = corpus or (spec.paths if spec else [BUNDLED_KNOWLEDGE])
    described = "given on the command line" if corpus else (spec.description if spec else "bundled library")
    return Dataset(name=name or path.stem, path=path, questions=questions, corpus=paths,
                   corpus_description=described)


def load_named_set(name: str, corpus: list[Path] | None = None) -> Dataset:
    """A named set of evals/datasets/, or a DatasetError saying which sets there are or what is missing."""
    sidecar = SETS_DIR / f"{name}.corpus.json"
    spec = read_corpus_spec(sidecar)
    if spec is None:
        raise DatasetError(f"no set named {name!r}; the sets are {', '.join(named_sets())} "
                           f"({SETS_DIR.relative_to(PROJECT_ROOT)}/NAME.corpus.json)")
    questions = spec.questions or SETS_DIR / f"{name}.jsonl"
    missing = [p for p in [questions, *([] if corpus else spec.paths)] if not p.exists()]
    if missing:
        raise DatasetError(f"set {name}: {', '.join(str(p) for p in missing)} not found" + _shared_hint(missing))
    return load_dataset(questions, corpus, name=name)


def named_sets() -> list[str]:
    """The names `--set` accepts."""
    return sorted(p.name.removesuffix(".corpus.json") for p in SETS_DIR.glob("*.corpus.json"))


def sidecar_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.corpus.json")


def read_corpus_spec(sidecar: Path) -> CorpusSpec | None:
    """A sidecar, with its paths made absolute; None when there is none."""
    if not sidecar.is_file():
        return None
    try:
        spec = CorpusSpec.model_validate_json(sidecar.read_text(encoding="utf-8"))
    except ValidationError as err:
        raise DatasetError(f"{sidecar}: {err}") from err
    spec.paths = [_beside(sidecar, p) for p in spec.paths]
    spec.questions = _beside(sidecar, spec.questions) if spec.questions else None
    return spec


def _beside(sidecar: Path, path: Path) -> Path:
    return path if path.is_absolute() else (sidecar.parent / path).resolve()


def _set_reading(path: Path) -> CorpusSpec | None:
    """The named set whose questions live in `path` (e.g. ../shared/evals/dev_nhs.jsonl), if any."""
    for name in named_sets():
        spec = read_corpus_spec(SETS_DIR / f"{name}.corpus.json")
        if spec and spec.questions and spec.questions == path.resolve():
            return spec
    return None


def _shared_hint(missing: list[Path]) -> str:
    if any(p.is_relative_to(SHARED_DIR.resolve()) for p in missing) and not SHARED_DIR.is_dir():
        return (f" (it is read at run time from {SHARED_DIR}, the shared data folder beside the checkout, "
                f"which is missing on this machine)")
    return ""


def _lines(path: Path) -> list[tuple[int, str]]:
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    text = path.read_text(encoding="utf-8")
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _parse_line(path: Path, number: int, line: str) -> Question:
    try:
        return Question.model_validate(json.loads(line))
    except (json.JSONDecodeError, ValidationError) as err:
        raise DatasetError(f"{path}:{number}: {err}") from err
