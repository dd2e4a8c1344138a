"""Does the library answer this question? Checks that hold for any library, not tuned phrases.

Similarity alone cannot tell "the documents discuss this topic" from "the documents answer this
question": a near-miss question scores as high as a real one. So besides a floor on the best
sentence's score, an answer must
- name every proper noun the question names (a question about the Conservative manifesto is not
  answered by passages that never mention the Conservatives);
- contain what the question asks for: a date for "when", a number for "how many", a share for
  "what proportion";
- not merely describe what the question excludes ("apart from X, what else...");
- not be an ongoing process when the question asks how something eventually turned out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.scoring import Candidate
from assistant.common.text import STOPWORDS, words
from assistant.retrieve import ScoredChunk

_DATE = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b|\b(January|February|March|April|May|June|July|August|"
                   r"September|October|November|December)\b|\b(spring|summer|autumn|winter)\b", re.I)
_NUMBER = re.compile(r"\b(?!(?:1[6-9]|20)\d\d\b)\d[\d,.]*|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|"
                     r"million|billion|half|quarter|third)\b", re.I)
_SHARE = re.compile(r"%|\bper ?cent\b|\b(half|quarter|third|fifth|tenth|proportion|share of|fraction)\b", re.I)
_ASKS = (
    (re.compile(r"\b(what|which) (share|proportion|percentage|fraction)\b|\bhow much of\b", re.I), _SHARE, "a share"),
    (re.compile(r"^\s*when (is|was|were|did|does|do|will|would|has|had|are|could|should)\b|\b(on|in) what (date|year)\b|\bwhat date\b|\bwhich year\b|\bwhat year\b", re.I),
     _DATE, "a date"),
    (re.compile(r"\bhow (many|much)\b", re.I), _NUMBER, "a number"),
)
_EXCLUDING = re.compile(r"\b(?:apart from|other than|except(?: for)?|besides|aside from)\s+(.+?)(?:,|$)", re.I)
_OUTCOME = re.compile(r"\b(eventually|ultimately|in the end|ended up|went on to|finally)\b", re.I)
_ONGOING = re.compile(r"\b(currently|is|are) (\w+ing)\b|\b(will|plans to|due to|is set to)\b", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z]+(?:['’]s)?")
_GENERIC_CAPS = {"I", "The", "A", "An", "What", "Which", "Who", "When", "How", "Why", "Where", "In", "On"}


@dataclass
class Answerability:
    """Whether to answer, and which candidate should lead the answer."""

    answerable: bool
    reason: str
    lead: Candidate | None = None


def judge(question: str, ranked: list[Candidate], retrieved: list[ScoredChunk], floor: float) -> Answerability:
    """Refuse unless some well-scored sentence meets every requirement of the question."""
    if not ranked or ranked[0].score < floor:
        return Answerability(False, "no passage is close to the question")
    missing = _missing_names(question, retrieved)
    if missing:
        return Answerability(False, f"the library never mentions {', '.join(missing)} near this topic")
    pool = _without_excluded(question, ranked)
    if not pool:
        return Answerability(False, "the passages only describe what the question excludes")
    contenders = [c for c in pool if c.score >= pool[0].score * 0.85][:3]
    for pattern_q, pattern_a, what in _ASKS:
        if pattern_q.search(question):
            having = [c for c in contenders if pattern_a.search(c.text)]
            if not having:
                return Answerability(False, f"the question asks for {what} and no close passage gives one")
            return Answerability(True, "", having[0])
    if _OUTCOME.search(question) and all(_ONGOING.search(c.text) for c in contenders):
        return Answerability(False, "the question asks how things turned out; the passages predate it")
    return Answerability(True, "", pool[0])


def _missing_names(question: str, retrieved: list[ScoredChunk]) -> list[str]:
    """Proper nouns of the question that no retrieved passage contains."""
    question = question.strip()
    names = {
        m.group() for m in _CAPITALISED.finditer(question)
        if m.start() > 0 and not re.search(r"[.?!:]\s*$", question[: m.start()])
    } - _GENERIC_CAPS
    haystack = set()
    for scored in retrieved:
        haystack.update(words(scored.chunk.text))
        haystack.update(re.findall(r"[a-z]+", scored.chunk.text.lower()))
    missing = []
    for name in names:
        base = re.sub(r"['’]s$", "", name).lower()
        if base not in STOPWORDS and base not in haystack:
            missing.append(name)
    return sorted(missing)


def _without_excluded(question: str, ranked: list[Candidate]) -> list[Candidate]:
    """Candidates that do not just restate the thing the question sets aside."""
    match = _EXCLUDING.search(question)
    if not match:
        return ranked
    excluded = [w for w in words(match.group(1)) if w not in STOPWORDS]
    if not excluded:
        return ranked
    return [c for c in ranked if not all(w in words(c.text) for w in excluded)]
