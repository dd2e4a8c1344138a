"""Which documents a question names: "according to the Medium Term Planning Framework", "the SHA
blog", "NHS England's September 2025 planning framework", "what does McShane say".

Officers name their source as often as their topic. A document is named by the words that
describe it, not by its text: its title, publisher, authors, its file name and
its publication month and year. Two consecutive words of the question that are two consecutive
words of a description name it; so do an author's surname and an acronym (SHA, BMC) that only
one document's description carries, and a quoted phrase of its title.

A document named outright is the question's *source* (answered from it alone) only when the
question points at a document ("according to", "the … plan") or names it by an acronym, a quote
or an author: "Who leads the Commission on Whole Person Care?" uses a title's words as a topic.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.common.text import STOPWORDS
from assistant.index.search_text import keyword_tokens
from assistant.models import DocumentMeta

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
_QUOTED = re.compile(r"[‘'\"“]([^’'\"”]{4,})[’'\"”]")
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,5}\b")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z'’-]+\b")
_TITLE_RUN = re.compile(r"\b(?:\d+ )?(?:[A-Z][\w'’&-]* ){2,}[A-Z][\w'’&-]*")
_SEGMENT = re.compile(r"[^:–—(),;]+")
_MINOR = {"and", "of", "the", "for", "in", "on", "to", "a", "an", "&"}
NAMED_OUTRIGHT = 1.0  # the score of a document the question clearly names ("the SHA blog", "the MTPF")


def initials(name: str) -> set[str]:
    """Acronyms a title or a body is known by: the initials of each run of three or more
    capitalised words ("Medium Term Planning Framework": MTPF; "NHS Oversight Framework": NOF) and
    of each short part of it ("Standard operating procedures: Individual funding requests": SOP,
    IFR; "Health Education England": HEE), with a leading figure kept ("10 Year Health Plan":
    10YHP, and YHP)."""
    runs = _TITLE_RUN.findall(name) + [part.strip() for part in _SEGMENT.findall(name)]
    found = set()
    for run in runs:
        parts = [w for w in run.split() if w.lower() not in _MINOR]
        letters = "".join(w[0] for w in parts if w[0].isalpha()).upper()
        if 2 <= len(parts) <= 6 and len(letters) >= 3:
            found.add(letters)
            if parts[0].isdigit():
                found.add(parts[0] + letters)
    return found


def description(meta: DocumentMeta) -> str:
    """The words that describe a document (not its text)."""
    stem = re.sub(r"(\d{4})[_-](\d{2})\b", r"\1/\2", Path(meta.source).stem) if meta.source else ""
    month = ""
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", meta.date):
        month = f"{_MONTHS[int(meta.date[5:7]) - 1]} {meta.date[:4]}"
    parts = [meta.title, meta.publisher, *meta.authors, re.sub(r"[_-]+", " ", stem), month]
    return " \n ".join(p for p in parts if p)


# Words that make the question point at a document as its source ("according to", "the 10 Year
# Health Plan", "the planning framework"): without one, words of a title may just be the topic
# ("Who leads the Commission on Whole Person Care?" names no document).
_REFERS_TO_DOCUMENT = re.compile(
    r"\baccording to\b|\b(?:plans?|frameworks?|guidance|guidelines?|reviews?|reports?|papers?|manuals?|strateg(?:y|ies)|"
    r"blogs?|articles?|posts?|surveys?|updates?|summar(?:y|ies)|polic(?:y|ies)|procedures?|standards?|charters?|"
    r"toolkits?|handbooks?|documents?|publications?|white paper|green paper|bills?|acts?)\b", re.I)


@dataclass(frozen=True)
class Naming:
    """How clearly a question names each document (0 to 1), and which it cites as its source:
    named outright, by an acronym, a quoted phrase or an author, or with words that point at a
    document."""

    scores: dict[str, float]
    sources: frozenset[str]

    @property
    def outright(self) -> list[str]:
        """The documents named outright, however they are named."""
        return [d for d, v in self.scores.items() if v >= NAMED_OUTRIGHT]


def read_naming(question: str, metas: dict[str, DocumentMeta]) -> Naming:
    """The documents a question names, and those it asks about as its source."""
    scores, strong = _scores(question, metas)
    refers = bool(_REFERS_TO_DOCUMENT.search(question))
    sources = frozenset(d for d, v in scores.items() if v >= NAMED_OUTRIGHT and (refers or d in strong))
    return Naming(scores, sources)


def _scores(question: str, metas: dict[str, DocumentMeta]) -> tuple[dict[str, float], set[str]]:
    """How clearly the question names each document, 0 to 1 (every document 0 when none is named),
    and the documents named by an acronym, a quoted phrase or an author."""
    q_tokens = keyword_tokens(question)
    q_pairs = set(itertools.pairwise(q_tokens))
    quoted = [p.lower() for p in _QUOTED.findall(question)]
    capitalised = set(_CAPITALISED.findall(question))
    acronyms = {doc_id: set(_ACRONYM.findall(description(meta))) | initials(meta.title) | initials(meta.publisher)
                for doc_id, meta in metas.items()}
    acronym_docs = Counter(a for found in acronyms.values() for a in found)
    names = {doc_id: _name_words(meta) for doc_id, meta in metas.items()}
    name_docs = Counter(w for found in names.values() for w in found)
    proper = _proper_words(question)
    points: dict[str, float] = {}
    strong: set[str] = set()
    for doc_id, meta in metas.items():
        score = float(len(q_pairs & _description_pairs(description(meta))))
        by_source = [
            any(phrase in meta.title.lower() for phrase in quoted),
            any(a.split()[-1] in capitalised for a in meta.authors if a.split()),
            any(acronym_docs[a] == 1 and re.search(rf"(?<![\w&]){re.escape(a)}(?![\w&])", question)
                for a in acronyms[doc_id]),
        ]
        score += 2 * sum(by_source)
        if any(by_source):
            strong.add(doc_id)
        if any(name_docs[w] == 1 for w in proper & names[doc_id]):
            score += 2
        points[doc_id] = score
    best = max(points.values(), default=0.0)
    if best < 1:
        return dict.fromkeys(metas, 0.0), set()
    # Two points name a document outright, whatever else is named ("the SHA blog and the 'making it a
    # reality' article"); one point named far less clearly than another is half named.
    scores = {doc_id: 1.0 if score >= 2 else score / 2 * min(1.0, 2 * score / best) for doc_id, score in points.items()}
    return scores, strong


@lru_cache(maxsize=4096)
def _description_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Consecutive keyword terms of a description, line by line (cached: descriptions rarely change)."""
    return frozenset(pair for line in text.split("\n") for pair in itertools.pairwise(keyword_tokens(line)))


def _name_words(meta: DocumentMeta) -> set[str]:
    """The words of a document's title, publisher and authors, lower-cased."""
    return {w.lower() for w in _WORD.findall(" ".join([meta.title, meta.publisher, *meta.authors]))}


def _proper_words(question: str) -> set[str]:
    """Words the question capitalises where a sentence does not begin ("the AnalystX survey",
    "Skills England's"), lower-cased, possessives dropped: a name only one document carries names it."""
    found = set()
    for sentence in re.split(r"(?<=[.?!])\s+", question):
        for m in _CAPITALISED.finditer(sentence):
            if m.start() > 0:
                found.add(re.sub(r"['’]s$", "", m.group()).lower())
    return found - STOPWORDS
