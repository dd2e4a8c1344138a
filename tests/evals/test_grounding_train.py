"""`python -m evals grounding-train`: the calibrated verdict is rebuilt from the same inputs to
the same weights, whatever process does it (no randomness, no dependence on hash order)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.grounding import GroundingChecker
from assistant.grounding.verdict import WEIGHTS_FILE, Vetoes
from evals.cli import app
from evals.grounding.labelled import load_labelled
from evals.grounding.train import Example, SearchTable, answer_rates, collect_answers, fit, planted_rates, veto_grid

ROOT = Path(__file__).resolve().parents[2]
RAGTRUTH = ROOT.parent / "shared" / "evals" / "grounding" / "ragtruth_dev.jsonl"
needs_ragtruth = pytest.mark.skipif(not RAGTRUTH.is_file(), reason="../shared/evals/grounding is not here")

_SIGNALS = """
import json, sys
from pathlib import Path
from assistant.grounding import GroundingChecker
from evals.grounding.labelled import load_labelled
from evals.grounding.train import collect_answers
answers = [a for a in load_labelled(Path(sys.argv[1])) if a.half == "A"][:40]
rows = [e.features(False) if e.signals else None for e in collect_answers(GroundingChecker(), answers)]
print(json.dumps(rows))
"""


@pytest.mark.slow  # two subprocesses under different hash seeds
@needs_ragtruth
def test_the_signals_are_the_same_whatever_the_hash_seed() -> None:
    """Sets of strings iterate in a per-process order; nothing the verdict is fitted on may hang on it."""
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", _SIGNALS, str(RAGTRUTH)], env=env, capture_output=True,
                              text=True, timeout=600, check=True)
        runs.append(json.loads(done.stdout))
    assert len(runs[0]) > 50 and runs[0] == runs[1]


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    """Lexical signals of 60 answers of half A, and some of their claims again as planted cases."""
    if not RAGTRUTH.is_file():
        pytest.skip("../shared/evals/grounding is not here")
    answers = [a for a in load_labelled(RAGTRUTH) if a.half == "A"][:60]
    found = collect_answers(GroundingChecker(), answers)
    planted = [replace(e, answer=-1, answer_unsupported=e.unsupported) for e in found[::3]]
    return found + planted


def test_the_fit_is_the_same_for_the_same_examples(examples: list[Example]) -> None:
    first, choice = fit(examples, semantic=False)
    again, _ = fit(list(examples), semantic=False)
    assert first == again and 0.0 <= choice.threshold <= 1.0


def test_the_quick_search_gives_the_figures_of_the_plain_definitions(examples: list[Example]) -> None:
    """The fit searches vetoes and thresholds on arrays; they must say what Vetoes.rejects,
    answer_rates and planted_rates say."""
    table = SearchTable(examples)
    p = np.linspace(0.0, 1.0, len(examples))
    grid = veto_grid(semantic=True)
    for vetoes in [*grid[::37], Vetoes(("direction",), 0.6, 0.5, 0.5)]:
        slow = np.array([e.signals is not None and vetoes.rejects(e.signals) for e in examples])
        assert (table.rejected(vetoes) == slow).all(), vetoes
        q = np.where(slow, 0.0, p)
        for threshold in (0.2, 0.5, 0.8):
            choice, caught, flagged = table.rates(q, threshold)
            assert choice == answer_rates(q, examples, threshold)
            assert (caught, flagged) == planted_rates(q, examples, threshold)


@pytest.mark.slow
@needs_ragtruth
def test_grounding_train_rebuilds_the_shipped_verdict(tmp_path: Path) -> None:
    """The committed verdict.json is what `grounding-train` makes of the committed code and data."""
    out = tmp_path / "verdict.json"
    result = CliRunner().invoke(app, ["grounding-train", str(RAGTRUTH), "--weights", str(out)])
    assert result.exit_code == 0, result.output
    rebuilt, shipped = json.loads(out.read_text()), json.loads(WEIGHTS_FILE.read_text())
    for model in ("semantic", "lexical"):  # the embedder's last float bits may differ between machines
        assert rebuilt[model]["features"] == shipped[model]["features"]
        assert rebuilt[model]["vetoes"] == shipped[model]["vetoes"]
        assert rebuilt[model]["weights"] == pytest.approx(shipped[model]["weights"], abs=2e-3)
        assert (rebuilt[model]["bias"], rebuilt[model]["threshold"]) == pytest.approx(
            (shipped[model]["bias"], shipped[model]["threshold"]), abs=2e-3)
