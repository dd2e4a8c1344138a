"""Does a claim contradict the source sentences it restates? Facts and negations, with reasons.

Each check returns reasons a user can read ("the number 288,000 is not in the cited passage");
an empty list means no disagreement was found.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from rapidfuzz.distance import Levenshtein

from assistant.common.text import STOPWORDS, content_stems, normalise
from assistant.grounding.alignment import Clause, Sources, SourceSentence
from assistant.grounding.facts import Fact, Key, facts, source_keys, tokens, word_key
from assistant.grounding.negation import CONNECTIVES, NEGATIONS, clauses, directions, negation_scopes, negation_tokens

_LABELS = {"number": "the number", "year": "the year", "date": "the date", "code": "the reference"}
_WRITTEN = re.compile(r"[A-Za-z0-9£$€%]+(?:['.,/-][A-Za-z0-9]+)*")
_COMPARING = frozenset({0, 1, 2})  # direction groups that compare amounts: above/below, rise/fall, more/less
_SWAP_CONTEXT = 2  # words shared on each side of a swap
_FIRST_WORD = re.compile(r"^[\W_]*([A-Za-z][\w'’-]*)")


Kind = Literal["missing_number", "missing_name", "swapped_number", "swapped_name", "unit", "opening",
               "negation", "negated_clause", "direction", "comparison"]


@dataclass(frozen=True)
class Disagreement:
    """One thing a claim says that the passages contradict or lack: its sort, a reason a user
    can read, and the claim's words at fault (for marking them)."""

    kind: Kind
    reason: str
    words: str


def fact_problems(
    claim: str, claim_facts: list[Fact], src: Sources, region: list[int], asked: frozenset[Key] = frozenset()
) -> list[Disagreement]:
    """A number, date or name missing from the passages (and the question), a figure with
    another unit than the passages give it, or a fact swapped for one they give elsewhere (the
    aligned sentences have a fact of the same sort in its place, which the claim lacks)."""
    claim_keys = source_keys(claim)
    aligned = [src.sentences[i] for i in region]
    region_keys = frozenset().union(*(s.keys for s in aligned))
    problems = []
    for fact in claim_facts:
        quantity = fact.kind != "name"
        if not _found(fact, src.keys | asked) and not src.loosely_has(fact.text):
            kind: Kind = "missing_number" if quantity else "missing_name"
            problems.append(Disagreement(kind, _missing(fact, src.where, src.keys), fact.text))
        elif quantity and (replaced := _figure_swapped_in_place(claim, fact, aligned)) is not None:
            problems.append(Disagreement("swapped_number", _swapped(fact, replaced, src.where), fact.text))
        elif not quantity and (swap := _name_swapped_in_place(claim, fact, aligned, claim_keys)) is not None:
            reason = f"names {swap[0]} where {src.where} {_has(src.where)} {swap[1]}"
            problems.append(Disagreement("swapped_name", reason, swap[0]))
        elif quantity and (units := _other_units(fact, src)) is not None:
            reason = f"{_LABELS[fact.kind]} {fact.text} counts {fact.unit} where {src.where} {_has(src.where)} {units}"
            problems.append(Disagreement("unit", reason, fact.text))
        elif not _found(fact, region_keys | asked):
            other = _taken_from_elsewhere(fact, aligned, claim_keys, src, region)
            if other is not None:
                kind = "swapped_number" if quantity else "swapped_name"
                problems.append(Disagreement(kind, _swapped(fact, other, src.where), fact.text))
    return problems


def opening_problem(
    claim: str, src: Sources, region: list[int], asked: frozenset[Key] = frozenset()
) -> list[Disagreement]:
    """A sentence-initial name is not told from an ordinary capitalised word by its form, but a
    swap shows: the claim opens with a word the aligned sentences lack, and the sentence it
    restates opens with a capitalised word the claim lacks ("Pickles is..." for "Andy is...").
    A connective ("Additionally, ...", "However, ...") or a word the passages use in lower case
    is an ordinary word, not a name; so is a word of the question (`asked`: its keys)."""
    if not region:
        return []
    stems = set(content_stems(claim))
    main = max((src.sentences[i] for i in region), key=lambda s: len(stems & s.stems))
    first, lead = _opening(claim), _opening(main.text)
    if first is None or lead is None or _ordinary(first, claim, src) or _ordinary(lead, main.text, src):
        return []
    if _known(word_key(first), main.keys | asked) or _known(word_key(lead), source_keys(claim)):
        return []
    return [Disagreement("opening", f"names {first} where {src.where} {_has(src.where)} {lead}", first)]


