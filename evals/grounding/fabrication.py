"""Planted fabrications: does the grounding checker catch a sentence with one thing wrong?

From the real library, deterministically (seeded), this builds TRUE sentences (real sentences,
checked against the chunk they come from, some verbatim and some reworded the way an answer
would reword them) and FABRICATED copies with exactly one change: a number, a date, a name or a
negation, or a true sentence paired with a passage that does not say it. The checker should flag
at least 95% of the fabrications while flagging at most 5% of the true sentences.

The changes are planted by this module's own simple rules, not by the checker's extractors, so
the figures measure the checker rather than agreement between two copies of the same code.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field, computed_field

from assistant.common.text import STOPWORDS, content_stems, normalise, sentence_spans
from assistant.config import BUNDLED_KNOWLEDGE, Settings
from assistant.grounding import Support
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_file
from assistant.ingest.sections import find_sections

SHARED_CORPUS = BUNDLED_KNOWLEDGE.parent.parent / "shared" / "corpus-nhs"
TRUE_KINDS = ("verbatim", "clause_dropped", "merged", "attributed", "reformatted")
FABRICATED_KINDS = ("number", "date", "name", "negation", "wrong_passage")
CaseKind = Literal["verbatim", "clause_dropped", "merged", "attributed", "reformatted",
                   "number", "date", "name", "negation", "wrong_passage"]

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_NOISE = re.compile(r"https?:|www\.|@|\*\*|\||\\|#|says:|\t")
_LIST_NUMBER = re.compile(r"^\s*\d{1,2}\.\s+")
_NUMBER = re.compile(r"(?<![\w.,/£$€-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w/]|,\d|\.\d)")
_YEAR = re.compile(r"(?<![\w.,/-])((?:19|20)\d\d)(?:([/-])(\d\d))?(?![\w/,.]\d|\w)")
_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_DAY = re.compile(r"\b([1-9]|[12]\d|3[01])(?:st|nd|rd|th)? (?=(" + "|".join(_MONTHS) + r")\b)")
_WORD_NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b")
_AUX = re.compile(r"\b(is|are|was|were|will|would|can|could|should|must|has|have|had|does|do|did|may|might)"
                  r"\b(?! not\b| never\b| no\b|n['’]t)(?= [a-z])")
_NEGATION = [(re.compile(r"\bno longer "), ""), (re.compile(r"\bnot (?!only\b)"), ""),
             (re.compile(r"\bnever "), ""), (re.compile(r"\bcannot\b"), "can"),
             (re.compile(r"\b(is|are|was|were|does|do|did|has|have|had|could|would|should)n['’]t\b"), r"\1"),
             (re.compile(r"\bwon['’]t\b"), "will"), (re.compile(r"\bcan['’]t\b"), "can"),
             (re.compile(r"\bno (?!longer\b|one\b)(?=[a-z])"), "")]
Rewrite = str | Callable[[re.Match[str]], str]
_WORDS_TO_DIGITS: Rewrite = lambda m: str(_WORD_NUMBERS.index(m.group(1)) + 2)  # noqa: E731
_REWRITES: list[tuple[str, Rewrite]] = [
    (r"\b(is|are|was|were|does|do|did|has|have|had)n['’]t\b", r"\1 not"), (r"\bcan['’]t\b", "cannot"),
    (r"\bwon['’]t\b", "will not"), (r"\b(is|are|was|were|does|do|did|has|have) not\b", r"\1n't"),
    (r"\bIt['’]s\b", "It is"), (r"\bit['’]s\b", "it is"), (r"\b([Ww]e|[Tt]hey|I)['’]ve\b", r"\1 have"),
    (r"(\d) ?per ?cent\b", r"\1%"), (r"(\d)%", r"\1 per cent"), (r"(\d)bn\b", r"\1 billion"),
    (r"(\d) billion\b", r"\1bn"), (r"(\d) million\b", r"\1m"), (r"\b((?:19|20)\d\d)/(\d\d)\b", r"\1-\2"),
    (r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") ((?:19|20)\d\d)\b", r"\2 \1, \3"), (r" & ", " and "),
    (r"\b(two|three|four|five|six|seven|eight|nine)\b", _WORDS_TO_DIGITS),
]
_REWORDINGS = [(re.compile(p), r) for p, r in _REWRITES]
_PREFIXES = ("According to the source, ", "The document says that ", "The passage notes that ",
             "As the author puts it, ")
_OPENING = re.compile(r"(^|[.!?:;\"“‘'(\n]\s*|\n)$")
_CONDITIONAL = re.compile(r"^(if|unless|when|whether|should|had|once|until|before|after)\b", re.I)
_TRAILING = re.compile(r"^(which|who|whose|where|including|with|as|while|although|but|and|particularly|"
                       r"especially|for example|such as|so)\b")


class Checker(Protocol):
    def check(self, sentence: str, passages: list[str]) -> Support: ...


class FabricationCase(BaseModel):
    """One sentence to check, the passages it cites, and whether it is true."""

    id: str
    kind: CaseKind
    fabricated: bool
    sentence: str
    passages: list[str]
    original: str = Field(description="The real sentence it was made from.")
    change: str = Field("", description="What was changed, for reading the misses.")
    doc: str


class KindResult(BaseModel):
    """How one kind of case fared: flagged share is detection (fabricated) or false alarms (true)."""

    kind: str
    fabricated: bool
    total: int
    flagged: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float:
        return self.flagged / self.total if self.total else 0.0


class CaseOutcome(BaseModel):
    """A case the checker got wrong, with its reasons, for reading."""

    id: str
    kind: str
    sentence: str
    change: str
    reasons: list[str]


class FabricationReport(BaseModel):
    """Detection of planted fabrications and false alarms on true sentences, overall and by kind."""

    by_kind: list[KindResult]
    errors: list[CaseOutcome] = Field(default_factory=list)
    ms_per_sentence: float = 0.0

    def _sum(self, fabricated: bool) -> tuple[int, int]:
        rows = [r for r in self.by_kind if r.fabricated == fabricated]
        return sum(r.flagged for r in rows), sum(r.total for r in rows)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def detection_rate(self) -> float:
        flagged, total = self._sum(True)
        return flagged / total if total else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def false_alarm_rate(self) -> float:
        flagged, total = self._sum(False)
        return flagged / total if total else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def meets_bar(self) -> bool:
        """The issue's bar: at least 95% of fabrications flagged, at most 5% false alarms."""
        return self.detection_rate >= 0.95 and self.false_alarm_rate <= 0.05

    def summary(self) -> str:
        lines = [f"detection {self.detection_rate:.1%}, false alarms {self.false_alarm_rate:.1%}, "
                 f"{self.ms_per_sentence:.1f} ms a sentence"]
        lines += [f"  {r.kind:<15} {'fabricated' if r.fabricated else 'true':<10} {r.flagged:>4}/{r.total:<4} "
                  f"flagged ({r.rate:.1%})" for r in self.by_kind]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Sentence:
    """A prose sentence of the library, the chunk it lies in, and the sentence after it."""

    doc: str
    text: str
    chunk: int
    following: str


