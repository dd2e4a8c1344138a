"""Sentence spans and word normalisation shared by chunking, retrieval, answering and grounding."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import Stemmer

if TYPE_CHECKING:  # NLTK takes seconds to import (it pulls in scipy and sklearn): only on first use
    from nltk.tokenize import PunktTokenizer

_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"[A-Za-z0-9£$€%]+(?:[’'.,-][A-Za-z0-9]+)*")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " ", "–": "-", "—": "-"})

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "let", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "says", "said", "say", "according", "does", "did", "do", "each", "one", "way", "ways"]
)


class Span(NamedTuple):
    start: int
    end: int


@lru_cache(maxsize=1)
def _punkt() -> PunktTokenizer:
    """NLTK's Punkt model, from the copy LlamaIndex bundles (no download). The folder is found
    without importing LlamaIndex, which takes seconds."""
    import nltk
    from nltk.tokenize import PunktTokenizer

    spec = importlib.util.find_spec("llama_index.core")
    assert spec is not None and spec.submodule_search_locations, "llama-index-core is not installed"
    cache = Path(next(iter(spec.submodule_search_locations))) / "_static" / "nltk_cache"
    if str(cache) not in nltk.data.path:
        nltk.data.path.insert(0, str(cache))
    tokenizer = PunktTokenizer("english")
    # Abbreviations policy documents use that the news-trained model does not know: without
    # them "(i.e. a decision …)" and "(e.g. trust guidance)" were cut into two "sentences".
    tokenizer._params.abbrev_types.update(_ABBREVIATIONS)
    return tokenizer


_ABBREVIATIONS = ("i.e", "e.g", "cf", "viz", "approx", "para", "paras", "nos", "fig", "figs", "vol", "pp", "incl",
                  "excl", "dept", "govt", "cllr")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of text[start:end] as absolute spans; a sentence never crosses a line break."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    for line in _LINE.finditer(text, start, end):
        offset = line.start()
        for s, e in _punkt().span_tokenize(line.group()):
            piece = line.group()[s:e]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                spans.append(Span(offset + s + lead, offset + s + lead + len(stripped)))
    return spans


def normalise(text: str) -> str:
    """Straighten quotes and dashes and collapse whitespace, for matching not for display."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


_MAGNITUDE = re.compile(r"(?<![A-Za-z])[£$€]?(\d+(?:\.\d+)?)\s?(bn|m|k)\b", re.I)
_MAGNITUDES = {"bn": "billion", "m": "million", "k": "thousand"}


def words(text: str) -> list[str]:
    """Lower-cased word tokens, quotes straightened, and '£3.8bn' read as '3.8 billion'."""
    text = _MAGNITUDE.sub(lambda m: f"{m.group(1)} {_MAGNITUDES[m.group(2).lower()]}", text.translate(_QUOTES))
    return [w.lower().strip(".,'").lstrip("£$€") for w in _WORD.findall(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (no stopwords): the unit of lexical matching."""
    return stems([w for w in words(text) if w and w not in STOPWORDS])


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one lower-cased word: the project's one stemmer."""
    return str(_stemmer().stemWord(word))


def stems(tokens: list[str]) -> list[str]:
    """Stems of many words at once."""
    return list(_stemmer().stemWords(tokens))
