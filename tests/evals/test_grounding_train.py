"""`python -m evals grounding-train`: the calibrated verdict is rebuilt from the same inputs to
the same weights, whatever process does it (no randomness, no dependence on hash order)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.grounding import GroundingChecker
from evals.grounding.ragtruth import load_labelled
from evals.grounding.train import collect_answers, fit

ROOT = Path(__file__).resolve().parents[2]
RAGTRUTH = ROOT.parent / "shared" / "evals" / "grounding" / "ragtruth_dev.jsonl"
needs_ragtruth = pytest.mark.skipif(not RAGTRUTH.is_file(), reason="../shared/evals/grounding is not here")

_SIGNALS = """
import json, sys
from pathlib import Path
from assistant.grounding import GroundingChecker
from evals.grounding.ragtruth import load_labelled
from evals.grounding.train import collect_answers
answers = [a for a in load_labelled(Path(sys.argv[1])) if a.half == "A"][:40]
rows = [e.features(False) if e.signals else None for e in collect_answers(GroundingChecker(), answers)]
print(json.dumps(rows))
"""


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


@needs_ragtruth
def test_the_fit_is_the_same_for_the_same_examples() -> None:
    answers = [a for a in load_labelled(RAGTRUTH) if a.half == "A"][:60]
    examples = collect_answers(GroundingChecker(), answers)
    first, choice = fit(examples, semantic=False)
    again, _ = fit(list(examples), semantic=False)
    assert first == again and 0.0 <= choice.threshold <= 1.0