@dataclass
class _Library:
    docs: dict[str, str]
    chunks: list[tuple[str, str]]
    sentences: list[_Sentence]
    names: dict[int, list[str]]
    capitalised: frozenset[str]


def library_paths(include_shared: bool = True) -> dict[str, list[Path]]:
    """The bundled library, and the NHS corpus in ../shared when it is there (read in place)."""
    found = {"bundled": sorted(BUNDLED_KNOWLEDGE.glob("*.txt"))}
    if include_shared and SHARED_CORPUS.is_dir():
        found["nhs"] = sorted(p for p in SHARED_CORPUS.glob("*.md") if p.name != "SOURCES.md")
    return found


def default_cases(seed: int = 7, per_kind: int = 40, include_shared: bool = True) -> list[FabricationCase]:
    """Cases from every available library, `per_kind` of each kind per library."""
    return [case for name, paths in library_paths(include_shared).items()
            for case in build_cases(paths, seed=seed, per_kind=per_kind, prefix=name)]


def build_cases(paths: Sequence[Path], seed: int = 7, per_kind: int = 40, prefix: str = "lib") -> list[FabricationCase]:
    """Up to `per_kind` cases of each kind, the same ones for the same files and seed."""
    lib = _load(paths)
    rng = random.Random(seed)
    makers: dict[str, Callable[[_Sentence, random.Random, _Library], tuple[str, str] | None]] = {
        "verbatim": lambda s, r, lb: (s.text, ""), "clause_dropped": _drop_clause, "merged": _merge,
        "attributed": _attribute, "reformatted": _reformat, "number": _change_number, "date": _change_date,
        "name": _swap_name, "negation": _flip_negation, "wrong_passage": lambda s, r, lb: (s.text, ""),
    }
    cases: list[FabricationCase] = []
    for kind, make in makers.items():
        pool = list(lib.sentences)
        rng.shuffle(pool)
        made = 0
        for sent in pool:
            if made >= per_kind:
                break
            case = _case(kind, sent, make, rng, lib, f"{prefix}-{kind}-{made:03d}")
            if case is not None:
                cases.append(case)
                made += 1
    return cases