def negation_problems(claim: str, src: Sources, region: list[int]) -> list[Disagreement]:
    """A negation added or dropped: as a small edit of the aligned text ("is" -> "is not"), or
    as a restated clause of the opposite polarity."""
    aligned = [src.sentences[i] for i in region]
    edit = _negation_edit(claim, aligned)
    if edit is not None:
        return [Disagreement("negation", _negation_reason(edit[0], edit[1], src.where), edit[2])]
    problems = []
    for piece, best in _restated_clauses(claim, aligned):
        stems = frozenset(content_stems(piece))
        ours = negation_scopes(piece)
        added = _unmatched(ours, best.negated, best.stems)
        if added or _unmatched(best.negated, ours, stems):
            problems.append(Disagreement("negated_clause", _negation_reason(added, best.text, src.where), piece))
    return problems


def direction_problems(claim: str, src: Sources, region: list[int]) -> list[Disagreement]:
    """A direction or polarity word turned round (above for below, rise for fall, likely for
    unlikely, before for after) in a clause the aligned sentences restate: compared like a
    negation, since embeddings and word overlap barely see it."""
    aligned = [src.sentences[i] for i in region]
    problems = []
    for piece, best in _restated_clauses(claim, aligned, loose=True):
        ours, theirs = directions(piece), directions(best.text)
        for word, (group, sign) in ours.items():
            if (group, sign) in theirs.values():
                continue
            flipped = [w for w, (g, s) in theirs.items() if g == group and s != sign]
            if flipped:
                reason = f"it says {word} where {src.where} {_has(src.where)} {flipped[0]}: “{shorten(best.text)}”"
                problems.append(Disagreement("direction", reason, word))
    return problems + _invented_comparisons(claim, src, aligned)


