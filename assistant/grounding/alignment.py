"""Which sentences of the cited passages a claim restates.

Support is judged against these sentences (the "region"), not the passages at large: a number or
name that a passage gives somewhere is no support for a sentence that puts it somewhere else.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from assistant.common.text import content_stems, normalise, sentence_spans
from assistant.grounding.facts import Fact, Key, facts, source_keys
from assistant.grounding.negation import clauses, negation_scopes


@dataclass(frozen=True)
class Clause:
    """A clause of a source sentence: its content stems, what its negations negate, and its text."""

    stems: frozenset[str]
    negated: tuple[frozenset[str], ...]
    text: str


@dataclass(frozen=True)
class SourceSentence:
    """One sentence of a cited passage, analysed once."""

    text: str
    stems: frozenset[str]
    facts: tuple[Fact, ...]
    clauses: tuple[Clause, ...]
    keys: frozenset[Key]


@dataclass(frozen=True)
class Sources:
    """The cited passages as sentences, with the passage each came from and every key they vouch for."""

    sentences: tuple[SourceSentence, ...]
    passage_of: tuple[int, ...]
    keys: frozenset[Key]
    idf: dict[str, float]
    where: str
    text: str = ""  # all the passages, normalised and in lower case
    lowered_words: frozenset[str] = frozenset()

    def weight(self, stems: set[str], sentence: SourceSentence) -> float:
        """Shared content words, the rarer in these passages the heavier (summed exactly, so a
        tie does not hang on the order a set of strings happens to iterate in)."""
        return math.fsum(self.idf.get(s, 0.0) for s in stems & sentence.stems)

    def lower_case(self, word: str) -> bool:
        """Whether the passages write this word in lower case somewhere (an ordinary word, not a name)."""
        return word.lower() in self.lowered_words

    def units_of(self, keys: frozenset[Key]) -> set[str]:
        """The measures the passages count with a figure of these keys ("" when given bare)."""
        return {f.unit for s in self.sentences for f in s.facts if f.kind == "number" and f.keys == keys}

    def loosely_has(self, phrase: str) -> bool:
        """The phrase in the passages allowing for broken ligatures, as PDF extraction leaves them
        ("14.8 mil ion" for "14.8 million", "signi cant" for "significant")."""
        pattern = loose_pattern(phrase)
        return pattern is not None and pattern.search(self.text) is not None

    def near_keys(self, region: list[int], before: int = 2, after: int = 1) -> frozenset[Key]:
        """What the region and the sentences just around it in the same passage vouch for
        (where a "he" or "the minister" of the region is named)."""
        near = {j for i in region for j in range(i - before, i + after + 1)
                if 0 <= j < len(self.sentences) and self.passage_of[j] == self.passage_of[i]}
        return frozenset().union(*(self.sentences[j].keys for j in near))


@lru_cache(maxsize=512)
def sources(passages: tuple[str, ...]) -> Sources:
    """Analysis of a set of passages, cached: the same passages back many sentences."""
    sentences = [(i, s) for i, p in enumerate(passages) for s in _sentences(p)]
    df = Counter(stem for _, s in sentences for stem in s.stems)
    idf = {stem: math.log(1 + len(sentences) / n) for stem, n in df.items()}
    keys = frozenset().union(*(source_keys(p) for p in passages))
    where = "the cited passage" if len(passages) == 1 else "the cited passages"
    text = "\n".join(normalise(p) for p in passages)
    lowered = frozenset(m.group() for m in _LOWER_WORD.finditer(text))
    return Sources(tuple(s for _, s in sentences), tuple(i for i, _ in sentences), keys, idf, where,
                   text.lower(), lowered)


_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*")
_LIGATURE_LETTERS = frozenset("filt")


@lru_cache(maxsize=8192)
def loose_pattern(phrase: str) -> re.Pattern[str] | None:
    """A pattern for the phrase whose longer words may each be broken by a space where a
    ligature's letters (fi, fl, ff, ll, tt) were lost or split; None when nothing can break."""
    parts = re.findall(r"[A-Za-z]+|[^A-Za-z\s]+", phrase.lower())
    if not any(len(p) >= 5 and p.isalpha() for p in parts):
        return None
    pieces = []
    for part in parts:
        if len(part) >= 5 and part.isalpha():
            forms = {part} | {part[:i] + " " + part[j:] for i in range(1, len(part))
                              for j in range(i, min(i + 3, len(part))) if set(part[i:j]) <= _LIGATURE_LETTERS}
            pieces.append("(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")")
        else:
            pieces.append(re.escape(part))
    return re.compile(r"\b" + r"\s*".join(pieces) + r"\b")


@lru_cache(maxsize=4096)
def _sentences(passage: str) -> tuple[SourceSentence, ...]:
    out = []
    for s, e in sentence_spans(passage):
        text = normalise(passage[s:e])
        parts = tuple(Clause(frozenset(content_stems(c)), tuple(negation_scopes(c)), c) for c in clauses(text))
        out.append(SourceSentence(text, frozenset(content_stems(text)), tuple(facts(text)), parts, source_keys(text)))
    return tuple(out)


def align(stems: set[str], claim_facts: list[Fact], src: Sources, most: int = 3) -> list[int]:
    """Indices of the sentences the claim restates, in passage order: a greedy cover of its
    content words, leaving out its numbers and names, so that a swapped fact cannot pull in the
    sentence it was taken from. A sentence next to one already chosen, or from another cited
    passage, may join for one word (a sentence citing two passages draws on both)."""
    fact_words = {w for f in claim_facts for w in content_stems(f.text)}
    wanted = (stems - fact_words) or stems
    chosen: list[int] = []
    for _ in range(most):
        left = wanted - set().union(*(src.sentences[i].stems for i in chosen))
        ranked = sorted(range(len(src.sentences)), key=lambda i: (-src.weight(left, src.sentences[i]), i))
        pick = next((i for i in ranked if i not in chosen), None)
        if pick is None:
            break
        gain = len(left & src.sentences[pick].stems)
        adjacent = any(abs(pick - i) == 1 and src.passage_of[pick] == src.passage_of[i] for i in chosen)
        new_passage = src.passage_of[pick] not in {src.passage_of[i] for i in chosen}
        if gain < (1 if not chosen or adjacent or new_passage else 2):
            break
        chosen.append(pick)
    return sorted(chosen)


def coverage(stems: set[str], region: list[SourceSentence]) -> float:
    """Share of the claim's content words that the aligned sentences contain."""
    covered = set().union(*(s.stems for s in region))
    return len(stems & covered) / len(stems) if stems else 0.0


def trimmed(stems: set[str], region: list[SourceSentence]) -> str:
    """The region cut down to the stretch from the first to the last clause that shares a word
    with the claim: a long sentence's other clauses dilute its meaning vector."""
    pieces: list[str] = []
    for sentence in region:
        spans, pos = [], 0
        for clause in sentence.clauses:
            start = sentence.text.find(clause.text, pos)
            pos = start + len(clause.text)
            if clause.stems & stems:
                spans.append((start, pos))
        if spans:
            pieces.append(sentence.text[spans[0][0] : spans[-1][1]])
    return " ".join(pieces)