def evaluate_checker(checker: Checker, cases: Sequence[FabricationCase]) -> FabricationReport:
    """Run the checker on every case: detection on fabrications, false alarms on true sentences."""
    counts: dict[tuple[str, bool], list[int]] = {}
    errors: list[CaseOutcome] = []
    started = time.perf_counter()
    for case in cases:
        verdict = checker.check(case.sentence, case.passages)
        flagged = not verdict.supported
        tally = counts.setdefault((case.kind, case.fabricated), [0, 0])
        tally[0] += 1
        tally[1] += flagged
        if flagged != case.fabricated:
            errors.append(CaseOutcome(id=case.id, kind=case.kind, sentence=case.sentence, change=case.change,
                                      reasons=verdict.reasons))
    elapsed = (time.perf_counter() - started) * 1000 / max(len(cases), 1)
    order = [*TRUE_KINDS, *FABRICATED_KINDS]
    rows = [KindResult(kind=k, fabricated=f, total=n, flagged=x)
            for (k, f), (n, x) in sorted(counts.items(), key=lambda kv: order.index(kv[0][0]))]
    return FabricationReport(by_kind=rows, errors=errors, ms_per_sentence=elapsed)


def _case(
    kind: str, sent: _Sentence, make: Callable[[_Sentence, random.Random, _Library], tuple[str, str] | None],
    rng: random.Random, lib: _Library, case_id: str,
) -> FabricationCase | None:
    fabricated = kind in FABRICATED_KINDS
    real = sent.text
    if fabricated and rng.random() < 0.3:
        sent = _reworded(sent, rng, lib)
    made = make(sent, rng, lib)
    if made is None:
        return None
    sentence, change = made
    if sent.text != real:
        change = f"{change} (in a reworded copy)".strip()
    passages = _wrong_passages(sent, rng, lib) if kind == "wrong_passage" else _passages(sent, rng, lib)
    if not passages or (fabricated and any(_squash(sentence) in _squash(p) for p in passages)):
        return None
    return FabricationCase(id=case_id, kind=kind, fabricated=fabricated, sentence=sentence,
                           passages=passages, original=real, change=change, doc=sent.doc)


def _reworded(sent: _Sentence, rng: random.Random, lib: _Library) -> _Sentence:
    """The sentence as a true answer might put it (a clause dropped, merged, attributed), so
    that fabrications are planted in reworded sentences too, not only in verbatim copies."""
    options = [m for m in (_drop_clause(sent, rng, lib), _merge(sent, rng, lib), _attribute(sent, rng, lib)) if m]
    return replace(sent, text=rng.choice(options)[0]) if options else sent


