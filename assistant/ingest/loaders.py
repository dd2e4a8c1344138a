"""Turn a file of any supported type into plain text plus whatever metadata the file carries."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class UnreadableFile(Exception):
    """A file that cannot be ingested; the message is the one-line reason shown to the user."""


@dataclass
class LoadedFile:
    """Extracted text (the text citations point into) and metadata found in the file itself."""

    text: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""
    warnings: list[str] = field(default_factory=list)


def load_file(path: Path, max_bytes: int) -> LoadedFile:
    """Read one file; raises UnreadableFile with a specific reason when it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFile(
            f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableFile(
            f"file is {_size(size)}, over the {_size(max_bytes)} limit (POLICY_ASSISTANT_MAX_FILE_MB)"
        )
    if size == 0:
        raise UnreadableFile("file is empty")
    data = path.read_bytes()
    loader = {".pdf": _load_pdf, ".docx": _load_docx, ".html": _load_html, ".htm": _load_html}.get(
        suffix, _load_plain
    )
    try:
        loaded = loader(data, path)
    except UnreadableFile:
        raise
    except Exception as err:  # a parser's surprise must cost one file, not the whole ingest
        raise UnreadableFile(f"cannot read this {suffix} file ({type(err).__name__}: {err})") from err
    loaded.text = loaded.text.replace("\r\n", "\n").replace("\r", "\n")
    if not loaded.text.strip():
        raise UnreadableFile("no text found in the file")
    loaded.title = loaded.title.strip() or _title_from_text(loaded.text, suffix) or path.stem
    return loaded


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 when it is, else the likeliest legacy encoding (see _guess_legacy); refuses binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []  # Notepad's "Unicode": full of NULs, yet text
        except UnicodeDecodeError as err:
            raise UnreadableFile(f"cannot decode UTF-16 text ({err.reason})") from err
    if b"\x00" in data[:8192] or _control_ratio(data[:8192]) > 0.05:
        raise UnreadableFile("binary content, not text (is the extension wrong?)")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    encoding = _guess_legacy(data)
    try:
        return data.decode(encoding), [f"not UTF-8: decoded as {encoding}"]
    except UnicodeDecodeError as err:
        raise UnreadableFile(f"cannot decode text ({err.reason})") from err


def _guess_legacy(data: bytes) -> str:
    """cp1252 for mostly-Latin text, else charset_normalizer's guess.

    Non-UTF-8 files in an English policy library are nearly always Windows-1252 (Word, Outlook,
    older web pages: smart quotes at 0x91-0x94). charset_normalizer alone misreads short or
    accent-light text of that kind (it took "“Yes”" for UTF-16 and "Naïve" for cp1250), so it is
    consulted only when cp1252 fails or yields mostly non-ASCII letters (Cyrillic, Greek, ...).
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    letters = [ch for ch in text if ch.isalpha()]
    if text and sum(not ch.isascii() for ch in letters) <= 0.3 * len(letters):
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else "cp1252"
    return "cp1252" if encoding in {"ascii", "latin_1", "iso8859_1"} else encoding


def _control_ratio(data: bytes) -> float:
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(data), 1)


def _load_plain(data: bytes, path: Path) -> LoadedFile:
    text, warnings = decode_text(data)
    return LoadedFile(text=text, warnings=warnings)


def _title_from_text(text: str, suffix: str) -> str:
    """A Markdown heading, or a short first line, is the title when the file names none."""
    if suffix == ".md":
        heading = re.search(r"^#{1,2}\s+(.+)$", text, re.M)
        if heading and _plain_title(heading.group(1)):
            return _plain_title(heading.group(1))
    first = next((_plain_title(line) for line in text.splitlines() if _plain_title(line)), "")
    return first if len(first) <= 120 else ""


def _plain_title(line: str) -> str:
    """A title without Markdown emphasis, heading marks or escapes ("**Framework **" -> "Framework")."""
    line = re.sub(r"\\(?=[^\w\s])", "", line)
    line = re.sub(r"[*_`]+|^\s*#+\s*|\s+#+\s*$", "", line)
    return re.sub(r"\s+", " ", line).strip()


def _size(n: int) -> str:
    """A file size readable at any scale (a test limit of 1 KB must not print as '0 MB')."""
    if n >= 2**20:
        return f"{n / 2**20:.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def _load_html(data: bytes, path: Path) -> LoadedFile:
    from bs4 import BeautifulSoup

    text, warnings = decode_text(data)
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "svg"]):
        tag.decompose()

    def meta(*names: str) -> str:
        for name in names:
            tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", property=name)
            if tag and tag.get("content"):
                return str(tag["content"]).strip()
        return ""

    time_tag = soup.find("time")
    date = meta("article:published_time", "date", "dc.date", "DC.date") or (
        str(time_tag.get("datetime", "")) if time_tag else ""
    )
    title = meta("og:title", "dc.title", "DC.title") or (
        soup.title.get_text(strip=True) if soup.title else ""
    )
    author = meta("author", "article:author", "dc.creator", "DC.creator")
    lines = (line.strip() for line in _html_text(soup.body or soup).splitlines())
    plain = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return LoadedFile(
        text=plain, title=title, authors=[author] if author else [], date=_iso_date(date),
        warnings=warnings,
    )


# Elements that start a new line; everything else (b, a, span, em...) flows within a sentence.
_HTML_BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
))


def _html_text(root: Any) -> str:
    """Visible text with a line per block element and source line-wrapping undone.

    BeautifulSoup's get_text("\\n") breaks a line at every tag, so "<b>bold</b>" split a sentence
    in three and sentence-aware chunks and citations fell apart; get_text("") keeps the source
    file's hard wraps instead. This walk does what a browser does.
    """
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    out: list[str] = []

    def walk(node: Any, pre: bool) -> None:
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                out.append(str(node) if pre else re.sub(r"\s+", " ", str(node)))
            return
        if not isinstance(node, Tag):
            return
        block = node.name in _HTML_BLOCKS
        if block:
            out.append("\n")
        for child in node.children:
            walk(child, pre or node.name == "pre")
        if block:
            out.append("\n")

    walk(root, False)
    return "".join(out)


def _load_pdf(data: bytes, path: Path) -> LoadedFile:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableFile("PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info: Any = reader.metadata or {}
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        raise UnreadableFile(f"corrupt or unreadable PDF ({type(err).__name__}: {err})") from err
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise UnreadableFile("PDF has no extractable text (a scan? run OCR first)")
    author = str(info.get("/Author", "") or "")
    return LoadedFile(
        text=text, title=str(info.get("/Title", "") or ""), authors=[author] if author else [],
        date=_pdf_date(str(info.get("/CreationDate", "") or "")),
    )


def _load_docx(data: bytes, path: Path) -> LoadedFile:
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise UnreadableFile(f"corrupt or unreadable DOCX ({type(err).__name__}: {err})") from err
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" | ".join(cell.text for cell in row.cells))
    props = document.core_properties
    created = props.created.date().isoformat() if props.created else ""
    return LoadedFile(
        text="\n\n".join(b.strip() for b in blocks if b.strip()),
        title=props.title or "",
        authors=[props.author] if props.author else [],
        date=created,
    )


def _iso_date(value: str) -> str:
    match = re.match(r"(\d{4})(-\d{2})?(-\d{2})?", value.strip())
    return "".join(g for g in match.groups() if g) if match else ""


def _pdf_date(value: str) -> str:
    match = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", value)
    if not match:
        return ""
    y, m, d = match.groups()
    return "-".join(part for part in (y, m, d) if part)
