"""Which PDF library reads policy PDFs best: pypdf, pypdfium2 and pdfplumber on ../shared/corpus-pdf.

For each library: the seconds to extract every page's text, and the share of dev_pdf's gold
evidence strings found (a) on their gold page in its raw text, whitespace collapsed, and (b) in
the text of the whole document with its lines unwrapped and repaired as our reading text is
(`reading_form`), the form the product quotes. Then the product's own reader (pypdfium2 plus
layout: ingest/pdf_reader.py) measured the same way on its reading text and page map.
The gold strings were copied from pypdf's text, so (a) favours pypdf by construction.

    python -m evals.bench.pdf_libraries [--corpus DIR] [--dataset FILE] [--out FILE]

pdfplumber is not a dependency: install it to include it (it is skipped otherwise).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import PROJECT_ROOT
from assistant.ingest.reading import reading_form
from evals.metrics import evidence_form, squash

SHARED = PROJECT_ROOT.parent / "shared"


def _pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def _pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        return [document[i].get_textpage().get_text_range().replace("\ufffe", "-") for i in range(len(document))]
    finally:
        document.close()


def _pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


LIBRARIES: dict[str, Callable[[Path], list[str]]] = {"pypdf": _pypdf, "pypdfium2": _pypdfium2, "pdfplumber": _pdfplumber}


def _evidence(dataset: Path) -> list[tuple[str, int, str]]:
    rows = [json.loads(line) for line in dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(d, p, e) for r in rows for d, p, e in zip(r["doc"], r["page"], r["evidence"], strict=True)]


_SAME_LENGTH = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def _find(evidence: str, text: str) -> re.Match[str] | None:
    """The evidence in `text`, any whitespace between its words; offsets are `text`'s own."""
    words = evidence_form(evidence).split(" ")
    return re.search(r"\s+".join(map(re.escape, words)), text.translate(_SAME_LENGTH))


def measure(corpus: Path, dataset: Path) -> dict[str, dict[str, float]]:
    evidence = _evidence(dataset)
    files = sorted(corpus.glob("*.pdf"))
    results: dict[str, dict[str, float]] = {}
    for name, extract in LIBRARIES.items():
        try:
            began = time.perf_counter()
            pages = {f.name: extract(f) for f in files}
            seconds = time.perf_counter() - began
        except ImportError:
            continue
        on_page = sum(squash(evidence_form(e)) in squash(pages[d][p - 1]) for d, p, e in evidence)
        unwrapped = {d: reading_form("\n".join(texts)) for d, texts in pages.items()}
        in_reading = sum(_find(e, unwrapped[d]) is not None for d, p, e in evidence)
        results[name] = {"seconds": round(seconds, 2), "evidence_on_gold_page_raw": round(on_page / len(evidence), 3),
                         "evidence_in_unwrapped_text": round(in_reading / len(evidence), 3)}
    from assistant.ingest.loaders import load_file

    began = time.perf_counter()
    loaded = {f.name: load_file(f, 2**30) for f in files}
    seconds = time.perf_counter() - began
    found = on_page = 0
    for d, p, e in evidence:
        match = _find(e, loaded[d].text)
        found += match is not None
        on_page += match is not None and loaded[d].structure.page_span(match.start(), match.end())[0] == p
    results["product (pypdfium2 + layout)"] = {
        "seconds": round(seconds, 2), "evidence_in_reading_text": round(found / len(evidence), 3),
        "evidence_on_gold_page": round(on_page / len(evidence), 3)}
    return results


def main(
    corpus: Annotated[Path, typer.Option(help="The folder of PDFs.")] = SHARED / "corpus-pdf",
    dataset: Annotated[Path, typer.Option(help="The questions, with 1-based pages per evidence.")] = (
        SHARED / "evals" / "dev_pdf.jsonl"),
    out: Annotated[Path, typer.Option(help="Where the figures are written (JSON).")] = (
        PROJECT_ROOT / "evals" / "runs" / "pdf_libraries.json"),
) -> None:
    """Which PDF library reads policy PDFs best: seconds and evidence found, per library."""
    results = measure(corpus, dataset)
    for name, figures in results.items():
        print(f"{name:30} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    typer.run(main)