def _load(paths: Sequence[Path]) -> _Library:
    """Documents, chunked as ingest chunks them (with a word-count token estimate), and their
    prose sentences; plus the names of the library for swapping."""
    settings = Settings.model_fields
    size, overlap = settings["chunk_size"].default, settings["chunk_overlap"].default
    docs = {p.name: load_file(p, 50 * 2**20).text for p in paths}
    chunks: list[tuple[str, str]] = []
    sentences: list[_Sentence] = []
    seen: set[str] = set()
    for name, text in docs.items():
        for chunk in chunk_document(name, "fabrication", text, find_sections(text), _tokens, size, overlap):
            chunks.append((name, chunk.text))
            sentences += _prose(name, chunk.text, len(chunks) - 1, seen)
    capitalised = _always_capitalised(docs.values())
    names: dict[int, list[str]] = {}
    for sent in sentences:
        for run in _name_runs(sent.text, capitalised):
            names.setdefault(len(run.split()), []).append(run)
    return _Library(docs, chunks, sentences, {k: sorted(set(v)) for k, v in names.items()}, capitalised)


def _tokens(text: str) -> int:
    return int(len(text.split()) * 1.35) + 1


def _prose(doc: str, chunk: str, index: int, seen: set[str]) -> list[_Sentence]:
    """Sentences worth checking: 8 to 60 words of running text, not headings, links or tables."""
    texts = [_LIST_NUMBER.sub("", chunk[s:e]).strip() for s, e in sentence_spans(chunk)]
    out = []
    for i, text in enumerate(texts):
        words = text.split()
        caps = sum(w[0].isupper() for w in words) / max(len(words), 1)
        if (not 8 <= len(words) <= 60 or _NOISE.search(text) or caps > 0.5 or text in seen
                or not text[0].isupper() or text[-1] not in ".!?’”'\""):
            continue
        seen.add(text)
        out.append(_Sentence(doc, text, index, texts[i + 1] if i + 1 < len(texts) else ""))
    prose = {s.text for s in out}
    return [replace(s, following=s.following if s.following in prose else "") for s in out]


def _passages(sent: _Sentence, rng: random.Random, lib: _Library) -> list[str]:
    """The sentence's own chunk; now and then with another chunk of the same document cited too."""
    own = lib.chunks[sent.chunk][1]
    others = [t for d, t in lib.chunks if d == sent.doc and t != own and sent.text not in t]
    if others and rng.random() < 0.3:
        return rng.sample([own, rng.choice(others)], 2)
    return [own]


def _wrong_passages(sent: _Sentence, rng: random.Random, lib: _Library) -> list[str]:
    """A chunk that does not say the sentence: mostly from another document, sometimes the same
    one, never one that shares more than half of the sentence's content words."""
    stems = set(content_stems(sent.text))
    other_doc = rng.random() < 0.7
    pool = [t for d, t in lib.chunks if (d != sent.doc) == other_doc and sent.text not in t
            and len(stems & set(content_stems(t))) <= len(stems) / 2]
    return [rng.choice(pool)] if pool else []


def _drop_clause(sent: _Sentence, rng: random.Random, lib: _Library) -> tuple[str, str] | None:
    """The sentence without a parenthesis, an opening phrase, or a trailing or inserted clause."""
    text = sent.text
    options = [text[: m.start()] + text[m.end() :] for m in re.finditer(r" \([^()]{3,80}\)", text)]
    pieces = text.split(", ")
    if len(pieces) > 1 and len(pieces[0].split()) <= 8 and not _CONDITIONAL.match(pieces[0]):
        options.append(_upper_first(", ".join(pieces[1:])))
    if len(pieces) > 1 and _TRAILING.match(pieces[-1]):
        options.append(", ".join(pieces[:-1]).rstrip(".") + ".")
    options += [", ".join(pieces[:i] + pieces[i + 1 :]) for i in range(1, len(pieces) - 1)
                if _TRAILING.match(pieces[i]) and not _TRAILING.match(pieces[i + 1])]
    options = [o for o in options if len(o.split()) >= 6 and o != text]
    return (rng.choice(options), "clause dropped") if options else None


