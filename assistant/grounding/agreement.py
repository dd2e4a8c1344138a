"""Does a claim contradict the source sentences it restates? Facts and negations, with reasons.

Each check returns reasons a user can read ("the number 288,000 is not in the cited passage");
an empty list means no disagreement was found.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

from rapidfuzz.distance import Levenshtein

from assistant.common.text import STOPWORDS, content_stems, normalise
from assistant.grounding.alignment import Sources, SourceSentence
from assistant.grounding.facts import Fact, facts, source_keys, tokens, word_key
from assistant.grounding.negation import NEGATIONS, clauses, negation_scopes, negation_tokens

_LABELS = {"number": "the number", "year": "the year", "date": "the date", "code": "the reference"}
_WRITTEN = re.compile(r"[A-Za-z0-9£$€%]+(?:['.,/-][A-Za-z0-9]+)*")
_FIRST_WORD = re.compile(r"^[\W_]*([A-Za-z][\w'’-]*)")


def fact_problems(claim: str, claim_facts: list[Fact], src: Sources, region: list[int]) -> list[str]:
    """A number, date or name missing from the passages, or swapped for one they give elsewhere
    (the aligned sentences have a fact of the same sort in its place, which the claim lacks)."""
    claim_keys = source_keys(claim)
    aligned = [src.sentences[i] for i in region]
    region_keys = frozenset().union(*(s.keys for s in aligned))
    problems = []
    for fact in claim_facts:
        if not _found(fact, src.keys):
            problems.append(_missing(fact, src.where, src.keys))
        elif fact.kind != "name" and (replaced := _figure_slot(claim, fact, aligned)) is not None:
            problems.append(_swapped(fact, replaced, src.where))
        elif fact.kind == "name" and (swap := _slot(claim, fact, aligned, claim_keys)) is not None:
            problems.append(f"names {swap[0]} where {src.where} {_has(src.where)} {swap[1]}")
        elif not _found(fact, region_keys):
            other = _displaced(fact, aligned, claim_keys, src, region)
            if other is not None:
                problems.append(_swapped(fact, other, src.where))
    return problems


def opening_problem(claim: str, src: Sources, region: list[int]) -> list[str]:
    """A sentence-initial name is not told from an ordinary capitalised word by its form, but a
    swap shows: the claim opens with a word the aligned sentences lack, and the sentence it
    restates opens with a capitalised word the claim lacks ("Pickles is..." for "Andy is...")."""
    if not region:
        return []
    stems = set(content_stems(claim))
    main = max((src.sentences[i] for i in region), key=lambda s: len(stems & s.stems))
    first, lead = _opening(claim), _opening(main.text)
    if first is None or lead is None:
        return []
    if _known(word_key(first), main.keys) or _known(word_key(lead), source_keys(claim)):
        return []
    return [f"names {first} where {src.where} {_has(src.where)} {lead}"]


def negation_problems(claim: str, src: Sources, region: list[int]) -> list[str]:
    """A negation added or dropped: as a small edit of the aligned text ("is" -> "is not"), or
    as a restated clause of the opposite polarity."""
    aligned = [src.sentences[i] for i in region]
    edit = _negation_edit(claim, aligned)
    if edit is not None:
        return [_negation_reason(edit[0], edit[1], src.where)]
    parts = [c for s in aligned for c in s.clauses]
    problems = []
    for piece in clauses(claim):
        stems = frozenset(content_stems(piece))
        if len(stems) < 2 or not parts:
            continue
        best = max(parts, key=lambda c: (len(stems & c.stems) / len(stems), -len(c.stems)))
        shared = len(stems & best.stems)
        if shared < 2 or shared / len(stems) < 0.6 or shared / len(best.stems) < 0.5:
            continue
        ours = negation_scopes(piece)
        added = _unmatched(ours, best.negated, best.stems)
        if added or _unmatched(best.negated, ours, stems):
            problems.append(_negation_reason(added, best.text, src.where))
    return problems


def _unmatched(scopes: Sequence[frozenset[str]], other: Sequence[frozenset[str]], other_stems: frozenset[str]) -> bool:
    """A negation whose negated words the other clause restates without negating them."""
    return any(
        scope and len(scope & other_stems) * 2 >= len(scope) and not any(scope & o for o in other)
        for scope in scopes
    )


def _displaced(
    fact: Fact, aligned: list[SourceSentence], claim_keys: frozenset[str], src: Sources, region: list[int]
) -> Fact | None:
    """The source fact a claim's fact stands in for, if it looks swapped. A name may come from
    the sentences around the region (who "he" is: "Norman Lamb" for "Mr Lamb ... he said")
    unless it plainly takes another name's place."""
    if fact.kind == "name" and any(_known(k, src.near_keys(region)) for k in fact.keys):
        return None
    return next((f for s in aligned for f in s.facts if _shape(f) == _shape(fact) and not _echoed(f, claim_keys)),
                None)


def _shape(fact: Fact) -> str:
    """What sort of fact: a quantity, or a name that is an acronym, one word or several. A
    swap keeps the sort (a person for a person); a name brought in from elsewhere often doesn't."""
    if fact.kind != "name":
        return "quantity"
    if all(k.startswith("a:") for k in fact.keys):
        return "acronym"
    return "names" if len(fact.keys) > 1 else "name"


