"""What a sentence asserts that its source must repeat exactly: numbers, dates and names.

Embeddings cannot tell 288,000 from 298,000, 2013 from 2014, or Norman Lamb from Andy Burnham: a
one-token change moves a MiniLM vector by almost nothing. These facts are therefore extracted
and compared as canonical keys, so "£3.8 billion" and "3.8bn", or "10 per cent" and "10%", count
as the same fact while any change of value does not.

A key (`Key`) is a sort and a canonical value: ("number", "3800000000") for a quantity,
("month", "may"), ("word", <stem>) for a word of a name, ("acronym", "nhs") for NHS or CCGs,
("code", "h1") for a reference such as "H1".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal, NamedTuple

from assistant.common.text import STOPWORDS, normalise, stem, words

FactKind = Literal["number", "year", "date", "name", "code"]
KeyKind = Literal["number", "month", "word", "acronym", "code"]


class Key(NamedTuple):
    """One canonical thing a fact asserts or a source vouches for: its sort and its value."""

    kind: KeyKind
    value: str

    @property
    def acronym(self) -> bool:
        return self.kind == "acronym"

    @property
    def word(self) -> bool:
        return self.kind == "word"

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
_MONTH = "|".join(m.capitalize() for m in _MONTH_NAMES)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}}){_ORD},? (?:of )?)?(?P<month>{_MONTH})\b"
    rf"(?: (?P<d2>\d{{1,2}}){_ORD}\b,?)?(?:,? (?P<year>(?:1[89]|20)\d\d)\b)?"
)
_MAY_CONTEXT = re.compile(r"\b(in|of|since|until|by|from|to|during|early|late|mid|last|next|this)\s+$", re.I)
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.,])(?P<cur>[£$€])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:(?P<ord>st|nd|rd|th)\b|(?P<dec>s)\b|\s?(?P<pct>%|per ?cent\b|percent\b)"
    r"|\s?(?P<scale>bn|billion|mn|million|m|k|thousand|trillion|tn)\b)?"
)
_CODE = re.compile(r"\b[A-Za-z]+\d[A-Za-z0-9]*\b")
_SCALES = {"k": 3, "thousand": 3, "m": 6, "mn": 6, "million": 6, "bn": 9, "billion": 9, "tn": 12,
           "trillion": 12, "hundred": 2}
_UNIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
               "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_UNITS = {w: i for i, w in enumerate(_UNIT_WORDS)}
_TENS = {w: 10 * i for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                          "ninety"), start=2)}
_FRACTIONS = {"a quarter": Decimal("0.25"), "a half": Decimal("0.5"), "half": Decimal("0.5"),
              "a third": Decimal(1) / 3, "three quarters": Decimal("0.75")}
_WORD_NUMBER = re.compile(
    r"\b(?:(?P<frac>a quarter|a half|half|a third|three quarters) of )?(?P<lead>a|one|"
    + "|".join([*_UNITS, *_TENS]) + r")(?:-(?P<unit>" + "|".join(list(_UNITS)[1:10]) + r"))?"
    r"(?: (?P<scale>hundred|thousand|million|billion))?\b",
    re.I,
)
_TOKEN = re.compile(r"[A-Za-z0-9£$€%]+(?:['.&][A-Za-z0-9]+)*")
_CONNECTORS = frozenset({"of", "and", "for", "the", "&", "de", "van", "von", "upon", "on"})
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "baroness", "professor",
                         "prof", "rt", "hon", "cllr", "rev", "st"})
_MEASURES = {"year": "years", "yr": "years", "month": "months", "week": "weeks", "day": "days", "hour": "hours",
             "hr": "hours", "minut": "minutes", "min": "minutes", "second": "seconds", "decad": "decades",
             "centuri": "centuries", "mile": "miles", "km": "kilometres", "kilometr": "kilometres",
             "metr": "metres", "meter": "metres", "foot": "feet", "feet": "feet", "inch": "inches", "kg": "kilograms",
             "kilogram": "kilograms", "pound": "pounds", "lb": "pounds", "ton": "tonnes", "tonn": "tonnes",
             "degre": "degrees", "mph": "mph", "gram": "grams", "litr": "litres", "liter": "litres",
             "calori": "calories", "dollar": "$", "euro": "€", "point": "points"}
_NEXT_WORD = re.compile(r"\s*(?:-\s*)?([A-Za-z]+)")
_OPENERS = re.compile(r"(^|[.!?:\"'–—•*#]|\s-|\d\.)\s*$")


@dataclass(frozen=True)
class Fact:
    """One checkable thing a sentence says, as written (for reasons) and as canonical keys."""

    kind: FactKind
    text: str
    keys: frozenset[Key]
    words: tuple[str, ...] = ()
    unit: str = ""  # what a figure counts, when it is a measure: "%", "£", "year", "month", "mile", ...

    def initialisms(self) -> dict[Key, frozenset[Key]]:
        """For a name, the acronyms its parts could be written as ("National Health Service" ->
        NHS, "Department of Health" -> DoH or DH), each with the keys it stands for."""
        out: dict[Key, frozenset[Key]] = {}
        for part in _phrases(self.words):
            keys = frozenset(Key("word", name_key(w)) for w in part if w not in _CONNECTORS)
            out |= {acronym: keys for acronym in _acronyms(part)}
            if len(part) == 2:  # US, UK, EU
                out[Key("acronym", part[0][0] + part[1][0])] = keys
        return out


def facts(sentence: str) -> list[Fact]:
    """Every number, date, code and name in a claim, each to be found in the source."""
    text = normalise(sentence)
    dates, taken = _dates(text)
    return [*dates, *_numbers(text, taken), *_word_numbers(text, taken), *_codes(text), *_names(text)]


@lru_cache(maxsize=8192)
def source_keys(text: str) -> frozenset[Key]:
    """Everything a source can vouch for, generously: a claim's fact is supported when its keys
    are all in here. Bare figures of scaled amounts ("3.8" of "3.8bn") and full years of ranges
    ("2016" of "2015/16") are included, every word (so names match whatever their case), and
    the acronyms any run of its words could be written as (CCGs for clinical commissioning groups)."""
    text = normalise(text)
    keys: set[Key] = set()
    for fact in facts(text):
        if fact.kind != "name":
            keys |= fact.keys
    for m in _NUMBER.finditer(text):
        keys.add(_num_key(Decimal(m.group("num").replace(",", ""))))
        keys |= _range_years(text, m)
    keys |= {_num_key(Decimal(v)) for w, v in _UNITS.items() if re.search(rf"\b{w}\b(?!-)", text, re.I)}
    keys |= {Key("word", name_key(w)) for w in words(text)}
    tokens = [m.group() for m in _TOKEN.finditer(text)]
    keys |= {word_key(t) for t in tokens}
    keys |= {a for run in _content_runs(text) for part in _phrases(run, 5) for a in _acronyms(part)}
    keys |= {Key("code", m.group().lower()) for m in _CODE.finditer(text)}
    keys |= {Key("acronym", a[0] + b[0]) for f in _names(text) for a, b in zip(f.words, f.words[1:], strict=False)
             if a not in _CONNECTORS and b not in _CONNECTORS}  # two-word names' initials: US, UK, EU
    return frozenset(keys)


def _phrases(ws: tuple[str, ...], longest: int = 7) -> list[tuple[str, ...]]:
    """Runs of two or more words that neither start nor end with a connecting word."""
    return [ws[i:j] for i in range(len(ws)) for j in range(i + 2, min(len(ws), i + longest) + 1)
            if ws[i] not in _CONNECTORS and ws[j - 1] not in _CONNECTORS]


def _content_runs(text: str) -> list[tuple[str, ...]]:
    """Stretches of words with no punctuation and no stopword in them other than a connecting
    word (the material of acronyms: "clinical commissioning groups", "Department of Health")."""
    runs: list[list[str]] = [[]]
    end = 0
    for m in _TOKEN.finditer(text):
        low = m.group().lower()
        if (low in STOPWORDS and low not in _CONNECTORS) or text[end : m.start()].strip(" -"):
            runs.append([])
        if low not in STOPWORDS or low in _CONNECTORS:
            runs[-1].append(low)
        end = m.end()
    return [tuple(r) for r in runs if len(r) > 1]


def _acronyms(part: tuple[str, ...]) -> set[Key]:
    """Initials with and without the connecting words, three letters or more."""
    found = {"".join(w[0] for w in part if w not in _CONNECTORS), "".join(w[0] for w in part)}
    return {Key("acronym", a) for a in found if len(a) >= 3}


def tokens(text: str) -> list[str]:
    """Word tokens as written (case kept, hyphens split), the units of names."""
    return [m.group() for m in _TOKEN.finditer(normalise(text))]


def word_key(word: str) -> Key:
    """An acronym (NHS, CCGs, H&SC, U.S.) is keyed as one, so spelled-out forms can match it."""
    if re.fullmatch(r"(?:[A-Z]\.){1,4}[A-Z]\.?", word):
        return Key("acronym", word.replace(".", "").lower())
    if re.fullmatch(r"[A-Z][A-Z&]+s?", word):
        return Key("acronym", word.removesuffix("s").replace("&", "").lower())
    return Key("word", name_key(word))


def name_key(token: str) -> str:
    """Case-, possessive- and plural-insensitive form of one word of a name."""
    token = token.replace("’", "'").removesuffix("'s").strip(".'")
    if re.fullmatch(r"[A-Z]{2,}s", token):
        token = token[:-1]  # CCGs, ICBs: acronyms' plurals, which the stemmer leaves alone
    token = token.lower()
    return stem(token)



def _dates(text: str) -> tuple[list[Fact], list[tuple[int, int]]]:
    found: list[Fact] = []
    spans: list[tuple[int, int]] = []
    for m in _DATE.finditer(text):
        bare = not (m.group("d1") or m.group("d2") or m.group("year"))
        if m.group("month") == "May" and bare and not _MAY_CONTEXT.search(text[: m.start()]):
            continue  # "may" the verb, capitalised
        keys = {Key("month", m.group("month").lower())}
        keys |= {_num_key(Decimal(m.group(g))) for g in ("d1", "d2", "year") if m.group(g)}
        found.append(Fact("date", m.group(), frozenset(keys)))
        spans.append(m.span())
    return found, spans


def _numbers(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    found = []
    for m in _NUMBER.finditer(text):
        if _inside(m.span(), taken):
            continue
        value = Decimal(m.group("num").replace(",", ""))
        scale = m.group("scale")
        if scale:
            value = value.scaleb(_SCALES[scale.lower()])
        year = not (scale or m.group("pct") or m.group("cur") or "," in m.group("num") or "." in m.group("num"))
        kind: FactKind = "year" if year and 1800 <= value <= 2099 and len(m.group("num")) == 4 else "number"
        unit = "%" if m.group("pct") else (m.group("cur") or _measure(text, m.end()))
        found.append(Fact(kind, m.group().strip(), frozenset({_num_key(value)}), unit="" if kind == "year" else unit))
    return found


def _measure(text: str, at: int) -> str:
    """The measure a figure counts, from the word after it ("3 years" -> "years"), if it is one."""
    m = _NEXT_WORD.match(text, at)
    return _MEASURES.get(stem(m.group(1).lower()), "") if m else ""


def _word_numbers(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    """Spelled-out amounts ("three", "ten", "a quarter of a million"); a lone "one" or "a" is
    too often not a number at all, so it counts only with a scale word."""
    found = []
    for m in _WORD_NUMBER.finditer(text):
        lead, scale = m.group("lead").lower(), m.group("scale")
        if _inside(m.span(), taken) or (lead in {"a", "one"} and not scale):
            continue
        value = Decimal(_UNITS.get(lead, _TENS.get(lead, 1)) + (_UNITS[m.group("unit").lower()] if m.group("unit") else 0))
        if scale:
            value = value.scaleb(_SCALES[scale.lower()])
        if m.group("frac"):
            value *= _FRACTIONS[m.group("frac").lower()]
        found.append(Fact("number", m.group(), frozenset({_num_key(value)}), unit=_measure(text, m.end())))
    return found


def _codes(text: str) -> list[Fact]:
    return [Fact("code", m.group(), frozenset({Key("code", m.group().lower())})) for m in _CODE.finditer(text)]


def _names(text: str) -> list[Fact]:
    """Runs of capitalised words; a capitalised word that opens the sentence (or a quote or
    clause) is only a name when another capitalised word follows it."""
    toks = list(_TOKEN.finditer(text))
    found: list[Fact] = []
    i = 0
    while i < len(toks):
        run = _name_run(toks, i)
        if run:
            first, last = run
            members = [t.group() for t in toks[first : last + 1]]
            keys = {word_key(w) for w in members if _is_name_word(w) and w.lower() not in _HONORIFICS}
            opener = _OPENERS.search(text[: toks[first].start()]) is not None
            if opener and sum(_is_name_word(w) for w in members) < 2:
                keys = set()
            if keys:
                spelled = tuple(w.lower() for w in members if w.lower() not in _HONORIFICS)
                found.append(Fact("name", text[toks[first].start() : toks[last].end()], frozenset(keys), spelled))
            i = last + 1
        else:
            i += 1
    return found


def _name_run(toks: list[re.Match[str]], i: int) -> tuple[int, int] | None:
    """The run of name words starting at token i (connectors allowed between name words)."""
    if not _is_name_word(toks[i].group()):
        return None
    last = i
    j = i + 1
    while j < len(toks) and toks[j].start() - toks[j - 1].end() <= 1:
        word = toks[j].group()
        if _is_name_word(word):
            last = j
        elif word.lower() not in _CONNECTORS:
            break
        j += 1
    return i, last


def _is_name_word(word: str) -> bool:
    bare = word.lower().replace("’", "'").removesuffix("'s")
    return (word[0].isupper() and bare not in STOPWORDS and bare not in _MONTH_NAMES
            and not any(c.isdigit() for c in word))


def _range_years(text: str, m: re.Match[str]) -> set[Key]:
    """'2015/16' also vouches for 2016."""
    before = text[max(0, m.start() - 5) : m.start()]
    head = re.fullmatch(r"((?:19|20)\d\d)[/-]", before)
    if head and len(m.group("num")) == 2:
        return {_num_key(Decimal(head.group(1)[:2] + m.group("num")))}
    return set()


def _inside(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in taken)


def _num_key(value: Decimal) -> Key:
    try:
        return Key("number", f"{value.normalize():f}")
    except InvalidOperation:
        return Key("number", str(value))
