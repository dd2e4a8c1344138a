"""`policy-assistant remove` and `set-meta` as an officer runs them, and what a SIGKILL in the middle leaves.

As in test_crash_safety.py, every write happens in a child process (a real `policy-assistant`), and
this process opens the data folder only at the end to check it: Chroma is not meant to be shared
live between processes. Indexes are built by a child with the small hashing embedder, since what is
checked is bookkeeping; the commands themselves never embed anything.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import HashingEmbedder
from ingest_helpers import assert_index_consistent, cli_command, cli_env, run_cli

from assistant import Assistant, MetaEdit, SearchFilters, Settings
from assistant.config import BUNDLED_KNOWLEDGE

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MJ = "001_296eb1b625b7b62b"
_BUILD = """
import sys
from pathlib import Path
from fakes import HashingEmbedder
from assistant import Assistant, Settings
report = Assistant(Settings(data_dir=Path(sys.argv[2])), embedder=HashingEmbedder()).ingest([Path(sys.argv[1])])
assert not report.partial, report.problems
"""


def build_index(folder: Path, data_dir: Path) -> None:
    """Ingest `folder` into `data_dir` in a child process, with the hashing embedder."""
    env = cli_env()
    env["PYTHONPATH"] = f"{ROOT}:{ROOT / 'tests'}"
    subprocess.run([sys.executable, "-c", _BUILD, str(folder), str(data_dir)], env=env, check=True, timeout=600,
                   cwd=data_dir.parent)


def library_with_generated(folder: Path, generated: int, rng: random.Random) -> list[str]:
    """The bundled library plus `generated` documents of real paragraphs; returns their doc ids."""
    shutil.copytree(BUNDLED_KNOWLEDGE, folder)
    pool = [p.strip() for path in sorted(BUNDLED_KNOWLEDGE.glob("*.txt"))
            for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 200]
    for i in range(generated):
        body = "\n\n".join(rng.sample(pool, 3))
        (folder / f"generated_{i:03d}.txt").write_text(f"Generated digest {i}\n\n{body}\n", encoding="utf-8")
    return [f"generated_{i:03d}" for i in range(generated)]


def open_assistant(data_dir: Path) -> Assistant:
    return Assistant(Settings(data_dir=data_dir), embedder=HashingEmbedder())


def catalogue(data_dir: Path) -> tuple[set[str], dict[str, dict[str, object]], dict[str, tuple[dict[str, object], int]]]:
    """(doc ids, doc_id -> meta, doc_id -> (edit, removed)) as another process sees them now."""
    with sqlite3.connect(data_dir / "catalog.sqlite3", timeout=10) as db:
        metas = {d: json.loads(m) for d, m in db.execute("SELECT doc_id, meta_json FROM documents")}
        overrides = {d: (json.loads(e), r) for d, e, r in db.execute("SELECT doc_id, edit_json, removed FROM overrides")}
        orphans = db.execute("SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()
        stray = db.execute("SELECT COUNT(*) FROM set_aside WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()
    assert orphans[0] == 0 and stray[0] == 0, "a removal left half a document"
    return set(metas), metas, overrides


def generation(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "catalog.sqlite3", timeout=10) as db:
        return int(db.execute("SELECT value FROM state WHERE key='generation'").fetchone()[0])


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*cli_command(), *args], env=cli_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_remove_and_set_meta_from_the_command_line(tmp_path: Path) -> None:
    folder, data_dir = tmp_path / "library", tmp_path / "data"
    shutil.copytree(BUNDLED_KNOWLEDGE, folder)
    data_dir.mkdir()
    build_index(folder, data_dir)

    edited = run_cli("set-meta", MJ, "--title", "Integration pioneers", "--publisher", "Municipal Journal",
                     "--date", "2013-06", "--data-dir", str(data_dir), cwd=tmp_path, timeout=300)
    assert edited.returncode == 0, edited.stderr
    assert "“Integration pioneers” · Michael Burton · Municipal Journal · 2013-06" in edited.stdout
    bad = run_cli("set-meta", MJ, "--date", "June 2013", "--data-dir", str(data_dir), cwd=tmp_path, timeout=300)
    assert bad.returncode == 1 and "'June 2013' is not a date" in bad.stderr
    nothing = run_cli("set-meta", MJ, "--data-dir", str(data_dir), cwd=tmp_path, timeout=300)
    assert nothing.returncode == 1 and "Nothing to change" in nothing.stderr

    removed = run_cli("remove", "003_61361ad6a03f30ee", "no-such-doc", "--data-dir", str(data_dir), cwd=tmp_path,
                      timeout=300)
    assert removed.returncode == 1  # one of the two ids is unknown, and says so
    assert "Removed “Integrated care: making it a reality” (003_61361ad6a03f30ee)." in removed.stdout
    assert "No document in the library has the id 'no-such-doc'" in removed.stderr

    listed = json.loads(run_cli("docs", "--json", "--data-dir", str(data_dir), cwd=tmp_path, timeout=300).stdout)
    by_id = {d["meta"]["doc_id"]: d["meta"] for d in listed}
    assert "003_61361ad6a03f30ee" not in by_id
    assert (by_id[MJ]["title"], by_id[MJ]["date"], by_id[MJ]["date_inferred"]) == ("Integration pioneers", "2013-06", False)

    ingested = run_cli("ingest", str(folder), "--data-dir", str(data_dir), cwd=tmp_path, timeout=900)
    assert "left out (removed by an officer)" in ingested.stdout and "003_61361ad6a03f30ee" in ingested.stdout
    assistant = open_assistant(data_dir)
    assert assistant.document(MJ).meta.title == "Integration pioneers"
    assert "003_61361ad6a03f30ee" not in {d.meta.doc_id for d in assistant.documents()}


def test_remove_killed_at_random_points_leaves_a_consistent_index(tmp_path: Path) -> None:
    rng = random.Random(15)
    folder, data_dir = tmp_path / "library", tmp_path / "data"
    targets = library_with_generated(folder, 40, rng)[:30]
    data_dir.mkdir()
    build_index(folder, data_dir)
    all_docs = catalogue(data_dir)[0]

    killed_mid_run = 0
    for _ in range(3):
        before = generation(data_dir)
        child = start("remove", *targets, "--data-dir", str(data_dir))
        deadline = time.monotonic() + 300
        while generation(data_dir) == before and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        killed_mid_run += child.poll() is None
        child.kill()
        child.wait(timeout=60)
        docs, _, overrides = catalogue(data_dir)
        gone = all_docs - docs
        assert gone <= set(targets), "a document that was not asked for went"
        assert {d for d, (_, removed) in overrides.items() if removed} == gone, "a removal went unrecorded"
    assert killed_mid_run, "every run ended before it was killed"
    finish = run_cli("remove", *targets, "--data-dir", str(data_dir), cwd=tmp_path, timeout=600)
    assert finish.returncode in (0, 1), finish.stderr  # 1: some were removed by the killed runs

    assistant = open_assistant(data_dir)
    assert {d.meta.doc_id for d in assistant.documents()} == all_docs - set(targets)
    report = assistant.ingest([folder])
    assert sorted(report.excluded) == sorted(targets) and report.added == []
    assert_index_consistent(assistant.library)
    for doc_id in targets[:5]:
        words = (folder / f"{doc_id}.txt").read_text(encoding="utf-8")[:300]
        assert not {s.chunk.doc_id for s in assistant.retriever.search(words, 10)} & set(targets)


def test_set_meta_killed_at_random_points_is_all_or_nothing(tmp_path: Path) -> None:
    rng = random.Random(151)
    folder, data_dir = tmp_path / "library", tmp_path / "data"
    shutil.copytree(BUNDLED_KNOWLEDGE, folder)
    data_dir.mkdir()
    build_index(folder, data_dir)

    def edit(i: int) -> tuple[str, ...]:
        return ("set-meta", MJ, "--title", f"Title {i}", "--publisher", f"Publisher {i}", "--date", f"{2000 + i}",
                "--data-dir", str(data_dir))

    began = time.monotonic()
    assert run_cli(*edit(0), cwd=tmp_path, timeout=300).returncode == 0
    duration = time.monotonic() - began
    for i in range(1, 5):
        child = start(*edit(i))
        time.sleep(rng.uniform(0.4, 1.1) * duration)
        child.kill()
        child.wait(timeout=60)
        _, metas, overrides = catalogue(data_dir)
        meta = metas[MJ]
        n = int(str(meta["title"]).split()[-1])
        assert (meta["publisher"], meta["date"]) == (f"Publisher {n}", f"{2000 + n}"), "half an edit"
        assert overrides[MJ][0] == {"title": f"Title {n}", "publisher": f"Publisher {n}", "date": f"{2000 + n}"}
    assert run_cli(*edit(9), cwd=tmp_path, timeout=300).returncode == 0

    assistant = open_assistant(data_dir)
    assistant.ingest([folder])
    meta = assistant.document(MJ).meta
    assert (meta.title, meta.publisher, meta.date, meta.date_inferred) == ("Title 9", "Publisher 9", "2009", False)
    assert {s.chunk.doc_id for s in assistant.retriever.search("integration pioneers", 10,
                                                               SearchFilters(publishers=["Publisher 9"]))} == {MJ}
    assert_index_consistent(assistant.library)
    assert assistant.set_metadata(MJ, MetaEdit(title="Again")).meta.publisher == "Publisher 9"
