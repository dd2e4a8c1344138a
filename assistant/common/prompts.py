"""Templates from the prompts/ folder, read at run time so wording can change without code."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=32)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def template(folder: Path, name: str) -> str:
    """A whole-file template such as refusal.txt (trailing whitespace trimmed)."""
    return _read(folder / name).strip()


def templates(folder: Path, name: str) -> dict[str, str]:
    """A TOML file of named templates such as extractive.toml."""
    return {k: str(v) for k, v in tomllib.loads(_read(folder / name)).items()}
