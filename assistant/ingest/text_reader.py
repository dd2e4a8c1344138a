"""Plain text as reading text: paragraphs between blank lines, list items, hard wraps undone.

A line break inside a paragraph is a wrap only when the file is wrapped (its lines stop at
about one width); otherwise each line stands as written (a web page saved as text keeps one
paragraph a line), except that a line starting in lower case after an unfinished one carries
it on.
"""

from __future__ import annotations

import re

from assistant.ingest.reading import ReadingBuilder, ReadingText, list_marker

_BLANK = re.compile(r"\n[ \t]*\n")


def read_text(source: str) -> ReadingText:
    builder = ReadingBuilder()
    paragraphs = [p for p in _BLANK.split(source) if p.strip()]
    wrapped = _is_wrapped(paragraphs)
    for paragraph in paragraphs:
        for level, lines in _runs(paragraph, wrapped):
            if level is None:
                builder.paragraph(lines, continues=True)
            else:
                builder.list_item(lines, level=level)
    return builder.build()


def _runs(paragraph: str, wrapped: bool) -> list[tuple[int | None, list[str]]]:
    """The paragraph's lines grouped into runs: (list level or None for running text, lines)."""
    runs: list[tuple[int | None, list[str]]] = []
    for line in paragraph.splitlines():
        if not line.strip():
            continue
        marker = list_marker(line)
        if marker is not None:
            runs.append((marker[0], [line[marker[1] :]]))
        elif runs and (wrapped or line.lstrip()[:1].islower()):
            runs[-1][1].append(line)
        else:
            runs.append((None, [line]))
    return runs


def _is_wrapped(paragraphs: list[str]) -> bool:
    """Hard-wrapped text: most lines that continue onto another line end near one width."""
    inner = [len(line.rstrip()) for p in paragraphs for line in p.splitlines()[:-1] if line.strip()]
    if len(inner) < 3:
        return False
    width = max(inner)
    return width <= 100 and sum(n >= 0.6 * width for n in inner) >= 0.7 * len(inner)
