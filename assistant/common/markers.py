"""Citation markers: the one pattern for "[1]", "[2, 3]", "[1-3]" and "[Source 2]" wherever answers are read.

The answerers write markers, and the guard, the grounding checker, the chat, the briefing and the
evals read them back; one definition keeps them reading the same thing.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"\[(?:sources?\s*)?(\d{1,3}(?:\s*(?:[,;]|–|-|and)\s*\d{1,3})*)\]", re.I)
"""One marker; group 1 holds its numbers ("2, 3", "1-3")."""

_SPACED = re.compile(r"\s*" + MARKER.pattern, re.I)
_LEADING = re.compile(r"^(?:\s*" + MARKER.pattern + r")+", re.I)
_RANGE = re.compile(r"(\d+)(?:\s*(?:–|-)\s*(\d+))?")


def numbers_in(group: str) -> list[int]:
    """The numbers of one marker's group: "2, 3" -> [2, 3]; "1-3" -> [1, 2, 3] (short ranges only)."""
    out: list[int] = []
    for a, b in _RANGE.findall(group):
        lo, hi = int(a), int(b or a)
        out.extend(range(lo, hi + 1) if 0 <= hi - lo <= 10 else [lo, hi])
    return out


def marker_numbers(text: str) -> list[int]:
    """Every number cited in text, in order of first appearance."""
    return list(dict.fromkeys(n for group in MARKER.findall(text) for n in numbers_in(group)))


def strip_markers(text: str) -> str:
    """Text without its markers (and the spaces before them)."""
    return _SPACED.sub("", text)


def unmarked(text: str) -> str:
    """Quoted text with anything that reads as a citation marker (a paper's own "[16]") escaped
    as Markdown, "\\[16\\]": it still shows as [16] but is no longer read as one of our citations."""
    return MARKER.sub(lambda m: "\\[" + m.group()[1:-1] + "\\]", text)


def leading_markers(text: str) -> re.Match[str] | None:
    """The markers a piece of text begins with ("[1] Bar." after "Foo."), if any."""
    return _LEADING.match(text)
