"""Markdown rendered to reading text: headings, paragraphs, list items and table rows, as plain text.

markdown-it-py (CommonMark, with tables) parses the file, so escapes ("\\(") and emphasis
("**", "_") never reach a reader. Many Markdown files are themselves extracted from PDFs, so
a paragraph that is all bold and short is a heading, a paragraph broken off mid-sentence
carries on its predecessor, and "•" lines are list items.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.ingest.reading import ReadingBuilder, ReadingText, list_marker

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)---[ \t]*\n", re.S)
_LEFTOVER_EMPHASIS = re.compile(r"\*{2,}|_{2,}|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_EMPTY_EMPHASIS = re.compile(r"(\*\*|__)\s*\1")
_BOLD_ONLY = re.compile(r"(?:\*\*|__)(?P<text>[^*_]+?)\s*(?:\*\*|__)")
_PAGE_NUMBER = re.compile(r"\d{1,3}|(?:page|p\.)\s*\d{1,3}(?:\s*of\s*\d{1,3})?", re.I)
_TERMINAL = re.compile(r"[.!?;:,]$")


def front_matter(source: str) -> tuple[dict[str, str], str]:
    """YAML-style `key: value` front matter (between --- lines) and the text after it."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return {}, source
    fields: dict[str, str] = {}
    for line in match.group("body").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-")):
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, source[match.end() :]


def read_markdown(source: str) -> ReadingText:
    """The reading text of a Markdown document (front matter excluded: see `front_matter`)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    return _Renderer().render(tokens)


class _Renderer:
    def __init__(self) -> None:
        self.builder = ReadingBuilder()
        self.depth = -1  # list nesting: -1 outside any list
        self.marked_level = 0  # the last '#' heading's level: bold-line headings sit one below it
        self.pending: list[str] = []  # bold lines that may be one heading broken over lines
        self.row: list[str] = []
        self.header = False

    def render(self, tokens: list[Any]) -> ReadingText:
        items: list[list[str]] = []  # the text of each open list item, innermost last
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "heading_open":
                self._flush()
                text = _inline(tokens[i + 1])
                level = int(token.tag[1])
                if sum(ch.isalpha() for ch in text) >= 2:
                    self.marked_level = level
                    self.builder.heading(text, level)
                else:
                    self.builder.paragraph(text)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self._flush()
                if items and items[-1]:  # the outer item's own text comes before its sub-list
                    self.builder.list_item(items[-1], level=self.depth)
                    items[-1] = []
                self.depth += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.depth -= 1
            elif kind == "list_item_open":
                items.append([])
            elif kind == "list_item_close":
                lines = items.pop()
                if lines:
                    self.builder.list_item(lines, level=self.depth)
            elif kind == "inline" and tokens[i - 1].type == "paragraph_open":
                if items:
                    if items[-1]:  # a second paragraph in one item: an item of its own
                        self.builder.list_item(items[-1], level=self.depth)
                        items[-1] = []
                    items[-1].extend(_inline(token).splitlines())
                else:
                    self._paragraph(token)
            elif kind in ("thead_open",):
                self.header = True
            elif kind in ("thead_close",):
                self.header = False
            elif kind == "tr_open":
                self._flush()
                self.row = []
            elif kind == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
                self.row.append(_inline(token))
            elif kind == "tr_close":
                self.builder.table_row(self.row, header=self.header)
            elif kind == "table_close":
                self.builder.end_table()
            elif kind in ("fence", "code_block"):
                self._flush()
                for line in token.content.splitlines():
                    self.builder.paragraph(line)
            elif kind == "html_block":
                self._flush()
                text = re.sub(r"<[^>]*>", " ", token.content)
                if text.strip():
                    self.builder.paragraph(text.splitlines())
        self._flush()
        return self.builder.build()

    def _paragraph(self, token: Any) -> None:
        raw = _EMPTY_EMPHASIS.sub("", token.content).strip()
        bold = _BOLD_ONLY.fullmatch(raw)
        text = _inline(token)
        if bold and len(text) <= 150 and sum(ch.isalpha() for ch in text) >= 2 and not text.endswith("."):
            if self.pending and _TERMINAL.search(self.pending[-1]):
                self._flush()
            self.pending.append(text)
            return
        self._flush()
        if _PAGE_NUMBER.fullmatch(text.strip()):
            return  # a page number left by the PDF this Markdown was extracted from
        item: list[str] | None = None
        plain: list[str] = []
        level = 0
        for line in text.splitlines():
            marker = list_marker(line)
            if marker is not None:
                if item:
                    self.builder.list_item(item, level=level)
                elif plain:
                    self.builder.paragraph(plain, continues=True)
                    plain = []
                level, start = marker
                item = [line[start:]]
            elif item is not None:
                item.append(line)
            else:
                plain.append(line)
        if item:
            self.builder.list_item(item, level=level)
        elif plain:
            self.builder.paragraph(plain, continues=True)

    def _flush(self) -> None:
        """Emit the bold lines collected so far as one heading."""
        if self.pending:
            self.builder.heading(self.pending, min(self.marked_level + 1, 6))
            self.pending = []


def _inline(token: Any) -> str:
    """An inline token as plain text: emphasis, escapes and link targets gone, line breaks kept."""
    out: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)
    text = "".join(out)
    return _LEFTOVER_EMPHASIS.sub("", text)
