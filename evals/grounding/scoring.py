"""`python -m evals grounding` and `grounding-train`: the checker scored on labelled answers, and
its calibrated verdict refitted; figures to grounding.json/.md and, if asked, a run's report."""

from __future__ import annotations

import pickle
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.grounding import ClaimCheck, GroundingChecker
from assistant.grounding.claims import Draft
from evals.grounding import fabrication
from evals.grounding.labelled import (
    AnswerJudge,
    LabelledAnswer,
    LabelledFileError,
    checker_judge,
    load_labelled,
    score,
)
from evals.results import GroundingScores

PLANTED = "planted"


class GroundingRunError(RuntimeError):
    """A labelled file or report that cannot be used, said plainly."""


def score_file(
    file: Path, *, split: str = "all", similarity: bool = True, limit: int = 0, out: Path | None = None,
    report: Path | None = None, console: Console | None = None,
) -> GroundingScores:
    """The checker's figures on a labelled file (or the planted set), written where asked."""
    checker = _checker(similarity)
    planted = str(file) == PLANTED
    try:
        answers = planted_answers() if planted else load_labelled(file)
    except LabelledFileError as problem:
        raise GroundingRunError(str(problem)) from problem
    if split != "all":
        answers = [a for a in answers if a.half == split]
    if limit:
        answers = answers[:limit]
    if not answers:
        raise GroundingRunError(f"{file}: no answers to score (split {split})")
    judge = planted_judge(checker) if planted else checker_judge(checker)
    name = PLANTED if planted else file.name
    with _progress(console) as progress:
        task = progress.add_task(f"Checking {name}", total=len(answers))
        scores = score(answers, judge, file=name + ("" if split == "all" else f" (half {split})"),
                       checker=_describe(checker), progress=lambda n: progress.update(task, completed=n))
    scores.note = ("Halves split by source id (half A tunes the verdict). An answer is flagged when any of "
                   "its claims is; span figures count words.")
    if out is not None:
        write_scores(scores, out)
    if report is not None:
        add_to_report(scores, report)
    return scores


def planted_answers() -> list[LabelledAnswer]:
    """The default planted cases as one-sentence labelled answers (a fabrication wholly marked)."""
    return [LabelledAnswer(source_id=c.id, task=f"planted {c.kind}", question="", passages=tuple(c.passages),
                           model="planted", response=c.sentence, unsupported=c.fabricated,
                           spans=((0, len(c.sentence)),) if c.fabricated else ())
            for c in fabrication.default_cases()]


def planted_judge(checker: GroundingChecker) -> AnswerJudge:
    """A planted case is one claim, checked whole (as the planted figures check it)."""
    def judge(a: LabelledAnswer) -> list[ClaimCheck]:
        draft = Draft(text=a.response, markers=[], line=0, start=0, end=len(a.response))
        return [ClaimCheck(draft, "claim", checker.check(a.response, list(a.passages)), a.response)]
    return judge


def write_scores(scores: GroundingScores, out: Path) -> None:
    from evals.report.tables import grounding_table
    from evals.report.write import markdown_table

    out.mkdir(parents=True, exist_ok=True)
    (out / "grounding.json").write_text(scores.model_dump_json(indent=2), encoding="utf-8")
    (out / "grounding.md").write_text(f"# Grounding checker on {scores.file}\n\n"
                                      f"{markdown_table(grounding_table(scores))}\n", encoding="utf-8")


def add_to_report(scores: GroundingScores, report: Path) -> None:
    """The figures added to a run's report (replacing earlier ones for the same file), reports rewritten."""
    from evals.report import load_report, write_reports

    try:
        run = load_report(report)
    except (OSError, ValueError) as problem:
        raise GroundingRunError(f"{report}: not a run's report ({problem})") from problem
    run.labelled_grounding = [s for s in run.labelled_grounding if s.file != scores.file] + [scores]
    write_reports(run, report if report.is_dir() else report.parent)


def train_file(file: Path, *, max_false_alarms: float = 0.15, cache: Path | None = None,
               console: Console | None = None, weights: Path | None = None) -> str:
    """Refit verdict.json (or write the models to `weights`) on half A of the labelled file and
    the training planted cases. The signals take a while to gather; `cache` keeps them (a pickle,
    valid for this code only) so a refit with other settings is instant."""
    from assistant.grounding.verdict import WEIGHTS_FILE
    from evals.grounding.train import collect_answers, collect_planted, fit, write_weights

    try:
        answers = [a for a in load_labelled(file) if a.half == "A"]
    except LabelledFileError as problem:
        raise GroundingRunError(str(problem)) from problem
    if cache is not None and cache.is_file():
        examples = pickle.loads(cache.read_bytes())
    else:
        checker = _checker(True)
        with _progress(console) as progress:
            task = progress.add_task(f"Signals of {file.name} half A", total=len(answers))
            examples = collect_answers(checker, answers, progress=lambda n: progress.update(task, completed=n))
            progress.update(task, description="Signals of the training planted cases")
            examples += collect_planted(checker)
        if cache is not None:
            cache.write_bytes(pickle.dumps(examples))
    semantic, s_choice = fit(examples, True, max_false_alarms=max_false_alarms)
    lexical, l_choice = fit(examples, False, max_false_alarms=max_false_alarms)
    note = (f"fitted by `python -m evals grounding-train {file}` on half A ({len(answers)} answers) and planted "
            f"seeds; threshold: best answer-level balanced accuracy with false alarms <= {max_false_alarms}")
    path = write_weights(semantic, lexical, note, weights or WEIGHTS_FILE)
    lines = [f"Wrote {path}"]
    for label, choice in (("semantic", s_choice), ("lexical", l_choice)):
        lines.append(f"{label}: threshold {choice.threshold:.4f}; half A balanced accuracy "
                     f"{choice.balanced_accuracy:.3f}, recall {choice.recall:.3f}, false alarms "
                     f"{choice.false_alarms:.3f}, supported sentences rejected {choice.sentences_rejected:.3f}")
    return "\n".join(lines)


def _checker(similarity: bool) -> GroundingChecker:
    if not similarity:
        return GroundingChecker()
    from assistant.index.embedder import SentenceTransformerEmbedder

    return GroundingChecker(SentenceTransformerEmbedder())


def _describe(checker: GroundingChecker) -> str:
    kind = "with MiniLM similarity" if checker.embedder is not None else "lexical (no embedder)"
    return f"GroundingChecker {kind}, calibrated verdict (threshold {checker.verdict.threshold:.3f})"


def _progress(console: Console | None) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console or Console(stderr=True), transient=True)
