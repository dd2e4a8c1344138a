"""Does the library answer this question? Checks that hold for any library, not tuned phrases.

Similarity alone cannot tell "the documents discuss this topic" from "the documents answer this
question": a near-miss question scores as high as a real one. So besides a floor on the best
unit's score, an answer must
- name every proper noun the question names (a question about the Conservative manifesto is not
  answered by passages that never mention the Conservatives);
- hold what the question asks for (answer/question.py): a date for "when", a number for "how
  many", a share for "what proportion", a body for "who", and so on, in a unit about as relevant
  as the best;
- be about what the question is about: the unit holding the asked-for thing must share enough of
  the question's subject words, else it is a figure or a date about something else;
- come from the document the question asks about as its source, when it asks about one
  ("according to the Plan"; retrieve/naming.py decides);
- not merely describe what the question excludes ("apart from X, what else...");
- not be an ongoing process when the question asks how something eventually turned out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from assistant.answer.question import SOFT_KINDS, Question
from assistant.answer.scoring import Candidate
from assistant.common.text import STOPWORDS, words
from assistant.models import DocumentMeta
from assistant.retrieve import ScoredChunk

_EXCLUDING = re.compile(r"\b(?:apart from|other than|except(?: for)?|besides|aside from)\s+(.+?)(?:,|$)", re.I)
_OUTCOME = re.compile(r"\b(eventually|ultimately|in the end|ended up|went on to|finally)\b", re.I)
_ONGOING = re.compile(r"\b(currently|is|are) (\w+ing)\b|\b(will|plans to|due to|is set to)\b", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z]+(?:['’]s)?")
_GENERIC_CAPS = {"I", "The", "A", "An", "What", "Which", "Who", "When", "How", "Why", "Where", "In", "On", "Our", "We",
                 "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
_WHAT = {"share": "a share", "duration": "a length of time", "frequency": "how often", "date": "a date",
         "money": "a sum of money", "number": "a number", "who": "a body or person", "definition": "a definition",
         "reason": "a reason", "recommendation": "what should be done"}

CLOSE = 0.75  # a unit holding the asked-for thing may lead if it scores this close to the best
# The unit holding it must also be about what is asked: hold (with its headings) at least this share
# of the part's subject words (its words but those saying what kind of answer is wanted) that the
# best of the top units holds; else it is a figure or a date about something else.
SUBJECT_SHARE = 0.5
SUBJECT_POOL = 10


@dataclass
class Answerability:
    """Whether to answer, and which candidate should lead the answer."""

    answerable: bool
    reason: str
    lead: Candidate | None = None


def judge(
    question: Question, ranked: list[Candidate], retrieved: list[ScoredChunk], floor: float,
    metas: dict[str, DocumentMeta], document_text: Callable[[str], str],
) -> Answerability:
    """Refuse unless some well-scored unit holds what the question asks for, about its subject."""
    if not ranked or ranked[0].score < floor:
        return Answerability(False, "no passage is close to the question")
    missing = _missing_names(question.text, retrieved, metas)
    if missing:  # named elsewhere in a retrieved document (its header, a passage not retrieved)?
        texts = [document_text(d).lower() for d in dict.fromkeys(s.chunk.doc_id for s in retrieved)]
        missing = [n for n in missing if not any(re.search(rf"\b{re.escape(_base(n))}\b", t) for t in texts)]
    if missing:
        return Answerability(False, f"the library never mentions {', '.join(missing)} near this topic")
    pool = _without_excluded(question.text, ranked)
    if not pool:
        return Answerability(False, "the passages only describe what the question excludes")
    pool = [c for c in pool if not c.label]  # a title, heading, reference or extraction noise answers nothing
    if not pool:
        return Answerability(False, "the passages only name the topic")
    sources = {c.doc_id for c in pool if c.chunk.source}
    if len(sources) == 1 and not question.comparison:  # "according to the 10 Year Health Plan": it answers, or none
        pool = [c for c in pool if c.doc_id in sources]
    lead = pool[0]
    hard = [i for i, part in enumerate(question.parts) if part.asks and part.asks not in SOFT_KINDS]
    if hard:
        kind = question.parts[hard[0]].asks or ""
        holders = {i: _holders(pool, i) for i in hard}
        if not any(holders.values()):
            return Answerability(False, f"the question asks for {_WHAT.get(kind, kind)} and no close passage gives one")
        on_subject = [c for i in hard for c in holders[i]
                      if c.subjects[i] >= SUBJECT_SHARE * max(o.subjects[i] for o in pool[:SUBJECT_POOL])]
        if not on_subject:
            return Answerability(False, f"the passages that give {_WHAT.get(kind, kind)} are about something else")
        lead = on_subject[0]
    if lead.score < floor:
        return Answerability(False, "no passage that holds what is asked is close to the question")
    contenders = [lead, *(c for c in pool if c.score >= pool[0].score * 0.85 and c is not lead)][:3]
    if _OUTCOME.search(question.text) and all(_ONGOING.search(c.text) for c in contenders):
        return Answerability(False, "the question asks how things turned out; the passages predate it")
    return Answerability(True, "", lead)


def _missing_names(question: str, retrieved: list[ScoredChunk], metas: dict[str, DocumentMeta]) -> list[str]:
    """Proper nouns of the question that neither the retrieved passages nor the descriptions of
    their documents contain; an acronym also counts as there when the initials of consecutive
    words there spell it ("MTPF": the Medium Term Planning Framework)."""
    question = question.strip()
    names = {
        m.group() for m in _CAPITALISED.finditer(question)
        if m.start() > 0 and not re.search(r"[.?!:]\s*$", question[: m.start()])
    } - _GENERIC_CAPS
    texts = [s.chunk.text for s in retrieved]
    texts += [_described(metas[d]) for d in {s.chunk.doc_id for s in retrieved} if d in metas]
    haystack: set[str] = set()
    initials = []
    for text in texts:
        haystack.update(words(text))
        tokens = re.findall(r"[a-z]+", text.lower())
        haystack.update(tokens)
        initials.append("".join(t[0] for t in tokens))
    missing = []
    for name in names:
        base = _base(name)
        if base in STOPWORDS or base in haystack:
            continue
        if name.isupper() and 2 <= len(name) <= 6 and any(base in i for i in initials):
            continue
        missing.append(name)
    return sorted(missing)


def _holders(pool: list[Candidate], part: int) -> list[Candidate]:
    """The units that hold what a part of the question asks for, best for the part first, among
    those whose relevance to the part (not counting what they hold) is close to the best's."""
    by_part = sorted(pool, key=lambda c: c.parts[part], reverse=True)
    top = max(c.relevance[part] for c in pool)
    return [c for c in by_part if c.holds[part] and c.relevance[part] >= top * CLOSE]


def _described(meta: DocumentMeta) -> str:
    """What a document is called and by whom: its title, publisher, authors and file name."""
    return " ".join([meta.title, meta.publisher, meta.author_line, meta.author_role, re.sub(r"[-_.]+", " ", PurePath(meta.source).stem)])


def _base(name: str) -> str:
    return re.sub(r"['’]s$", "", name).lower()


def _without_excluded(question: str, ranked: list[Candidate]) -> list[Candidate]:
    """Candidates that do not just restate the thing the question sets aside."""
    match = _EXCLUDING.search(question)
    if not match:
        return ranked
    excluded = [w for w in words(match.group(1)) if w not in STOPWORDS]
    if not excluded:
        return ranked
    return [c for c in ranked if not all(w in words(c.text) for w in excluded)]