def _invented_comparisons(claim: str, src: Sources, aligned: list[SourceSentence]) -> list[Disagreement]:
    """A comparison (larger, more, higher, rose) the aligned sentences do not make in any form,
    though they speak of the same things ("X is generally larger than Y" where the passage says
    only that their size differs)."""
    if not aligned:
        return []
    stems = set(content_stems(claim))
    theirs = {g for s in aligned for g, _ in directions(s.text).values()}
    if len(stems & frozenset().union(*(s.stems for s in aligned))) < max(2, len(stems) // 2):
        return []
    return [Disagreement("comparison", f"it compares ({word}) where {src.where} make{'' if src.where.endswith('s') else 's'} "
                         f"no such comparison: “{shorten(aligned[0].text)}”", word)
            for word, (group, _) in directions(claim).items() if group in _COMPARING and group not in theirs][:1]


def _restated_clauses(claim: str, aligned: list[SourceSentence], loose: bool = False) -> list[tuple[str, Clause]]:
    """Each clause of the claim with the aligned clause it restates (most of the words shared)."""
    parts = [c for s in aligned for c in s.clauses]
    out = []
    least = 0.5 if loose else 0.6
    for piece in clauses(claim):
        stems = frozenset(content_stems(piece))
        if len(stems) < 2 or not parts:
            continue
        best = max(parts, key=lambda c: (len(stems & c.stems) / len(stems), -len(c.stems)))
        shared = len(stems & best.stems)
        if shared < 2 or shared / len(stems) < least or shared / max(len(best.stems), 1) < (0.3 if loose else 0.5):
            continue
        out.append((piece, best))
    return out


def _ordinary(word: str, text: str, src: Sources) -> bool:
    """A capitalised opening word that is not a name: followed by a comma (a connective), an
    adverb, a negation, or a word the passages also write in lower case."""
    low = word.lower()
    after = text[text.find(word) + len(word) :].lstrip()[:1]
    return after == "," or low.endswith("ly") or low in NEGATIONS or low in CONNECTIVES or src.lower_case(low)


def _unmatched(scopes: Sequence[frozenset[str]], other: Sequence[frozenset[str]], other_stems: frozenset[str]) -> bool:
    """A negation whose negated words the other clause restates without negating them."""
    return any(
        scope and len(scope & other_stems) * 2 >= len(scope) and not any(scope & o for o in other)
        for scope in scopes
    )


def _taken_from_elsewhere(
    fact: Fact, aligned: list[SourceSentence], claim_keys: frozenset[Key], src: Sources, region: list[int]
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
    if all(k.acronym for k in fact.keys):
        return "acronym"
    return "names" if len(fact.keys) > 1 else "name"


def _name_swapped_in_place(
    claim: str, fact: Fact, aligned: list[SourceSentence], claim_keys: frozenset[Key]
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


def _figure_swapped_in_place(claim: str, fact: Fact, aligned: list[SourceSentence]) -> Fact | None:
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


def _other_units(fact: Fact, src: Sources) -> str | None:
    """What the passages count with this figure when they never give it with the claim's unit
    ("3%" where the passages have only "3 years"); None when they agree or say nothing."""
    if not fact.unit:
        return None
    seen = src.units_of(fact.keys)
    if not seen or fact.unit in seen or "" in seen:
        return None
    return " or ".join(sorted(seen))


def _replacements(theirs: list[str], ours: list[str], widest: int, context: int = _SWAP_CONTEXT
                  ) -> list[tuple[int, int, int, int]]:
    """Stretches of at most `widest` words the claim puts in place of the source's (case aside),
    between stretches the two share word for word (`context` words at least on each side that
    has any): a swap inside a restated sentence, not two different ways of saying things."""
    matcher = SequenceMatcher(None, [t.lower() for t in theirs], [t.lower() for t in ours], autojunk=False)
    ops = matcher.get_opcodes()
    out = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "replace" or max(i2 - i1, j2 - j1) > widest:
            continue
        sides = [ops[k - 1] if k > 0 else None, ops[k + 1] if k + 1 < len(ops) else None]
        shared = [op[2] - op[1] for op in sides if op is not None and op[0] == "equal"]
        if shared and all(n >= context for n in shared) and len(shared) == sum(op is not None for op in sides):
            out.append((i1, i2, j1, j2))
    return out


def _found(fact: Fact, keys: frozenset[Key]) -> bool:
    """All of the fact in the keys, or, for a name, an acronym of it (NHS for National Health Service)."""
    if all(_known(k, keys) for k in fact.keys):
        return True
    return fact.kind == "name" and any(a in keys for a, part in fact.initialisms().items() if part == fact.keys)


def _echoed(fact: Fact, claim_keys: frozenset[Key]) -> bool:
    """Whether the claim repeats a source fact: all of a number or date; every word of a name,
    titles aside, or an acronym standing for them ("NHS" for National Health Service)."""
    covered = {k for k in fact.keys if _known(k, claim_keys)} | _abbreviated(fact, claim_keys)
    return covered >= fact.keys


def _abbreviated(fact: Fact, claim_keys: frozenset[Key]) -> set[Key]:
    """The words of a source name that the claim gives as an acronym."""
    return {k for acronym, keys in fact.initialisms().items() if acronym in claim_keys for k in keys}


def _known(key: Key, keys: frozenset[Key]) -> bool:
    """In the keys (an acronym also as a word: "Rats" for RATS); a long word of a name may
    differ by one letter (Osborne, Osbourne)."""
    if key in keys or (key.acronym and key.value not in STOPWORDS and Key("word", key.value) in keys):
        return True
    if not key.word or len(key.value) < 6:
        return False
    return any(k.word and abs(len(k.value) - len(key.value)) <= 1 and Levenshtein.distance(k.value, key.value) <= 1
               for k in keys)


def _opening(text: str) -> str | None:
    m = _FIRST_WORD.match(text)
    word = m.group(1) if m else None
    return word if word and word[0].isupper() and word.lower() not in STOPWORDS else None


def _negation_edit(claim: str, aligned: list[SourceSentence]) -> tuple[bool, str, str] | None:
    """A few words inserted or deleted between matching stretches of an aligned sentence,
    changing how many negations there are: (added?, the source sentence, the claim's words)."""
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
                return delta > 0, text, " ".join(ours[j1:j2]) or " ".join(theirs[i1:i2])
    return None


def _count(words: list[str]) -> int:
    return sum(w in NEGATIONS for w in words)


def _missing(fact: Fact, where: str, keys: frozenset[Key]) -> str:
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
