"""What the retrievers see of a chunk: its text with its heading (and title) in front, links
removed; and the terms keyword search compares."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.common.text import STOPWORDS, stems
from assistant.models import AnswerUnit, Chunk

_LINK = re.compile(r"\\?\(https?://[^)\s]*\\?\)|https?://\S+")


def indexed_text(chunk: Chunk, title: str = "") -> str:
    """What a retriever sees for a chunk: the heading path it sits under in front (and the
    document title, for keyword search), then the lead-in or table header row it continues,
    and bare links removed (noise to both)."""
    context = " — ".join(part for part in (title, chunk.heading) if part)
    body = _LINK.sub(" ", chunk.text)
    lead = f"{chunk.context}\n" if chunk.context else ""
    return f"{context}\n{lead}{body}" if context else f"{lead}{body}"


def unit_text(unit: AnswerUnit) -> str:
    """What is embedded (and keyword-matched) for an answer unit: a list item after its lead-in,
    a table row as 'header cell: row cell' pairs (or after its header when the cells differ)."""
    body = _LINK.sub(" ", unit.text)
    if not unit.lead:
        return body
    if unit.kind == "row":
        heads, cells = _cells(unit.lead), _cells(body)
        if len(heads) == len(cells):
            return "; ".join(f"{h}: {c}" if h else c for h, c in zip(heads, cells, strict=True))
    return f"{_LINK.sub(' ', unit.lead)} {body}"


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " ", "–": "-", "—": "-"})
_TOKEN = re.compile(r"[A-Za-z0-9£$€%]+(?:[&'.,/-][A-Za-z0-9%]+)*")
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d) ?[-/] ?(\d\d)\b")  # 2025/26, 2025-26, 2025 - 26
_MAGNITUDE = re.compile(r"(?<![A-Za-z])[£$€]?(\d+(?:\.\d+)?) ?(bn|m|k)\b", re.I)
_MAGNITUDES = {"bn": "billion", "m": "million", "k": "thousand"}
_AMPERSAND_ACRONYM = re.compile(r"[a-z]{1,3}&[a-z]{1,4}")  # a&e, r&d


def keyword_tokens(text: str, closed_forms: bool = True) -> list[str]:
    """The terms BM25 and unit matching compare: stems of the words that carry meaning, with
    figures, financial years ("2025/26" however it is written) and acronyms such as A&E kept
    whole; a hyphenated word gives its parts and its closed-up form ("four-hour": four, hour,
    fourhour), so "four-hour" meets "four hour". Without `closed_forms`, only its parts: a
    question's terms weighed against a unit's count the word once per part, not three times.

    Short texts (units, headings, titles, questions) come back question after question, so
    their terms are remembered; a chunk's text is read once, when BM25 is built."""
    if len(text) <= _REMEMBERED_CHARS:
        return list(_remembered_tokens(text, closed_forms))
    return _keyword_tokens(text, closed_forms)


_REMEMBERED_CHARS = 1000  # at most 16,384 texts of up to 1,000 characters are held (units: ~200 each)


@lru_cache(maxsize=16384)
def _remembered_tokens(text: str, closed_forms: bool) -> tuple[str, ...]:
    return tuple(_keyword_tokens(text, closed_forms))


def _keyword_tokens(text: str, closed_forms: bool) -> list[str]:
    text = _YEAR_RANGE.sub(r"\1/\2", text.translate(_QUOTES))
    text = _MAGNITUDE.sub(lambda m: f"{m.group(1)} {_MAGNITUDES[m.group(2).lower()]}", text)
    pieces: list[tuple[str, bool]] = []  # (word, to be stemmed)
    for raw in _TOKEN.findall(text):
        word = raw.lower().strip(".,'").lstrip("£$€")
        if not word:
            continue
        if not ("&" in word or "/" in word or "-" in word):
            if word not in STOPWORDS:
                pieces.append((word, True))
        elif _YEAR_RANGE.fullmatch(word) or _AMPERSAND_ACRONYM.fullmatch(word):
            pieces.append((word, False))
        else:
            parts = [p for p in re.split(r"[&/-]", word) if p.strip(".,'")]
            if closed_forms and len(parts) > 1 and "-" in word:
                parts.append("".join(parts))
            pieces += [(p, True) for p in parts if p not in STOPWORDS]
    stemmed = iter(stems([w for w, to_stem in pieces if to_stem]))
    return [next(stemmed) if to_stem else w for w, to_stem in pieces]
