"""The library manifest (manifest.toml beside the documents): metadata that files do not carry."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, Field

MANIFEST_NAME = "manifest.toml"


class SectionAnchor(BaseModel):
    """A section that begins at the first occurrence of `starts_at`."""

    label: str
    starts_at: str


class ManifestEntry(BaseModel):
    """What we know about one file of the library."""

    file: str
    id: str = ""
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    author_role: str = ""
    publisher: str = ""
    date: str = ""
    kind: str = ""
    notes: str = ""
    section: list[SectionAnchor] = Field(default_factory=list)


def read_manifest(folder: Path) -> dict[str, ManifestEntry]:
    """Entries of folder/manifest.toml by file name; empty when there is none."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = [ManifestEntry.model_validate(item) for item in raw.get("document", [])]
    return {entry.file: entry for entry in entries}
