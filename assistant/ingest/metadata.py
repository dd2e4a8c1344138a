"""A document's title, date and publisher, read from its own text before its file properties.

File properties are what the last person to save a file left there ("Report template", a
username, the day it was printed), so the text comes first:

- **title**: a title the file states (front matter, a DOCX Title paragraph, HTML meta), else
  the cover's largest heading (with a short subtitle under it), never a running header, a
  cover word ("Contents", "Executive summary") or a page number; the PDF /Title property only
  when the text offers nothing;
- **date**: a statement in the text ("Date published: 29 January, 2025", "Published 12 August
  2025", "Version 5, 8 February 2023", a cover month and year, a journal citation year) is the
  date, not inferred; a copyright year, a date in the file name or the file's own properties
  are used when there is no statement, marked inferred;
- **publisher**: the body the text names as publishing it (a copyright holder, a "published
  by", a site name before a web page's breadcrumb, an organisation line above the title, a
  journal), else the public body the text names most often outside its reference list;
- **authors**: front matter or an "Author:" line; a file's Author property only when that name
  appears in the text (otherwise it is whoever saved the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.ingest.loaders import LoadedFile

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY_MONTH_YEAR = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\.?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I)
_MONTH_YEAR = re.compile(rf"\b(?P<month>{_MONTH})\.?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)(?:-(?P<day>\d\d))?\b")
_STATEMENT = re.compile(
    r"^(?:date\s+published|publication\s+date|date\s+of\s+publication|published(?:\s+on)?|first\s+published|"
    r"issued|date|version\s+[\w.]+,?|issue\s+date)\b[:\s,]*", re.I)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?P<holder>[^\n©|]*?)\s*(?P<year>(?:19|20)\d\d)\b", re.I)
_COPYRIGHT_HOLDER_FIRST = re.compile(r"©\s*(?P<holder>[A-Z][^\n©|\d]{2,60}?)\s+(?P<year>(?:19|20)\d\d)\b")
_CITATION = re.compile(r"(?P<journal>[A-Z][A-Za-z&]+(?:\s+[A-Z][A-Za-z&]+){0,5})\s+\((?P<year>(?:19|20)\d\d)\)\s+\d+:\s*\w+")
_ET_AL = re.compile(r"^(?P<authors>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?\s+et\s+al+\.?)", re.M)
_BREADCRUMB = re.compile(r"^(?P<site>[A-Z][^()>\n]{2,80}?)\s*\(https?://[^)]*\)\s*>")
_PUBLISHED_BY = re.compile(r"\bpublished\s+by\s+(?:the\s+)?(?P<body>[A-Z][\w’'&-]*(?:\s+(?:[A-Z][\w’'&-]*|and|of|for|in))*)")
_FIELD_LINE = re.compile(r"^(?P<key>title|author|authors|by|date|published|publisher)\s*:\s*(?P<value>.+)$", re.I)
_GENERIC = frozenset((
    "contents", "content", "introduction", "foreword", "executive summary", "summary", "overview", "abstract",
    "classification: official", "official", "official sensitive", "private and confidential", "confidential",
    "document outline", "draft", "interim report", "report", "guidance", "research and analysis", "policy paper",
    "systematic review", "open access", "systematic review open access", "publication", "applies to england",
))
_FILENAME_MONTH = re.compile(rf"(?<![a-z])(?P<month>{_MONTH})[\s_-]+(?P<year>(?:19|20)?\d\d)(?!\d)", re.I)

# Public bodies that publish health and care policy in the UK, with the short forms texts use.
# A name is counted only where it stands as a body (not inside a reference list entry).
_BODIES = {
    "NHS England": ("NHS England", "NHSE"),
    "Department of Health and Social Care": ("Department of Health and Social Care", "DHSC"),
    "Department of Health": ("Department of Health",),
    "Health Education England": ("Health Education England", "HEE"),
    "Skills England": ("Skills England",),
    "NHS Digital": ("NHS Digital",),
    "NHS Improvement": ("NHS Improvement",),
    "NHS Providers": ("NHS Providers",),
    "NHS Confederation": ("NHS Confederation",),
    "Public Health England": ("Public Health England",),
    "UK Health Security Agency": ("UK Health Security Agency", "UKHSA"),
    "Care Quality Commission": ("Care Quality Commission",),
    "National Institute for Health and Care Excellence": ("National Institute for Health and Care Excellence", "NICE"),
    "Local Government Association": ("Local Government Association",),
    "Association of Directors of Adult Social Services": ("Association of Directors of Adult Social Services", "ADASS"),
    "The King's Fund": ("The King's Fund", "King's Fund", "King’s Fund"),
    "The Health Foundation": ("The Health Foundation",),
    "Nuffield Trust": ("Nuffield Trust",),
    "Social Care Institute for Excellence": ("Social Care Institute for Excellence", "SCIE"),
    "Labour Party": ("Labour Party",),
    "Conservative Party": ("Conservative Party",),
    "Liberal Democrats": ("Liberal Democrats",),
}
_WEIGHT = {"Department of Health and Social Care": 3.0, "Department of Health": 3.0, "NHS England": 1.5,
           "Health Education England": 1.5, "Skills England": 1.5, "NHS Digital": 1.5, "NHS Improvement": 1.5}
_LOCAL_BODY = re.compile(
    r"\b(?:[A-Z][\w’'&-]+\s+){1,5}(?:Integrated Care Board|ICB|(?:City|County|Borough|District|Metropolitan Borough) Council"
    r"|NHS (?:Foundation )?Trust|Council)\b")


@dataclass
class Metadata:
    """What the file and its text say about a document."""

    title: str
    authors: list[str]
    publisher: str
    date: str
    date_inferred: bool


def infer_metadata(loaded: LoadedFile, path: Path) -> Metadata:
    """Title, authors, publisher and date of a loaded file, from its text first (see module doc)."""
    text = loaded.text
    blocks = loaded.structure.blocks
    lines = [text[b.start : b.end] for b in blocks]
    fields = {**{k: v for k, v in loaded.fields.items() if v}, **_field_lines(lines[:12])}
    title = _title(loaded, lines, fields)
    date, inferred = _date(loaded, lines, fields, path)
    return Metadata(
        title=title or path.stem, authors=_authors(loaded, fields), publisher=_publisher(text, lines, fields),
        date=date, date_inferred=inferred,
    )


# -- title ------------------------------------------------------------------------------------------


def _title(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    stated = fields.get("title") or fields.get("title_paragraph") or ""
    if stated and not _generic(stated) and loaded.structure.pages == 0:
        return _tidy(stated)
    cover = _cover_title(loaded, lines)
    if cover:
        return cover
    if stated and not _generic(stated):
        return _tidy(stated)
    first = next((line for line in lines[:12] if _title_like(line) and len(line.split()) >= 3
                  and not line.rstrip().endswith(".")), "")
    return _tidy(first)


def _cover_title(loaded: LoadedFile, lines: list[str]) -> str:
    """The largest heading near the start (on page 1 of a PDF), with a short subtitle below it."""
    blocks = loaded.structure.blocks
    window = [i for i, b in enumerate(blocks[:12]) if b.page is None] or [
        i for i, b in enumerate(blocks[:40]) if b.page == 1]
    headings = [i for i in window if blocks[i].kind == "heading" and _title_like(lines[i])]
    if not headings:
        return ""
    # The title is the fullest of the headings in the two largest sizes (a short banner such as
    # "Summary and Recommendations" may be set larger than the title itself).
    if loaded.structure.pages:
        levels = sorted({blocks[i].level for i in headings})[:2]
        top = [i for i in headings if blocks[i].level in levels]
        main = max(top, key=lambda i: (len(lines[i].split()) if len(lines[i].split()) <= 25 else 0, -i))
    else:  # no sizes to go by: the first heading
        main = headings[0]
    title = _tidy(lines[main])
    following = main + 1
    while following < len(blocks) and following in window:
        block, line = blocks[following], lines[following]
        if _generic(line) or _date_only(line):
            break
        joins = block.kind == "heading" and (line[:1].islower() or block.level > blocks[main].level)
        short = (block.kind == "paragraph" and len(line.split()) <= 10 and len(title.split()) <= 5
                 and not re.search(r"[.!?:;(),]", line) and not _STATEMENT.match(line))
        if not (joins or short) or not _title_like(line) or len(title.split()) + len(line.split()) > 24:
            break
        separator = " " if block.kind == "heading" and not line[:1].islower() and not _ends_phrase(title) else ": "
        title = f"{title}{separator}{line}"
        following += 1
        if block.kind != "heading":
            break
    return _tidy(title)


def _ends_phrase(title: str) -> bool:
    return bool(re.search(r"[:\-–—]$", title)) or len(title.split()) >= 4


def _title_like(line: str) -> bool:
    words = line.split()
    letters = sum(ch.isalpha() for ch in line)
    return (0 < len(words) <= 25 and letters >= 4 and not _generic(line) and not _date_only(line)
            and "http" not in line and not _CITATION.search(line) and not _ET_AL.match(line)
            and not _STATEMENT.match(line))


def _generic(line: str) -> bool:
    low = re.sub(r"\s+", " ", line.strip().lower().strip(" .:|"))
    return low in _GENERIC or bool(re.fullmatch(r"(?:page\s*)?[\divxlc]+(?:\s*(?:of|/)\s*\d+)?|p\.\s*\d+", low))


def _tidy(title: str) -> str:
    """Spaces collapsed, and a title set in capitals written in sentence case ("FIT FOR THE FUTURE")."""
    from assistant.ingest.words import rank

    title = re.sub(r"\s+", " ", title).strip(" .:-–")
    letters = [ch for ch in title if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters) and len(title.split()) > 1:
        words = []
        for i, word in enumerate(title.split()):
            found = rank(word.lower())
            keep = found is None or found > 3000 or (len(word) <= 2 and word not in ("OF", "TO", "IN", "ON", "AT", "BY"))
            words.append(word if keep else (word.lower().capitalize() if i == 0 else word.lower()))
        title = " ".join(words)
    return title


# -- dates ------------------------------------------------------------------------------------------


def _date(loaded: LoadedFile, lines: list[str], fields: dict[str, str], path: Path) -> tuple[str, bool]:
    for key in ("date", "published"):
        if key in fields and (found := _parse_date(fields[key])):
            return found, False
    head = lines[:40]
    for line in head:  # "Date published: 29 January, 2025", "Version 5, 8 February 2023"
        statement = _STATEMENT.match(line)
        if statement and "updated" not in line[: statement.end()].lower() and (found := _parse_date(line[statement.end():])):
            return found, False
    cover = [lines[i] for i, b in enumerate(loaded.structure.blocks[:25]) if b.page in (None, 1)]
    for line in cover:  # a cover date: "July 2025", "24 October 2022", "HEE Digital Readiness Programme March 2021"
        if len(line.split()) <= 8 and (found := _parse_date(line, at_end=True)):
            return found, False
    citation = _CITATION.search("\n".join(head[:6]))
    if citation:
        return citation.group("year"), False
    copyright_years = [int(m.group("year")) for m in _COPYRIGHT.finditer(loaded.text)]
    if copyright_years:
        return str(max(copyright_years)), True
    named = _date_in_name(path.stem)
    if named:
        return named, True
    if not loaded.date:
        return "", False
    # A file saved or printed long after everything its text mentions: the text's latest year.
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", loaded.text) if int(y) <= int(loaded.date[:4])]
    if years and max(years) < int(loaded.date[:4]) - 1:
        return str(max(years)), True
    return loaded.date, True


def _parse_date(text: str, at_end: bool = False) -> str:
    """The first date in a piece of text, as precise as it is written ('2025-01-29', '2025-07')."""
    text = text.strip()
    for pattern in (_DAY_MONTH_YEAR, _MONTH_YEAR, _ISO):
        match = pattern.search(text)
        if match and (not at_end or not text[match.end():].strip(" .,)")):
            groups = match.groupdict()
            month = groups["month"]
            number = int(month) if month.isdigit() else _month_number(month)
            if not 1 <= number <= 12:
                continue
            day = groups.get("day")
            return f"{match.group('year')}-{number:02d}" + (f"-{int(day):02d}" if day else "")
    if not at_end and (year := re.match(r"^((?:19|20)\d\d)\b", text)):
        return year.group(1)
    return ""


def _month_number(name: str) -> int:
    low = name.lower().rstrip(".")
    return next((n for full, n in _MONTHS.items() if full.startswith(low[:3])), 0)


def _date_only(line: str) -> bool:
    return bool(_parse_date(line, at_end=True)) and len(line.split()) <= 4


def _date_in_name(stem: str) -> str:
    match = _FILENAME_MONTH.search(stem.replace("_", " "))
    if not match:
        return ""
    year = match.group("year")
    year = year if len(year) == 4 else f"20{year}"
    return f"{year}-{_month_number(match.group('month')):02d}"


# -- publisher and authors --------------------------------------------------------------------------


def _publisher(text: str, lines: list[str], fields: dict[str, str]) -> str:
    if fields.get("publisher"):
        return fields["publisher"]
    head = "\n".join(lines[:60])
    for match in _COPYRIGHT_HOLDER_FIRST.finditer(text):
        holder = match.group("holder").strip(" ,.")
        if holder and not re.match(r"(?i)(crown|the author|copyright)", holder):
            return _canonical(holder)
    if lines and (crumb := _BREADCRUMB.match(lines[0])):
        return crumb.group("site").strip()
    published = _PUBLISHED_BY.search(head)
    if published:
        return _canonical(published.group("body").strip())
    journal = _CITATION.search("\n".join(lines[:6]))
    if journal:
        return journal.group("journal").strip()
    for line in lines[:3]:  # an organisation line above the title (GOV.UK pages)
        body = _known_body(line)
        if body and len(line.split()) <= 5:
            return body
    return _most_named(text)


def _canonical(name: str) -> str:
    return _known_body(name) or name


def _known_body(text: str) -> str:
    for body, names in _BODIES.items():
        if any(re.fullmatch(rf"(?:the\s+)?{re.escape(n)}", text.strip(), re.I) for n in names):
            return body
    return ""


def _most_named(text: str) -> str:
    """The body the text names most often, leaving out its reference list ("NHS England. 'Title' 2024").

    A government department named at all outweighs the arm's-length bodies a policy discusses
    (NICE, the CQC): each of its mentions counts three times, a national NHS body's 1.5 times.
    """
    counts: dict[str, float] = {}
    for body, names in _BODIES.items():
        pattern = r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b(?!\.\s*['‘“])"
        counts[body] = len(re.findall(pattern, text)) * _WEIGHT.get(body, 1.0)
    for match in _LOCAL_BODY.finditer(text):
        counts[match.group()] = counts.get(match.group(), 0) + 1
    # "Department of Health" is inside "Department of Health and Social Care", its successor.
    counts["Department of Health and Social Care"] += counts.pop("Department of Health") - counts[
        "Department of Health and Social Care"]
    best = max(counts, key=lambda b: counts[b], default="")
    return best if best and counts[best] >= 1 else ""


def _authors(loaded: LoadedFile, fields: dict[str, str]) -> list[str]:
    named = fields.get("author") or fields.get("authors") or fields.get("by") or ""
    if named:
        return [a.strip() for a in re.split(r";|,| and ", named) if a.strip()]
    et_al = _ET_AL.search(loaded.text[:400])
    if et_al:
        return [re.sub(r"et\s+al+\.?", "et al.", et_al.group("authors"))]
    head = loaded.text[:20000].lower()
    return [a for a in loaded.authors if _person_in_text(a, head)]


def _person_in_text(name: str, text: str) -> bool:
    """A file's Author property is kept only when the text names that person too."""
    parts = [p for p in re.split(r"[\s,]+", name.lower()) if len(p) > 1]
    return (len(parts) >= 2 and all(p in text for p in parts) and " ".join(parts) in text) or (
        len(parts) >= 2 and " ".join(reversed(parts)) in text)


def _field_lines(lines: list[str]) -> dict[str, str]:
    """'Title: …', 'Author: …', 'Date: …' lines at the top of a document."""
    found: dict[str, str] = {}
    for line in lines:
        match = _FIELD_LINE.match(line.strip())
        if match:
            key = match.group("key").lower()
            found.setdefault("author" if key in ("authors", "by") else key, match.group("value").strip())
    return found

