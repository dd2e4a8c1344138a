"""Turn a file of any supported type into plain text plus whatever metadata the file carries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

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
            f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit "
            "(POLICY_ASSISTANT_MAX_FILE_MB)"
        )
    if size == 0:
        raise UnreadableFile("file is empty")
    data = path.read_bytes()
    loader = {".pdf": _load_pdf, ".docx": _load_docx, ".html": _load_html, ".htm": _load_html}.get(
        suffix, _load_plain
    )
    loaded = loader(data, path)
    loaded.text = loaded.text.replace("\r\n", "\n").replace("\r", "\n")
    if not loaded.text.strip():
        raise UnreadableFile("no text found in the file")
    loaded.title = loaded.title.strip() or _title_from_text(loaded.text, suffix) or path.stem
    return loaded


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 when it is, else the best guess (cp1252 for Word-era files); refuses binary data."""
    if b"\x00" in data[:8192] or _control_ratio(data[:8192]) > 0.05:
        raise UnreadableFile("binary content, not text (is the extension wrong?)")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in {"ascii", "latin_1", "iso8859_1"}:
        encoding = "cp1252"  # a superset that also maps the smart quotes at 0x91-0x94
    try:
        return data.decode(encoding), [f"not UTF-8: decoded as {encoding}"]
    except UnicodeDecodeError as err:
        raise UnreadableFile(f"cannot decode text ({err.reason})") from err


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
        if heading:
            return heading.group(1).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= 120 else ""


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
    title = meta("og:title", "dc.title") or (soup.title.get_text(strip=True) if soup.title else "")
    author = meta("author", "article:author", "dc.creator")
    body = soup.body or soup
    lines = (line.strip() for line in body.get_text("\n").splitlines())
    plain = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return LoadedFile(
        text=plain, title=title, authors=[author] if author else [], date=_iso_date(date),
        warnings=warnings,
    )


def _load_pdf(data: bytes, path: Path) -> LoadedFile:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableFile("PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
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
