"""A Word document as reading text: body paragraphs and tables in document order.

Heading styles ("Heading 2", "Title") and outline levels give the heading tree; list styles and
Word numbering (w:numPr) give list items with their level; a paragraph that is bold throughout
and short is a heading too. Tables become rows, the first one the header.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.ingest.reading import ReadingBuilder, ReadingText, list_marker

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre)\s*(\d)$", re.I)


def read_docx(document: Any) -> tuple[ReadingText, str]:
    """The reading text of a python-docx Document, and the text of its Title-styled paragraph."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    builder = ReadingBuilder()
    styled = [0]  # the last styled heading's level: a bold-line heading sits one below it
    title = ""
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            found = _paragraph(builder, paragraph, styled)
            title = title or found
        elif tag == "tbl":
            _table(builder, Table(element, document))
    return builder.build(), title


def _paragraph(builder: ReadingBuilder, paragraph: Any, styled: list[int]) -> str:
    """Add one paragraph; returns its text when it is the document's Title paragraph."""
    text = paragraph.text
    if not text.strip():
        return ""
    lines = text.replace("\v", "\n").split("\n")
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    heading = _HEADING_STYLE.match(style.strip())
    if style.lower() in ("title", "subtitle"):
        builder.heading(lines, level=1)
        return " ".join(line.strip() for line in lines) if style.lower() == "title" else ""
    level = int(heading.group(1)) if heading else _outline_level(paragraph)
    if level is not None:
        styled[0] = level if heading else level + 1
        builder.heading(lines, level=styled[0])
        return ""
    numbering = _list_level(paragraph, style)
    if numbering is not None:
        builder.list_item(lines, level=numbering)
        return ""
    marker = list_marker(lines[0])
    if marker is not None:
        builder.list_item([lines[0][marker[1] :], *lines[1:]], level=marker[0])
        return ""
    if _bold_throughout(paragraph) and len(text) <= 120 and not text.rstrip().endswith((".", ":")):
        builder.heading(lines, level=styled[0] + 1)
        return ""
    builder.paragraph(lines)
    return ""


def _table(builder: ReadingBuilder, table: Any) -> None:
    for i, row in enumerate(table.rows):
        cells: list[str] = []
        for cell in row.cells:
            if not cells or cell.text != cells[-1]:  # a merged cell repeats in every column it spans
                cells.append(cell.text.replace("\n", " "))
        builder.table_row(cells, header=i == 0 and len(table.rows) > 1)
    builder.end_table()


def _outline_level(paragraph: Any) -> int | None:
    ppr = paragraph._p.pPr
    if ppr is None:
        return None
    found = ppr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl")
    if found is None:
        return None
    value = found.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
    return int(value) if value is not None and value.isdigit() and int(value) < 9 else None


def _list_level(paragraph: Any, style: str) -> int | None:
    """The list level from Word numbering, or from a 'List Bullet 2' style; None when not a list."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        ilvl = ppr.numPr.ilvl
        return int(ilvl.val) if ilvl is not None and ilvl.val is not None else 0
    match = re.match(r"list (?:bullet|number|paragraph)\s*(\d)?", style, re.I)
    if match:
        return int(match.group(1)) - 1 if match.group(1) else 0
    return None


def _bold_throughout(paragraph: Any) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs)
