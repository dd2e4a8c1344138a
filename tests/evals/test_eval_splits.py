"""`--split A|B`: fixed halves of a set, stratified by type, the same on every run and machine."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import app, default_out
from evals.dataset import DatasetError, load_dataset, load_named_set, named_sets
from evals.report import write_reports
from evals.results import QuestionResult, RunReport, SystemResult
from evals.splits import SplitError, assign_halves, half_ids

# Half A of the dev set, written down: a change to how halves are drawn must be deliberate.
DEV_HALF_A = ["q005", "q007", "q013", "q015", "q017", "q021", "q029", "q031", "q033", "q039", "q041", "q047",
              "q049", "q057", "q059", "q061", "q063", "q067"]


def sets_here() -> list[str]:
    """The named sets whose files this machine has (the shared ones need ../shared)."""
    present = []
    for name in named_sets():
        try:
            load_named_set(name)
        except DatasetError:
            continue
        present.append(name)
    return present


def test_the_dev_halves_are_fixed() -> None:
    dev = load_named_set("dev")
    assert [q.id for q in dev.half("A").questions] == DEV_HALF_A
    assert dev.half("a").split == "A"  # either case


@pytest.mark.parametrize("name", sets_here())
def test_both_halves_of_every_set_have_every_type_and_share_nothing(name: str) -> None:
    data = load_named_set(name)
    a, b = data.half("A"), data.half("B")
    ids_a, ids_b = {q.id for q in a.questions}, {q.id for q in b.questions}
    assert not ids_a & ids_b and ids_a | ids_b == {q.id for q in data.questions}
    assert abs(len(ids_a) - len(ids_b)) <= 1
    for qtype, n in data.types.items():
        assert {a.types.get(qtype, 0), b.types.get(qtype, 0)} <= {n // 2, (n + 1) // 2}, qtype
    assert a.types["unanswerable"] >= 2 and b.types["unanswerable"] >= 2  # refusal figures on each half
    assert a.set_size == b.set_size == len(data.questions)


def test_a_run_of_part_of_a_set_never_overwrites_the_whole_sets_report() -> None:
    assert default_out("dev_nhs", "", 0) == Path("evals/runs/dev_nhs")
    assert default_out("dev_nhs", "A", 0) == Path("evals/runs/dev_nhs-A")
    assert default_out("dev", "", 5) == Path("evals/runs/dev-first5")


def test_halves_depend_on_ids_and_types_only_not_on_order() -> None:
    pairs = [(f"x{i}", "factual" if i % 3 else "unanswerable") for i in range(30)]
    shuffled = pairs[:]
    random.Random(7).shuffle(shuffled)
    assert assign_halves(pairs) == assign_halves(shuffled)
    assert Counter(assign_halves(pairs).values()) == {"A": 15, "B": 15}
    assert half_ids(shuffled, "B") == [i for i, _ in shuffled if assign_halves(pairs)[i] == "B"]
    with pytest.raises(SplitError, match="the halves are A and B"):
        half_ids(pairs, "C")


def test_only_a_whole_set_is_split(tmp_path: Path) -> None:
    rows = [{"id": f"a{i}", "question": "Q?", "type": "factual"} for i in range(4)]
    path = tmp_path / "four.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    data = load_dataset(path)
    with pytest.raises(DatasetError, match="only a whole set"):
        data.half("A").half("B")
    with pytest.raises(DatasetError, match="only a whole set"):
        data.subset(["a0", "a1"]).half("A")


@pytest.fixture
def whole(
    make_report: Callable[..., RunReport], make_result: Callable[..., QuestionResult],
    make_system: Callable[[str, list[QuestionResult]], SystemResult],
) -> RunReport:
    """A whole-set report of ten questions, two of them unanswerable."""
    results = [make_result(f"q{i}", "unanswerable" if i < 2 else "factual", refused=i < 2, recall=i / 10)
               for i in range(10)]
    made = make_report(make_system("assistant", results))
    made.set_size = 10
    return made


def test_a_whole_report_splits_like_its_set_and_shows_both_halves(whole: RunReport, tmp_path: Path) -> None:
    report = whole
    halves = assign_halves((q.id, q.type) for q in report.primary.questions)
    a = report.half("A")
    assert a.split == "A" and {q.id for q in a.primary.questions} == {i for i, h in halves.items() if h == "A"}
    assert a.half("A") is a
    assert set(report.by_half) == {"A", "B"} and a.by_half == {}
    assert report.by_half["A"]["assistant"].refusal_recall == 1.0  # one unanswerable question in each half
    md = write_reports(report, tmp_path)["md"].read_text()
    assert "## By half" in md and "| half A | 5 |" in md
    md_a = write_reports(a, tmp_path / "a")["md"].read_text()
    assert "## By half" not in md_a and "tiny half A (5 of 10 questions" in md_a
    with pytest.raises(SplitError, match="not half B"):
        a.half("B")


def test_a_limited_report_cannot_be_split(whole: RunReport) -> None:
    report = whole
    report.set_size = 12
    assert not report.complete and report.by_half == {}
    with pytest.raises(SplitError, match="--limit"):
        report.half("A")


def test_compare_takes_a_half_of_whole_reports(whole: RunReport, tmp_path: Path) -> None:
    report = whole
    write_reports(report, tmp_path / "r")
    runner = CliRunner()
    compared = runner.invoke(app, ["compare", str(tmp_path / "r"), str(tmp_path / "r"), "--split", "B"])
    assert compared.exit_code == 0, compared.output
    assert "tiny half B (5 questions)" in compared.output and "not comparable" not in compared.output
    wrong = runner.invoke(app, ["compare", str(tmp_path / "r"), str(tmp_path / "r"), "--split", "C"])
    assert wrong.exit_code == 2 and "the halves are A and B" in wrong.output
    write_reports(report.half("A"), tmp_path / "a")
    mixed = runner.invoke(app, ["compare", str(tmp_path / "r"), str(tmp_path / "a")])
    assert "not comparable" in mixed.output