def _slot(
    claim: str, fact: Fact, aligned: list[SourceSentence], claim_keys: frozenset[str]
) -> tuple[str, str] | None:
    """A source name in the very place the claim has its name (a short replacement in a word
    diff), which the claim does not give elsewhere nor abbreviate: (claim's words, source's)."""
    ours, theirs = tokens(claim), tokens(" ".join(s.text for s in aligned))
    our_keys, their_keys = Counter(map(word_key, ours)), Counter(map(word_key, theirs))
    names = [f for s in aligned for f in s.facts if f.kind == "name"]
    for i1, i2, j1, j2 in _replacements(theirs, ours, 6):
        if not set(map(word_key, ours[j1:j2])) & fact.keys:
            continue
        # only a name the claim has fewer times than the source: this mention is not elsewhere
        replaced = {k for k in map(word_key, theirs[i1:i2]) if our_keys[k] < their_keys[k]}
        if any(replaced & f.keys - _abbreviated(f, claim_keys) for f in names):
            return " ".join(ours[j1:j2]), " ".join(theirs[i1:i2])
    return None


def _figure_slot(claim: str, fact: Fact, aligned: list[SourceSentence]) -> Fact | None:
    """A different figure in the very place the claim has this one ("from 2026 to 2029" said
    as "from 2029 to 2029"), though the claim's figure is given elsewhere in the sentence."""
    ours, theirs = _WRITTEN.findall(normalise(claim)), _WRITTEN.findall(" ".join(s.text for s in aligned))
    for i1, i2, j1, j2 in _replacements(theirs, ours, 6):
        mine, other = " ".join(ours[j1:j2]), " ".join(theirs[i1:i2])
        if fact.keys <= source_keys(mine) and not fact.keys <= source_keys(other):
            figures = [f for f in facts(other) if f.kind != "name"]
            if figures:
                return figures[0]
    return None


def _replacements(theirs: list[str], ours: list[str], widest: int) -> list[tuple[int, int, int, int]]:
    """Stretches of at most `widest` words the claim puts in place of the source's (case aside)."""
    matcher = SequenceMatcher(None, [t.lower() for t in theirs], [t.lower() for t in ours], autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag == "replace" and max(i2 - i1, j2 - j1) <= widest]


def _found(fact: Fact, keys: frozenset[str]) -> bool:
    """All of the fact in the keys, or, for a name, an acronym of it (NHS for National Health Service)."""
    if all(_known(k, keys) for k in fact.keys):
        return True
    return fact.kind == "name" and any(a in keys for a, part in fact.initialisms().items() if part == fact.keys)


def _echoed(fact: Fact, claim_keys: frozenset[str]) -> bool:
    """Whether the claim repeats a source fact: all of a number or date; every word of a name,
    titles aside, or an acronym standing for them ("NHS" for National Health Service)."""
    covered = {k for k in fact.keys if _known(k, claim_keys)} | _abbreviated(fact, claim_keys)
    return covered >= fact.keys


def _abbreviated(fact: Fact, claim_keys: frozenset[str]) -> set[str]:
    """The words of a source name that the claim gives as an acronym."""
    return {k for acronym, keys in fact.initialisms().items() if acronym in claim_keys for k in keys}


def _known(key: str, keys: frozenset[str]) -> bool:
    """In the keys; a long word of a name may differ by one letter (Osborne, Osbourne)."""
    if key in keys or (key.startswith("a:") and key[2:] not in STOPWORDS and "w:" + key[2:] in keys):
        return True
    if not key.startswith("w:") or len(key) < 8:
        return False
    return any(k.startswith("w:") and abs(len(k) - len(key)) <= 1 and Levenshtein.distance(k, key) <= 1
               for k in keys)


def _opening(text: str) -> str | None:
    m = _FIRST_WORD.match(text)
    word = m.group(1) if m else None
    return word if word and word[0].isupper() and word.lower() not in STOPWORDS else None


def _negation_edit(claim: str, aligned: list[SourceSentence]) -> tuple[bool, str] | None:
    """A few words inserted or deleted between matching stretches of an aligned sentence,
    changing how many negations there are: (added?, the source sentence)."""
    ours = negation_tokens(claim)
    texts = [s.text for s in aligned] + ([" ".join(s.text for s in aligned)] if len(aligned) > 1 else [])
    for text in texts:
        theirs = negation_tokens(text)
        ops = SequenceMatcher(None, theirs, ours, autojunk=False).get_opcodes()
        for k in range(1, len(ops) - 1):
            tag, i1, i2, j1, j2 = ops[k]
            before, after = ops[k - 1], ops[k + 1]
            if tag == "equal" or max(i2 - i1, j2 - j1) > 3 or before[0] != "equal" or after[0] != "equal":
                continue
            delta = _count(ours[j1:j2]) - _count(theirs[i1:i2])
            if delta and (before[2] - before[1]) + (after[2] - after[1]) >= 3:
                return delta > 0, text
    return None


def _count(words: list[str]) -> int:
    return sum(w in NEGATIONS for w in words)


def _missing(fact: Fact, where: str, keys: frozenset[str]) -> str:
    if fact.kind == "name":
        parts = [p for p in re.split(r"\s+(?:and|&)\s+", fact.text)
                 if not all(_known(word_key(t), keys) for t in tokens(p) if word_key(t) in fact.keys)]
        return f"names {' and '.join(parts) or fact.text}, not in the sources"
    return f"{_LABELS[fact.kind]} {fact.text} is not in {where}"


def _swapped(fact: Fact, other: Fact, where: str) -> str:
    if fact.kind == "name":
        return f"names {fact.text} where {where} {_has(where)} {other.text}"
    return f"{_LABELS[fact.kind]} {fact.text} does not match {where}, which {_has(where)} {other.text} here"


def _has(where: str) -> str:
    return "have" if where.endswith("s") else "has"


def _negation_reason(added: bool, source_text: str, where: str) -> str:
    change = "adds a negation to" if added else "drops the negation of"
    return f"it {change} {where}: “{shorten(source_text)}”"


def shorten(text: str, limit: int = 120) -> str:
    """A quote cut at a word boundary, for reasons."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
