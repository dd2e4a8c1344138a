"""Gold question sets: one JSON object a line, plus an optional sidecar naming the corpus.

A dataset is only meaningful against the library it was written for, so a dataset can say which
library that is: `<name>.corpus.json` beside `<name>.jsonl`, e.g. `dev.corpus.json`:

    {"description": "The five bundled documents", "paths": ["../../knowledge"]}

Relative paths are resolved against the sidecar's folder. `--corpus` on the command line wins
over the sidecar; with neither, the bundled library (Settings().knowledge_dir) is used.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from assistant.config import BUNDLED_KNOWLEDGE

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

    @property
    def answerable(self) -> bool:
        """Unanswerable questions are the positives of the refusal metrics."""
        return self.type != UNANSWERABLE


class CorpusSpec(BaseModel):
    """The sidecar `<name>.corpus.json`: which files or folders the dataset was written against."""

    description: str = ""
    paths: list[Path]


class Dataset(BaseModel):
    """A named list of questions and the corpus they are about."""

    name: str
    path: Path
    questions: list[Question]
    corpus: list[Path]
    corpus_description: str = ""

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


def load_dataset(path: Path, corpus: list[Path] | None = None) -> Dataset:
    """Read a JSONL dataset; `corpus` (from the command line) overrides the sidecar."""
    questions = [_parse_line(path, number, line) for number, line in _lines(path)]
    ids = [q.id for q in questions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DatasetError(f"{path}: duplicate question ids {', '.join(duplicates)}")
    spec = read_corpus_spec(path)
    paths = corpus or (spec.paths if spec else [BUNDLED_KNOWLEDGE])
    described = "given on the command line" if corpus else (spec.description if spec else "bundled library")
    return Dataset(name=path.stem, path=path, questions=questions, corpus=paths, corpus_description=described)


def sidecar_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.corpus.json")


def read_corpus_spec(path: Path) -> CorpusSpec | None:
    """The dataset's sidecar, with paths made absolute; None when there is none."""
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return None
    try:
        spec = CorpusSpec.model_validate_json(sidecar.read_text(encoding="utf-8"))
    except ValidationError as err:
        raise DatasetError(f"{sidecar}: {err}") from err
    spec.paths = [p if p.is_absolute() else (sidecar.parent / p).resolve() for p in spec.paths]
    return spec


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
