"""The architecture as a specification: the import rules hold, and the tool that checks them bites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import assistant

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=300)


def _copy_tree(target: Path) -> Path:
    for part in ("assistant", "evals"):
        shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__", "runs"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_import_rules_hold_on_this_tree(tmp_path: Path) -> None:
    result = _lint_imports(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_index_module_importing_ingest_breaks_the_rules(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    bm25 = tree / "assistant" / "index" / "bm25.py"
    bm25.write_text(bm25.read_text() + "\nfrom assistant.ingest import chunking  # noqa\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "assistant.index.bm25 -> assistant.ingest.chunking" in result.stdout


def test_a_face_reaching_past_the_facade_breaks_the_rules(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    api = tree / "assistant" / "api.py"
    api.write_text(api.read_text() + "\nfrom assistant.index import catalog  # noqa\n")
    result = _lint_imports(tree)
    assert result.returncode != 0 and "assistant.api -> assistant.index.catalog" in result.stdout


def test_every_name_the_facade_exports_resolves() -> None:
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None, name
