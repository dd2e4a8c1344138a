"""Negation: what a clause denies, so that a claim adding or dropping a "not" can be caught.

A planted "not", "never" or "no longer" barely moves an embedding or the word overlap, yet it
reverses the claim. Contractions are spelled out first ("isn't" -> "is not") so that a claim
and its source compare equal however each is written.
"""

from __future__ import annotations

import re

from assistant.common.text import STOPWORDS, normalise, stems, words

NEGATIONS = frozenset({"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without"})
_CONTRACTED = {"won't": "will", "can't": "can", "shan't": "shall", "ain't": "is"}
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]\"]|\s[-–—]\s|\b(?:but|and|or|although|though|while|whereas|because)\b")


def negation_tokens(text: str) -> list[str]:
    """Lower-case words with negations spelled out ("can't" -> "can not"), so that a contraction
    and its expansion compare equal; "not only" is not a negation and becomes "only"."""
    out: list[str] = []
    for tok in words(text):
        if tok.endswith("n't"):
            out += [_CONTRACTED.get(tok, tok[:-3]), "not"]
        elif tok == "cannot":
            out += ["can", "not"]
        else:
            out.append(tok)
    return [t for i, t in enumerate(out) if not (t == "not" and out[i + 1 : i + 2] == ["only"])]


def negation_scopes(text: str, width: int = 3) -> list[frozenset[str]]:
    """What each negation of a clause negates: the stems of the next few content words
    ("brings no new money" -> {new, money})."""
    toks = negation_tokens(text)
    scopes = []
    for i, tok in enumerate(toks):
        if tok in NEGATIONS:
            following = [t for t in toks[i + 1 :] if t not in STOPWORDS and t not in NEGATIONS][:width]
            scopes.append(frozenset(stems(following)))
    return scopes


def clauses(text: str) -> list[str]:
    """Clause-sized pieces, so a negation is compared with the clause it belongs to."""
    return [c.strip() for c in _CLAUSE_BREAK.split(normalise(text)) if c and c.strip()]

