"""A document's title, date and publisher, read from its own text before its file properties.

File properties are what the last person to save a file left there ("Report template", a
username, the day it was printed), so the text comes first:

- **title**: a title the file states (front matter, a DOCX Title paragraph, HTML meta), else
  the cover's largest heading (with a short subtitle under it, and the years a plan covers on
  the line below), never a running header, a
  cover word ("Contents", "Executive summary") or a page number; the PDF /Title property only
  when the text offers nothing;
- **date**: a statement in the text ("Date published: 29 January, 2025", "Published 12 August
  2025", "Version 5, 8 February 2023", a cover month and year, a journal citation year) is the
  date, not inferred; a copyright year, a date in the file name or the file's own properties
  are used when there is no statement, marked inferred;
- **publisher**: only what states who published or wrote the document (`_publisher` lists the
  evidence, strongest first): a stated field, a copyright holder, a "Published by" imprint, a
  web page's site name or its own address on a known body's website, a journal, a publication
  reference in a body's own scheme, the organisation line of the front page, the organisation
  of the people the report says compiled it, the organisation of a foreword's signatory, the
  known body's website a web page's own figures are served from, a file property naming an
  organisation. A body the text merely names in its prose ("NHS England's five-year forward
  view") is no evidence: with none, the publisher stays empty;
- **authors**: front matter or an "Author:" line; a file's Author property only when that name
  appears in the text (otherwise it is whoever saved the file), and never when it names an
  organisation (that is a publisher).
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
_CITATION = re.compile(r"(?P<journal>[A-Z][A-Za-z&]+(?:\s+[A-Z][A-Za-z&]+){0,5})\s+\((?P<year>(?:19|20)\d\d)\)\s+\d+:\s*\w+")
_ET_AL = re.compile(r"^(?P<authors>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?\s+et\s+al+\.?)", re.M)
_BREADCRUMB = re.compile(r"^(?P<site>[A-Z][^()>\n]{2,80}?)\s*\(https?://[^)]*\)\s*>")
_FIELD_LINE = re.compile(r"^(?P<key>title|author|authors|by|date|published|publisher)\s*:\s*(?P<value>.+)$", re.I)
_GENERIC = frozenset((
    "contents", "content", "introduction", "foreword", "executive summary", "summary", "overview", "abstract",
    "classification: official", "official", "official sensitive", "private and confidential", "confidential",
    "document outline", "draft", "interim report", "report", "guidance", "research and analysis", "policy paper",
    "systematic review", "open access", "systematic review open access", "publication", "applies to england",
))
_FILENAME_MONTH = re.compile(rf"(?<![a-z])(?P<month>{_MONTH})[\s_-]+(?P<year>(?:19|20)?\d\d)(?!\d)", re.I)

# Public bodies that publish health and care policy in the UK, with the short forms texts use:
# only to write a body's name one way ("DHSC" -> its full name) and to recognise a line that is
# nothing but a body's name. Naming one is never evidence that it published the document.
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
# Their websites: a saved web page's own figures are served from its publisher's site. Sites
# shared by many bodies (gov.uk) say nothing of which one published a page, so they are not here.
_SITES = {
    "england.nhs.uk": "NHS England", "hee.nhs.uk": "Health Education England", "digital.nhs.uk": "NHS Digital",
    "improvement.nhs.uk": "NHS Improvement", "nhsproviders.org": "NHS Providers", "nhsconfed.org": "NHS Confederation",
    "cqc.org.uk": "Care Quality Commission", "nice.org.uk": "National Institute for Health and Care Excellence",
    "local.gov.uk": "Local Government Association", "adass.org.uk": "Association of Directors of Adult Social Services",
    "kingsfund.org.uk": "The King's Fund", "health.org.uk": "The Health Foundation",
    "nuffieldtrust.org.uk": "Nuffield Trust", "scie.org.uk": "Social Care Institute for Excellence",
}
# Their publication reference schemes: a reference a body's publications process issued
# ("Publication reference: PRN01756", "PR2087") says whose publication it is.
_REFERENCE_SCHEMES = ((re.compile(r"(?:PRN|PR|PAR)\d{3,6}(?:_[a-z]{1,3})?"), "NHS England"),)
_LOCAL_BODY = re.compile(
    r"\b(?:[A-Z][\w’'&-]+\s+){1,5}(?:Integrated Care Board|ICB|(?:City|County|Borough|District|Metropolitan Borough) Council"
    r"|NHS (?:Foundation )?Trust|Council)\b")
# Words that make a file property's name an organisation's rather than a person's.
_ORGANISATION_WORD = re.compile(
    r"\b(?:NHS|Council|Trust|Board|Department|Agency|Association|Foundation|Institute|Commission|Partnership|"
    r"Authority|Service|Services|Society|Fund|College|University|Office|Ministry|Party|Network|Alliance|"
    r"Federation|Confederation|Centre|Center|CIC)\b")  # not Ltd, Inc: Office fills in the PC maker ("Dell Inc.")
# Evidence that states who published or wrote the document.
_BODY = r"(?:the\s+)?(?P<body>[A-Z][\w’'&-]*(?:\s+(?:[A-Z][\w’'&-]*|and|of|for|in|on))*)"
_IMPRINT = re.compile(  # a line of its own: "Published by NHS England, Wellington House …"
    rf"^(?i:(?:(?:first|originally)\s+)?(?:published|produced|issued)(?:\s+in\s+(?:19|20)\d\d)?\s+by:?\s+){_BODY}")
_DOCUMENT_NOUN = (r"(?:report|survey|document|guidance|guidelines?|paper|publication|framework|plan|review|manual|"
                  r"strategy|briefing|study|toolkit|guide|analysis|procedures?|policy|summary|handbook)")
_SELF_STATED = re.compile(  # "This report was commissioned by NHS England." (the document speaking of itself)
    rf"(?:^|(?<=[.!?]\s))This\s+(?:[^.!?]{{0,80}}?\s)?{_DOCUMENT_NOUN}\b[^.!?]{{0,80}}?\b(?:is|was|has\s+been)\s+"
    rf"(?:published|produced|prepared|written|commissioned|issued|developed|compiled|authored)\s+by\s+{_BODY}")
_COMPILED_BY = re.compile(r"^(?:(?:this\s+)?(?:report|document|paper|guidance)\s+)?"
                          r"(?:compiled|prepared|produced|written|authored)\s+by\s*:?\s*(?P<rest>.*)$", re.I)
_SIGNATORY = re.compile(  # the role line of a signature: "Sir James Mackey, Chief Executive, NHS England"
    r"\b(?:Executive|Chair|Chairman|Chairwoman|Chairperson|Director|Officer|President|Leader|Secretary|Head)\s*,\s*"
    r"(?P<body>.+?)\s*$")
_FOREWORD = re.compile(r"^(?:foreword|preface|introduction\s+by|a\s+message\s+from|message\s+from|dear\b)", re.I)
_PUBLICATION_REFERENCE = re.compile(  # "Publication reference: PRN01756", "Publications approval reference: PAR123"
    r"^publications?\s+(?:approval\s+)?(?:reference|ref\.?)(?:\s+(?:number|no\.?))?\s*:?\s*(?P<reference>\S+)", re.I)
_FIGURE = re.compile(  # a line that is nothing but an image's address: a web page's own figure
    r"^\(?\s*(?P<address>https?://[\w.-]+/[^()\n]*\.(?:png|jpe?g|gif|svg|webp))\s*\)?$", re.I)
_PERIOD = re.compile(  # a cover line giving the years a plan covers: "2026/27 to 2028/29", "2024–2029"
    r"^(?:19|20)\d\d(?:/\d\d)?(?:\s*(?:to|–|-)\s*(?:19|20)\d\d(?:/\d\d)?)?$")
_COPYRIGHT_HOLDER_YEAR = re.compile(  # "© NHS England 2023", "(c) NHS England 2021"
    r"(?:©|\(c\))\s*(?P<holder>[A-Z][^\n©|\d]{2,60}?)\s+(?:19|20)\d\d\b")
_COPYRIGHT_YEAR_HOLDER = re.compile(  # "Copyright © 2024 The King's Fund", "© 2024 Nuffield Trust"
    r"(?:©|\(c\)|(?i:copyright)[ \t]*©?)[ \t]*(?:19|20)\d\d[ \t]+(?:by[ \t]+)?(?P<holder>[A-Z][^\n©|\d.,;]{2,60})")


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
    blocks = loaded.structure.blocks
    lines = [loaded.text[b.start : b.end] for b in blocks]
    fields = {**{k: v for k, v in loaded.fields.items() if v}, **_field_lines(lines[:12])}
    title = _title(loaded, lines, fields)
    date, inferred = _date(loaded, lines, fields, path)
    return Metadata(
        title=title or path.stem, authors=_authors(loaded, fields), publisher=_publisher(loaded, lines, fields),
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
        if _PERIOD.match(line.strip()) and len(title.split()) < 24:  # "Medium Term Planning Framework 2026/27 to 2028/29"
            title = f"{title} {line.strip()}"
            break
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


def _publisher(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """The publishing body, from the first kind of evidence the document has, strongest first;
    '' when nothing states it (never the body the text names most: a blog post discussing NHS
    England's plans is not published by NHS England)."""
    for evidence in (_stated_field, _copyright_holder, _imprint, _site_name, _own_address, _journal,
                     _publication_reference,
                     _cover_organisation, _compilers_organisation, _signatory_organisation, _figure_site,
                     _property_organisation):
        if found := evidence(loaded, lines, fields):
            return found
    return ""


def _stated_field(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """Front matter, a 'Publisher:' line, an HTML publisher or site-name meta tag, or an
    'Author:' line that names an organisation ('Author: NHS England')."""
    if stated := fields.get("publisher", "").strip(" |"):
        return stated
    author = _stated_author(fields).strip(" |")
    return _canonical(author) if _organisation_like(author) else ""


def _copyright_holder(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """'© NHS England 2023' (not '© Crown copyright' nor '© The Author(s)': they name no body)."""
    for pattern in (_COPYRIGHT_HOLDER_YEAR, _COPYRIGHT_YEAR_HOLDER):
        for match in pattern.finditer(loaded.text):
            holder = match.group("holder").strip(" ,.")
            if _name_like(holder) and not re.match(r"(?i)(crown|the author|copyright|all rights)", holder):
                return _canonical(holder)
    return ""


def _imprint(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """A line 'Published by X' at the front or the back, or the document saying of itself 'This
    report was … by X' near its start."""
    for line in lines[:60] + lines[60:][-40:]:
        if (match := _IMPRINT.match(line.strip())) and len(line.split()) <= 30:
            return _canonical(_trim_body(match.group("body")))
    for line in lines[:60]:
        if match := _SELF_STATED.search(line):
            return _canonical(_trim_body(match.group("body")))
    return ""


def _site_name(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """A saved web page's site name, before its breadcrumb: 'Transformation Partners (https://…) > …'."""
    crumb = _BREADCRUMB.match(lines[0]) if lines else None
    return crumb.group("site").strip() if crumb else ""


def _journal(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """A journal article's running head: 'BMC Public Health (2025) 25:1374'."""
    journal = _CITATION.search("\n".join(lines[:6]))
    return journal.group("journal").strip() if journal else ""


def _publication_reference(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """A 'Publication reference:' line at the front or the back whose reference is in a body's
    own scheme ('PRN01756' is NHS England's); a reference in no known scheme says nothing."""
    for line in lines[:60] + lines[60:][-40:]:
        if match := _PUBLICATION_REFERENCE.match(line.strip()):
            reference = match.group("reference").strip(" .,;")
            for scheme, body in _REFERENCE_SCHEMES:
                if scheme.fullmatch(reference):
                    return body
    return ""


def _own_address(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """A web page's own address (its canonical or og:url tag, a `url:` in front matter) on a
    known body's website."""
    address = fields.get("page_address") or fields.get("url") or ""
    return _site_body(address) if re.match(r"https?://", address.strip()) else ""


def _figure_site(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """A saved web page's own figures (Markdown or HTML images, or lines that are nothing but
    an image's address), when all of them are served from one known body's website; a link in
    a sentence is no evidence, and neither are figures from several sites."""
    addresses = [m.group("address") for line in lines if (m := _FIGURE.match(line.strip()))]
    addresses += fields.get("figure_addresses", "").split()
    bodies = {_site_body(a) for a in addresses}
    return bodies.pop() if len(bodies) == 1 else ""


def _site_body(address: str) -> str:
    """The known body whose website an address is on ('https://www.england.nhs.uk/…')."""
    host = re.sub(r"^https?://", "", address.strip().lower()).split("/")[0].split(":")[0]
    return next((body for site, body in _SITES.items() if host == site or host.endswith("." + site)), "")


def _cover_organisation(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """A line that is nothing but a body's name, above the title (GOV.UK pages, report covers)."""
    for line in lines[:3]:
        if len(line.split()) <= 6 and (body := _body_named_by(line)):
            return body
    return ""


def _compilers_organisation(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """'Report compiled by:' and its people's affiliations: the body most of them belong to."""
    for i, line in enumerate(lines[:120]):
        match = _COMPILED_BY.match(line.strip())
        if not match:
            continue
        rest = match.group("rest").strip()
        listed = [rest] if rest else []
        for following in lines[i + 1 : i + 16]:
            if following.rstrip().endswith(":"):
                break
            listed.append(following)
        counts: dict[str, int] = {}
        for entry in listed:
            if body := _body_at_end(entry):
                counts[body] = counts.get(body, 0) + 1
        if counts:
            return max(counts, key=lambda b: counts[b])
    return ""


def _signatory_organisation(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """A foreword signed 'Chief Executive, NHS England': the body its signatory leads."""
    in_foreword = False
    for line in lines[:400]:
        if _FOREWORD.match(line.strip()):
            in_foreword = True
        elif (in_foreword and len(line.split()) <= 8 and (match := _SIGNATORY.search(line))
              and (body := _body_named_by(match.group("body")))):
            return body
    return ""


def _property_organisation(loaded: LoadedFile, lines: list[str], fields: dict[str, str]) -> str:
    """The file's Company property, or an Author property that names an organisation."""
    for name in (fields.get("company", ""), *loaded.authors):
        if _organisation_like(name):
            return _canonical(name.strip())
    return ""


def _trim_body(body: str) -> str:
    """'NHS England Wellington House' is cut at a known body's name; trailing small words go."""
    for name in sorted((n for names in _BODIES.values() for n in names), key=len, reverse=True):
        if body.startswith(name):
            return name
    return re.sub(r"(?:\s+(?:and|of|for|in|on))+$", "", body)


def _canonical(name: str) -> str:
    return _known_body(name) or name


def _known_body(text: str) -> str:
    for body, names in _BODIES.items():
        if any(re.fullmatch(rf"(?:the\s+)?{re.escape(n)}", text.strip(), re.I) for n in names):
            return body
    return ""


def _body_named_by(text: str) -> str:
    """A known public body or a local one (a council, a trust, an ICB) that is the whole text."""
    text = text.strip(" ,.;:|")
    if body := _known_body(text):
        return body
    local = _LOCAL_BODY.fullmatch(text)
    return local.group() if local else ""


def _body_at_end(text: str) -> str:
    """The body an affiliation line ends with: '… Intelligence Directorate Health Education England'."""
    text = text.strip(" ,.;:|")
    for body, names in _BODIES.items():
        if any(re.search(rf"(?:^|\s|,){re.escape(n)}$", text) for n in names):
            return body
    local = re.search(rf"(?:{_LOCAL_BODY.pattern})$", text)
    return local.group().strip() if local else ""


def _name_like(text: str) -> bool:
    """'NHS England', 'The King's Fund', not a clause ('(c) NHS England will report by 2025')."""
    words = text.split()
    return 0 < len(words) <= 8 and all(w[:1].isupper() or w[:1].isdigit() or w in ("and", "of", "for", "the", "in", "on", "&")
                                       for w in words)


def _organisation_like(name: str) -> bool:
    name = name.strip()
    return bool(name) and (bool(_body_named_by(name)) or (
        len(name.split()) >= 2 and bool(_ORGANISATION_WORD.search(name))))


def _authors(loaded: LoadedFile, fields: dict[str, str]) -> list[str]:
    named = _stated_author(fields)
    if named:
        # 'Author: Michael Burton, the MJ |': people, not their affiliation ('the MJ') or an organisation
        parts = [a.strip(" |") for a in re.split(r";|,| and ", named)]
        return [a for a in parts if a and not a[:1].islower() and not _organisation_like(a)]
    et_al = _ET_AL.search(loaded.text[:400])
    if et_al:
        return [re.sub(r"et\s+al+\.?", "et al.", et_al.group("authors"))]
    head = loaded.text[:20000].lower()
    return [a for a in loaded.authors if not _organisation_like(a) and _person_in_text(a, head)]


def _stated_author(fields: dict[str, str]) -> str:
    return fields.get("author") or fields.get("authors") or fields.get("by") or ""


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

