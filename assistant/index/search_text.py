"""What the retrievers see of a chunk: its text with its heading (and title) in front, links removed."""

from __future__ import annotations

import re

from assistant.models import Chunk

_LINK = re.compile(r"\\?\(https?://[^)\s]*\\?\)|https?://\S+")


def indexed_text(chunk: Chunk, title: str = "") -> str:
    """What a retriever sees for a chunk: the heading it sits under in front (and the document
    title, for keyword search), and bare links removed (noise to both)."""
    context = " — ".join(part for part in (title, chunk.heading) if part)
    body = _LINK.sub(" ", chunk.text)
    return f"{context}\n{body}" if context else body
