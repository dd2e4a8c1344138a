"""Turn a file of any supported type into plain text plus whatever metadata the file carries."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.reading import ReadingText
from assistant.models import DocumentStructure

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class UnreadableFile(Exception):
    """A file that cannot be ingested; the message is the one-line reason shown to the user."""


@dataclass
class LoadedFile:
    """A file's reading text (what citations point into), its structure, and the metadata the
    file itself carries (properties, meta tags, front matter), before any inference."""

    reading: ReadingText
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""
    warnings: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict, repr=False)  # front matter, document properties
    notes: list[str] = field(default_factory=list)  # what reading found or removed, for the ingest report

    @property
    def text(self) -> str:
        return self.reading.text

    @property
    def structure(self) -> DocumentStructure:
        return self.reading.structure


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
    if not loaded.text.strip():
        raise UnreadableFile("no text found in the file")
    loaded.title = loaded.title.strip() or _title_from_blocks(loaded.reading) or path.stem
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


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?(https?://[^)\s>]+)")  # ![Figure 1](https://…/fig.png)


def _load_plain(data: bytes, path: Path) -> LoadedFile:
    text, warnings = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() == ".md":
        from assistant.ingest.markdown_reader import front_matter, read_markdown

        fields, body = front_matter(text)
        figures = " ".join(_MARKDOWN_IMAGE.findall(body))
        return LoadedFile(reading=read_markdown(body), warnings=warnings,
                          fields={**fields, **({"figure_addresses": figures} if figures else {})},
                          title=fields.get("title", ""))
    from assistant.ingest.text_reader import read_text

    return LoadedFile(reading=read_text(text), warnings=warnings)


def _title_from_blocks(reading: ReadingText) -> str:
    """The first heading, or a short first block, is the title when the file names none."""
    blocks = reading.structure.blocks
    first = next((b for b in blocks if b.kind == "heading"), blocks[0] if blocks else None)
    title = reading.text[first.start : first.end] if first else ""
    return title if len(title) <= 120 else ""


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
    publisher = meta("publisher", "dc.publisher", "DC.publisher", "og:site_name")
    canonical = soup.find("link", rel="canonical")
    address = meta("og:url") or (str(canonical.get("href", "")).strip() if canonical else "")
    figures = " ".join(str(img["src"]).strip() for img in soup.find_all("img", src=True)
                       if str(img["src"]).strip().startswith(("http://", "https://")))
    from assistant.ingest.html_reader import read_html

    found = {"publisher": publisher, "page_address": address, "figure_addresses": figures}
    return LoadedFile(
        reading=read_html(soup.body or soup), title=title, authors=[author] if author else [],
        date=_iso_date(date), warnings=warnings, fields={k: v for k, v in found.items() if v},
    )


def _load_pdf(data: bytes, path: Path) -> LoadedFile:
    import pypdfium2 as pdfium

    from assistant.ingest.pdf_reader import read_pdf

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise UnreadableFile("PDF is encrypted (password protected)") from err
        raise UnreadableFile(f"corrupt or unreadable PDF ({err})") from err
    try:
        info = document.get_metadata_dict(skip_empty=True)
        company = document.get_metadata_value("Company")  # Office writes it; not a standard key
        result = read_pdf(document)
    finally:
        document.close()
    if not result.reading.text.strip():
        if result.removed_lines:
            raise UnreadableFile("PDF has only page numbers and running headers as text")
        raise UnreadableFile(
            f"PDF has no text layer on any of its {result.pages} page(s): a scan? run OCR on it first"
        )
    notes = []
    if result.removed_lines:
        shown = "; ".join(repr(r[:60]) for r in result.removed[:3])
        notes.append(f"removed {result.removed_lines} running header/footer and page-number lines ({shown})")
    if result.empty_pages:
        notes.append(f"no text on page(s) {_page_list(result.empty_pages)}: images or scans, not indexed")
    author = str(info.get("Author", "") or "")
    return LoadedFile(
        reading=result.reading, title=str(info.get("Title", "") or ""), authors=[author] if author else [],
        date=_pdf_date(str(info.get("CreationDate", "") or "")), notes=notes,
        fields={**{k.lower(): str(info[k]) for k in ("Creator", "Producer") if k in info},  # not statements
                **({"company": company} if company else {})},
    )


def _page_list(pages: list[int]) -> str:
    shown = ", ".join(str(p) for p in pages[:10])
    return shown + (f" and {len(pages) - 10} more" if len(pages) > 10 else "")


def _load_docx(data: bytes, path: Path) -> LoadedFile:
    import io
    import zipfile

    import docx

    from assistant.ingest.docx_reader import read_docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise UnreadableFile(f"corrupt or unreadable DOCX ({type(err).__name__}: {err})") from err
    reading, title_paragraph = read_docx(document)
    props = document.core_properties
    created = props.created.date().isoformat() if props.created else ""
    return LoadedFile(
        reading=reading, title=props.title or title_paragraph, authors=[props.author] if props.author else [],
        date=created, fields={"title_paragraph": title_paragraph, "company": _docx_company(data)},
    )


def _docx_company(data: bytes) -> str:
    """The Company property (docProps/app.xml, which python-docx does not read); '' when unset."""
    import io
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("docProps/app.xml"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return ""
    company = next((el.text for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "Company"), None)
    return (company or "").strip()


def _iso_date(value: str) -> str:
    match = re.match(r"(\d{4})(-\d{2})?(-\d{2})?", value.strip())
    return "".join(g for g in match.groups() if g) if match else ""


def _pdf_date(value: str) -> str:
    match = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", value)
    if not match:
        return ""
    y, m, d = match.groups()
    return "-".join(part for part in (y, m, d) if part)
