"""What the retrievers see of a chunk: its text with its heading (and title) in front, links removed."""

from __future__ import annotations

import re

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
