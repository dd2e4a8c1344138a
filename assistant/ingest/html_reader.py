"""A web page as reading text: what a browser shows, as headings, paragraphs, list items and rows.

Inline elements (b, a, span, em) flow within a sentence; block elements start a new block, and
the source file's hard wraps are undone, as a browser does. Scripts, styles and comments are
never text.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.ingest.reading import ReadingBuilder, ReadingText

# Elements that start a new block; everything else flows within one.
_BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul", "caption",
))
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_DROP = ("script", "style", "noscript", "template", "svg")


def read_html(root: Any) -> ReadingText:
    """The reading text of a parsed page (a BeautifulSoup element, usually <body>)."""
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    return walker.builder.build()


class _Walker:
    def __init__(self) -> None:
        self.builder = ReadingBuilder()
        self.buffer: list[str] = []
        self.kind = "paragraph"
        self.level = 0
        self.list_depth = -1
        self.row: list[str] | None = None
        self.header_row = False

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        if not text.strip():
            return
        lines = text.split("\n")
        if self.row is not None:
            self.row.append(" ".join(line.strip() for line in lines))
        elif self.kind == "heading":
            self.builder.heading(lines, self.level)
        elif self.kind == "list_item":
            self.builder.list_item(lines, level=max(self.list_depth, 0))
        elif self.kind == "caption":
            self.builder.caption(lines)
        elif self.kind == "pre":
            for line in lines:
                self.builder.paragraph(line)
        else:
            for line in lines:  # a <br> inside a paragraph starts a new line
                self.builder.paragraph(line)

    def walk(self, node: Any, pre: bool = False) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import PreformattedString

        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                self.buffer.append(str(node) if pre else re.sub(r"\s+", " ", str(node)))
            return
        if not isinstance(node, Tag) or node.name in _DROP:
            return
        name = node.name
        if name == "br":
            self.buffer.append("\n")
            return
        if name not in _BLOCKS:
            for child in node.children:
                self.walk(child, pre)
            return
        self.flush()
        saved = (self.kind, self.level)
        if name in _HEADINGS:
            self.kind, self.level = "heading", _HEADINGS[name]
        elif name == "li":
            self.kind = "list_item"
        elif name in ("caption", "figcaption"):
            self.kind = "caption"
        elif name == "pre":
            self.kind = "pre"
        elif name in ("ul", "ol"):
            self.list_depth += 1
        elif name == "tr":
            self.row = []
            self.header_row = node.find_parent("thead") is not None or (
                bool(node.find("th")) and not node.find("td"))
        for child in node.children:
            self.walk(child, pre or name == "pre")
        self.flush()
        if name in ("ul", "ol"):
            self.list_depth -= 1
        elif name == "tr" and self.row is not None:
            self.builder.table_row(self.row, header=self.header_row)
            self.row = None
        elif name == "table":
            self.builder.end_table()
        self.kind, self.level = saved