def _merge(sent: _Sentence, rng: random.Random, lib: _Library) -> tuple[str, str] | None:
    """The sentence and the next one, joined into one."""
    nxt = sent.following
    if not nxt or len((sent.text + nxt).split()) > 70 or not sent.text.endswith("."):
        return None
    return f"{sent.text[:-1]}; {_lower_first(nxt, lib)}", "merged with the next sentence"


def _attribute(sent: _Sentence, rng: random.Random, lib: _Library) -> tuple[str, str] | None:
    return rng.choice(_PREFIXES) + _lower_first(sent.text, lib), "attribution added"


def _reformat(sent: _Sentence, rng: random.Random, lib: _Library) -> tuple[str, str] | None:
    """One rewording an answer writer would make: contractions, '%', 'bn', date order, '&'."""
    options = [(pattern, repl) for pattern, repl in _REWORDINGS if pattern.search(sent.text)]
    if not options:
        return None
    pattern, repl = rng.choice(options)
    return pattern.sub(repl, sent.text, count=1), f"reworded ({pattern.pattern})"


def _change_number(sent: _Sentence, rng: random.Random, lib: _Library) -> tuple[str, str] | None:
    """One figure changed: to another figure in the same chunk, one digit changed, or scaled."""
    text = sent.text
    spans = [m for m in _NUMBER.finditer(text) if not _is_date_part(text, m)]
    if not spans:
        return _change_word_number(text, rng)
    m = rng.choice(spans)
    old = m.group()
    nearby = [n.group() for n in _NUMBER.finditer(lib.chunks[sent.chunk][1])
              if not _is_date_part(lib.chunks[sent.chunk][1], n) and n.group() not in text]
    new = rng.choice(nearby) if nearby and rng.random() < 0.4 else _perturb(old, rng)
    if new == old:
        return None
    return text[: m.start()] + new + text[m.end() :], f"{old} -> {new}"


def _change_word_number(text: str, rng: random.Random) -> tuple[str, str] | None:
    m = _WORD_NUMBER.search(text)
    if not m:
        return None
    new = rng.choice([w for w in _WORD_NUMBERS if w != m.group()])
    return text[: m.start()] + new + text[m.end() :], f"{m.group()} -> {new}"


def _perturb(old: str, rng: random.Random) -> str:
    """A different figure in the same format: a digit changed, or doubled, halved, tenfold."""
    whole, _, frac = old.replace(",", "").partition(".")
    if rng.random() < 0.5:
        digits = list(whole + frac)
        i = rng.randrange(min(2, len(whole)))
        digits[i] = rng.choice([d for d in "123456789" if d != digits[i]])
        value = float("".join(digits[: len(whole)]) + ("." + "".join(digits[len(whole) :]) if frac else ""))
    else:
        value = float(old.replace(",", "")) * rng.choice([2, 0.5, 10, 3])
    decimals = len(frac)
    out = f"{value:,.{decimals}f}" if "," in old or value >= 10000 else f"{value:.{decimals}f}"
    return out


def _is_date_part(text: str, m: re.Match[str]) -> bool:
    """Years and days of months belong to the date changes, not the number changes."""
    if _YEAR.fullmatch(m.group()) or re.match(r"(?:st|nd|rd|th)? (" + "|".join(_MONTHS) + ")", text[m.end() :]):
        return True
    return bool(re.search(r"(?:19|20)\d\d[/-]$", text[: m.start()]))


def _change_date(sent: _Sentence, rng: random.Random, lib: _Library) -> tuple[str, str] | None:
    """One year (or year range), month or day changed."""
    text = sent.text
    options = ([("year", m) for m in _YEAR.finditer(text)] + [("month", m) for m in _MONTH.finditer(text)
               if m.group() != "May" or re.search(r"\d", text[m.start() - 4 : m.end() + 6])]
               + [("day", m) for m in _DAY.finditer(text)])
    if not options:
        return None
    what, m = rng.choice(options)
    old = m.group(1) if what == "day" else m.group()
    if what == "year":
        shift = rng.choice([-5, -3, -2, -1, 1, 2, 3, 5])
        start = int(m.group(1)) + shift
        new = f"{start}{m.group(2)}{(start + int(m.group(3)) - int(m.group(1)) % 100) % 100:02d}" if m.group(2) else str(start)
    elif what == "month":
        new = rng.choice([x for x in _MONTHS if x != old])
    else:
        new = str(rng.choice([d for d in range(1, 29) if str(d) != old]))
    end = m.start() + len(old)
    return text[: m.start()] + new + text[end:], f"{old} -> {new}"


