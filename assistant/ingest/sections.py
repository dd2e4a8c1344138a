"""Label the parts of a saved web page, so an answer can say 'a reader comment says...'."""

from __future__ import annotations

import re

from assistant.ingest.manifest import SectionAnchor
from assistant.models import Section

ARTICLE = "article"
COMMENT = "comment"

# WordPress-style comment headers: "  2. Simon Kirk says:" on a line of its own.
_COMMENT_HEADER = re.compile(
    r"^[ \t]*(?:\d+\.[ \t]+)?(?P<name>[A-Z][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,4})[ \t]+says:[ \t]*$",
    re.M,
)


def find_sections(text: str, anchors: list[SectionAnchor] | None = None) -> list[Section]:
    """Contiguous labelled sections covering the text; the part before any marker is the article."""
    starts: list[tuple[int, str, str]] = [(0, ARTICLE, "")]
    for anchor in anchors or []:
        # Any run of whitespace in the anchor matches any run in the reading text, which lays
        # blocks out one a line and unwraps lines.
        found = re.search(r"\s+".join(map(re.escape, anchor.starts_at.split())), text)
        if found:
            starts.append((found.start(), anchor.label, ""))
    for match in _COMMENT_HEADER.finditer(text):
        starts.append((match.start(), COMMENT, match.group("name").strip()))
    starts.sort(key=lambda s: s[0])
    sections: list[Section] = []
    for (start, label, speaker), nxt in zip(starts, [*starts[1:], (len(text), "", "")], strict=True):
        if nxt[0] > start:
            sections.append(Section(label=label, start=start, end=nxt[0], speaker=speaker))
    return sections
