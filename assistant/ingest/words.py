"""Repair words that text extraction broke, only where a dictionary says the repair is safe.

The dictionary is the embedding model's own WordPiece vocabulary (bert-base-uncased, as shipped
with all-MiniLM-L6-v2): its whole-word entries are ranked roughly by frequency, so a rank is a
usable "how common is this word" signal, with nothing to download. Three repairs, each only
when the repaired word is a common word and what was there is not:

- a word broken at a line end by a hyphen: "com-" + "munity" reads "community", while
  "data-" + "driven" keeps its hyphen ("data-driven"), both parts being words;
- a word split by a stray space: "t he" -> "the", "N HS" -> "NHS", "b e" -> "be";
- a letter lost with a ligature glyph (fi, fl, ff, ll, tt): "wil" -> "will", "al ocations" ->
  "allocations", "ef ective" -> "effective".
"""

from __future__ import annotations

import re
from functools import lru_cache

# Short words that are words (the vocabulary also holds every letter and many fragments).
_SHORT_WORDS = frozenset(
    ["a", "i", "am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my", "no", "of", "on", "or", "ok", "so", "to", "up", "us", "we", "ad", "ai", "eu", "hr", "uk", "vs", "eg", "ie", "gp", "ae"]
)
# What a lost ligature glyph leaves out (the glyph's letters less what survived).
_LIGATURE_LETTERS = ("l", "f", "fi", "fl", "ff", "ffi", "ffl")
_ADVERB_STEMS = ("al", "ive", "ful", "ous", "ent", "ant", "ic", "ar")
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_COMMON = 12000  # vocabulary rank (1 = commonest) under which a word counts as common
_ORDINARY = 25000  # ... under which it counts as a word at all


@lru_cache(maxsize=1)
def _ranks() -> dict[str, int]:
    """Whole-word entries of the bundled model's vocabulary, by rank (commonest first)."""
    from assistant.index.embedder import bundled_model_path

    path = bundled_model_path() / "vocab.txt"
    ranks: dict[str, int] = {}
    if path.is_file():
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            word = line.strip()
            if word.isalpha() and word.isascii() and word.islower() and i >= 1996:  # 1996: after [unused] and symbols
                ranks.setdefault(word, i - 1995)
    return ranks


def rank(word: str) -> int | None:
    """How common a word is (1 = commonest), or None when the dictionary does not know it.

    A plural, an -ing form or an adverb of a known word counts as known with its stem's rank,
    since the vocabulary keeps "allocation" but not "allocations".
    """
    low = word.lower()
    ranks = _ranks()
    if low in ranks:
        return ranks[low]
    for suffix, shortest in (("s", 3), ("es", 4), ("ing", 4)):
        stem = low[: -len(suffix)]
        if low.endswith(suffix) and len(stem) >= shortest and stem in ranks:
            return ranks[stem]
    stem = low[:-2]
    if low.endswith("ly") and stem.endswith(_ADVERB_STEMS) and stem in ranks:
        return ranks[stem]  # "clinically", "collaboratively": an adverb of a known adjective
    return None


def is_word(token: str) -> bool:
    """A word in its own right: a common short word, or a dictionary word of three letters or more."""
    low = token.lower()
    if len(low) <= 2:
        return low in _SHORT_WORDS
    found = rank(low)
    return found is not None and found <= _ORDINARY


def _common(word: str) -> bool:
    found = rank(word)
    return found is not None and found <= _COMMON and len(word) >= 3


def join_hyphenated(first: str, second: str) -> str:
    """How "first-" at a line end and "second" at the next line's start read as one word."""
    head = re.search(r"[A-Za-z]+$", first)
    tail = re.match(r"[A-Za-z]+", second)
    if head is None or tail is None:
        return f"{first}-{second}"
    joined = head.group() + tail.group()
    if rank(joined) is not None and not (is_word(head.group()) and is_word(tail.group()) and len(tail.group()) > 3):
        return first + second
    if is_word(head.group()) and is_word(tail.group()):
        return f"{first}-{second}"  # a compound: "data-driven", "long-term"
    return first + second  # a fragment either side: the hyphen only broke the word


def repair_words(text: str) -> str:
    """Join words split by a stray space and restore letters lost with a ligature, safely."""
    if not _ranks():
        return text
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return text
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and text[tok.end() : nxt.start()] == " ":
            fixed = _join_pair(tok.group(), nxt.group())
            if fixed is not None:
                out.append(text[pos : tok.start()])
                out.append(fixed)
                pos = nxt.end()
                i += 2
                continue
        fixed_one = _restore_single(tok.group())
        if fixed_one is not None:
            out.append(text[pos : tok.start()])
            out.append(fixed_one)
            pos = tok.end()
        i += 1
    out.append(text[pos:])
    return "".join(out)


def _join_pair(left: str, right: str) -> str | None:
    """'t he' -> 'the', 'al ocations' -> 'allocations'; None when the pair should stay apart."""
    if len(left) == 1 and left.isupper() and not right.isupper():
        return None  # "Plan B is", "vitamin D and": a capital letter is a label
    if not _one_case(left + right):
        return None  # "from ED", "The R": a word does not change case in its middle
    left_word, right_word = is_word(left), is_word(right)
    parts = [r for r in (rank(left), rank(right)) if r is not None]
    # The letter a ligature lost is likelier the one that doubles the last ("al ocations").
    doubled = [f for f in _LIGATURE_LETTERS if f == left[-1:].lower()]
    # Two fragments may make any dictionary word; a word and a fragment only a common one.
    ceiling = _COMMON if left_word or right_word else _ORDINARY
    for filler in (*doubled, "", *(f for f in _LIGATURE_LETTERS if f not in doubled)):
        candidate = left + filler + right
        found = rank(candidate)
        if found is None or (filler and (len(candidate) < 5 or found > ceiling)):
            continue
        if filler and left_word and right_word and not (parts and found * 3 < min(parts)):
            continue  # "mil ion" -> "million" (far commoner than either part), but "to do" stays
        if not filler and (left_word or right_word) and found > _COMMON:
            continue
        if not filler and left_word and right_word:
            continue
        return candidate
    return None


def _one_case(word: str) -> bool:
    """lower, UPPER or Capitalised, as a real word is."""
    return word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())


def _restore_single(token: str) -> str | None:
    """'wil' -> 'will', 'overal' -> 'overall': a rare token one lost ligature letter from a very common word."""
    if len(token) < 2 or not _one_case(token) or token.isupper() or (len(token) == 2 and not token.islower()):
        return None  # two letters only in lower case: "al" is "all", "Al" may be a name
    if len(token) == 2 and is_word(token):
        return None
    own = rank(token) if len(token) > 2 else None  # "al" is in the vocabulary ("et al"), yet a fragment
    for filler in ("l", "f"):
        if token[-1:].lower() == filler:
            candidate = token + filler
            found = rank(candidate)
            if found is not None and found <= 3000 and (own is None or found * 20 < own):
                return candidate
    return None