def _swap_name(sent: _Sentence, rng: random.Random, lib: _Library) -> tuple[str, str] | None:
    """One name swapped for another name of the library with as many words: half the time one
    from the same document, which the cited passage may well mention elsewhere."""
    runs = _name_runs(sent.text, lib.capitalised)
    if not runs:
        return None
    old = rng.choice(runs)
    same_doc = {r for s in lib.sentences if s.doc == sent.doc for r in _name_runs(s.text, lib.capitalised)}
    taken = set(content_stems(sent.text))
    pool = [n for n in lib.names.get(len(old.split()), []) if not set(content_stems(n)) & taken]
    local = [n for n in pool if n in same_doc]
    choices = local if local and rng.random() < 0.5 else pool
    if not choices:
        return None
    new = rng.choice(choices)
    return re.sub(rf"\b{re.escape(old)}\b", new, sent.text, count=1), f"{old} -> {new}"


def _name_runs(text: str, capitalised: frozenset[str]) -> list[str]:
    """Runs of words that the library always capitalises (never seen in lower case)."""
    runs = []
    for m in re.finditer(r"(?<![\w-])[A-Z][\w’']*(?: [A-Z][\w’']*)*(?![\w-])", text):
        words = [w for w in m.group().split() if re.sub(r"[’']s$", "", w) in capitalised]
        if words and len(words) == len(m.group().split()) and len(words) <= 3:
            runs.append(m.group())
    return runs


def _always_capitalised(texts: Iterable[str]) -> frozenset[str]:
    """Words capitalised inside sentences and never written in lower case: proper names, by usage
    (a capital after a full stop, quote or line break is no evidence)."""
    seen_lower: set[str] = set()
    seen_upper: set[str] = set()
    for text in texts:
        for m in re.finditer(r"[A-Za-z][\w’'-]*", text):
            bare = re.sub(r"[’']s$", "", m.group())
            if bare[0].islower():
                seen_lower.add(bare)
            elif not _OPENING.search(text[max(0, m.start() - 3) : m.start()]):
                seen_upper.add(bare)
    return frozenset(w for w in seen_upper if w.lower() not in seen_lower and w not in _MONTHS and len(w) > 1
                     and re.sub(r"[’'][a-z]+$", "", w).lower() not in STOPWORDS)


def _flip_negation(sent: _Sentence, rng: random.Random, lib: _Library) -> tuple[str, str] | None:
    """A negation removed ('not', 'never', 'no longer', "n't", 'no') or one inserted after an
    auxiliary verb ('is' -> 'is not', 'can' -> 'cannot')."""
    text = sent.text
    removals = [(p, r) for p, r in _NEGATION if p.search(text)]
    if removals and (rng.random() < 0.6 or not _AUX.search(text)):
        pattern, repl = rng.choice(removals)
        return pattern.sub(repl, text, count=1), f"negation removed ({pattern.pattern})"
    m = _AUX.search(text)
    if not m:
        return None
    new = "cannot" if m.group() == "can" else f"{m.group()} not"
    return text[: m.start()] + new + text[m.end() :], f"negation added ({m.group()} -> {new})"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str, lib: _Library) -> str:
    """Lower-case the first letter unless the first word is a name."""
    first = re.sub(r"[’']s$", "", text.split()[0].strip(",.;:"))
    keep = first in lib.capitalised or any(c.isupper() for c in first[1:])
    return text if keep else text[:1].lower() + text[1:]


def _squash(text: str) -> str:
    return normalise(text).lower().strip(" .")
