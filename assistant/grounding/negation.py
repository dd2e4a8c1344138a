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



# Capitalised words that open a sentence as connectives, never names.
CONNECTIVES = frozenset({
    "additionally", "also", "however", "furthermore", "moreover", "meanwhile", "overall", "therefore", "thus",
    "instead", "finally", "firstly", "secondly", "lastly", "besides", "nevertheless", "nonetheless", "hence",
    "consequently", "still", "yet", "indeed", "otherwise", "similarly", "likewise", "despite", "although",
    "though", "whereas", "while", "whilst", "after", "before", "during", "since", "unlike", "like", "as", "in",
    "on", "at", "for", "from", "with", "without", "by", "to", "under", "over", "among", "between", "within",
    "according", "based", "ultimately", "currently", "recently", "today", "now", "then", "here",
    "there", "this", "that", "these", "those", "some", "many", "most", "several", "both", "each", "every", "all",
    "another", "other", "such", "one", "two", "three", "first", "second", "third", "next", "last", "none", "no", "not", "neither", "nor", "it", "its", "they", "their", "he", "she", "his", "her", "we", "our",
    "you", "your", "i", "my", "the", "a", "an", "if", "when", "where", "because", "so", "but", "and", "or",
    "specifically", "notably", "importantly", "generally", "typically", "usually", "essentially", "further",
    "later", "earlier", "eventually", "alternatively", "regardless", "accordingly", "elsewhere", "again",
})

# Direction and polarity: words that reverse a claim as a negation does. Each word belongs to a
# group and has a sign; a claim whose clause has one sign where the passage's has the other is
# turned round ("rose" for "fell", "above" for "below", "likely" for "unlikely").
_DIRECTION_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("above", "over", "exceed", "exceeds", "exceeded", "exceeding"), ("below", "under", "beneath")),
    (("increase", "increases", "increased", "increasing", "rise", "rises", "rose", "risen", "rising", "grow",
      "grows", "grew", "grown", "growing", "growth", "gain", "gains", "gained", "up", "climb", "climbed", "boost",
      "boosted", "raise", "raised", "raises", "higher", "expand", "expanded", "surge", "surged", "jump", "jumped"),
     ("decrease", "decreases", "decreased", "decreasing", "fall", "falls", "fell", "fallen", "falling", "decline",
      "declines", "declined", "declining", "drop", "drops", "dropped", "loss", "losses", "lost", "down", "cut",
      "cuts", "reduce", "reduces", "reduced", "reduction", "lower", "lowered", "shrink", "shrank", "shrunk",
      "plunge", "plunged", "slump", "slumped")),
    (("more", "most", "greater", "greatest", "larger", "largest", "bigger", "biggest", "many", "much", "majority",
      "maximum", "max", "highest", "longer", "longest", "stronger", "strongest"),
     ("less", "least", "fewer", "fewest", "smaller", "smallest", "lesser", "few", "little", "minority", "minimum",
      "min", "lowest", "shorter", "shortest", "weaker", "weakest")),
    (("likely", "probable", "probably", "possible", "possibly", "able", "can"),
     ("unlikely", "improbable", "impossible", "unable", "cannot")),
    (("before", "earlier", "prior", "previously", "preceding", "first"), ("after", "later", "subsequently",
                                                                           "following", "last")),
    (("positive", "positively", "benefit", "benefits", "beneficial", "good", "better", "best", "improve",
      "improved", "improves", "improvement", "success", "successful", "win", "won", "wins", "advantage"),
     ("negative", "negatively", "harm", "harms", "harmful", "bad", "worse", "worst", "worsen", "worsened",
      "worsens", "deterioration", "failure", "failed", "lose", "lost", "loses", "disadvantage")),
    (("legal", "lawful", "allowed", "permitted", "allow", "allows", "permit", "accept", "accepted", "approve",
      "approved", "include", "included", "includes", "support", "supports", "supported", "for"),
     ("illegal", "unlawful", "banned", "forbidden", "prohibited", "ban", "bans", "prohibit", "reject", "rejected",
      "refuse", "refused", "exclude", "excluded", "excludes", "oppose", "opposes", "opposed", "against")),
    (("maximum", "most", "at most", "up to"), ("minimum", "least", "at least")),
)
_DIRECTIONS: dict[str, tuple[int, int]] = {}
for _group, (_plus, _minus) in enumerate(_DIRECTION_GROUPS):
    for _w in _plus:
        _DIRECTIONS.setdefault(_w, (_group, 1))
    for _w in _minus:
        _DIRECTIONS.setdefault(_w, (_group, -1))
# Words too common in other senses to compare on their own ("for", "can", "first", "over").
_AMBIGUOUS = frozenset({"for", "can", "first", "last", "over", "under", "up", "down", "much", "many", "few",
                        "little", "good", "support", "supports", "supported", "include", "included", "includes",
                        "lost", "cut", "min", "max", "following", "able", "most"})


def directions(text: str) -> dict[str, tuple[int, int]]:
    """The direction and polarity words of a text: word -> (group, sign). A negated word counts
    with the opposite sign ("not likely" is "unlikely")."""
    toks = negation_tokens(text)
    out: dict[str, tuple[int, int]] = {}
    for i, tok in enumerate(toks):
        if tok not in _DIRECTIONS or tok in _AMBIGUOUS:
            continue
        group, sign = _DIRECTIONS[tok]
        if any(t in NEGATIONS for t in toks[max(0, i - 2) : i]):
            sign = -sign
        out[tok] = (group, sign)
    return out
