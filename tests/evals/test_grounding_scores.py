"""`python -m evals grounding FILE`: the checker scored on labelled answers, per half, at answer,
sentence and span level; and the figures written where asked."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.grounding import ClaimCheck, Support
from assistant.grounding.claims import parse
from evals.cli import app
from evals.grounding.labelled import LabelledAnswer, half, load_labelled, locate, score

PASSAGE = "The clinic opens at 8am. It has 12 doctors and serves 30,000 patients."
ROWS = [
    {"source_id": "qa-100", "task": "QA", "question": "When does the clinic open?", "passages": [PASSAGE],
     "responses": [
         {"model": "m", "response": "Sure! The clinic opens at 8am. It has 12 doctors.", "label": "supported",
          "spans": []},
         {"model": "m", "response": "The clinic opens at 8am. It has 40 doctors.", "label": "unsupported",
          "spans": [{"text": "It has 40 doctors.", "type": "Evident Conflict"}]},
     ]},
    {"source_id": "summary-102", "task": "Summary", "question": "", "passages": [PASSAGE],
     "responses": [
         {"model": "m", "response": "The clinic serves 30,000 patients.", "label": "supported", "spans": []},
     ]},
]


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    return path


def test_sources_split_in_two_halves_by_id() -> None:
    assert half("qa-100") == "A" and half("summary-102") == "B" and half("qa-104") == "A"


def test_marked_spans_are_located_in_the_answer_whatever_the_spacing() -> None:
    assert locate("It has  40 doctors.", "It has 40 doctors.") == (0, 19)
    assert locate("Something else.", "It has 40 doctors.") == (0, 0)


def test_answers_are_flagged_when_any_claim_is_and_spans_are_scored_by_word(tmp_path: Path) -> None:
    answers = load_labelled(_file(tmp_path))
    assert [a.unsupported for a in answers] == [False, True, False]

    def judge(a: LabelledAnswer) -> list[ClaimCheck]:
        out = []
        for d in parse(a.response):
            bad = "40" in d.text
            support = Support(supported=not bad, score=0.0 if bad else 1.0, unsupported=["40 doctors"] if bad else [])
            out.append(ClaimCheck(d, "framing" if d.text.startswith("Sure") else "claim", support, a.response))
        return out

    scores = score(answers, judge)
    every = scores.groups["all"]
    assert (every.answers, every.unsupported, every.recall, every.false_alarms) == (3, 1, 1.0, 0.0)
    assert every.balanced_accuracy == 1.0 and every.sentences_rejected == 0.0
    assert every.span_precision == 1.0 and every.span_recall == 0.5  # "40 doctors" of "It has 40 doctors."
    assert set(scores.groups) >= {"all", "half A", "half B", "QA", "Summary"}


def test_the_command_scores_a_file_and_writes_its_figures(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["grounding", str(_file(tmp_path)), "--no-similarity", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads((out / "grounding.json").read_text())
    assert written["groups"]["all"]["answers"] == 3
    assert "Balanced accuracy" in (out / "grounding.md").read_text()


def test_a_file_that_is_not_labelled_answers_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source_id": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["grounding", str(bad), "--no-similarity", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.output
