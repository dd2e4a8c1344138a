"""`python -m evals`: run a dataset, compare two reports, check a report against the gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.config import force_offline

if TYPE_CHECKING:
    from assistant.retrieve import Mode
    from evals.dataset import Dataset
    from evals.results import RunReport
    from evals.runner import AnswerMode

app = typer.Typer(help="Evaluate the policy assistant on a gold question set.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command()
def run(
    set_name: Annotated[
        Optional[str],
        typer.Option("--set", help="A named set: dev (the default), dev_nhs or dev_pdf (evals/datasets/NAME.corpus.json)."),
    ] = None,
    dataset: Annotated[Optional[Path], typer.Option(help="A JSONL question set (instead of --set).")] = None,
    corpus: Annotated[
        Optional[list[Path]],
        typer.Option(
            help="Files or folders to ingest (--corpus knowledge ../shared/corpus-nhs); default: the "
            "set's corpus (the dataset's <name>.corpus.json), else the bundled library."
        ),
    ] = None,
    split: Annotated[
        Optional[str], typer.Option(help="Only half A or B of the set (fixed, stratified by type; see README).")
    ] = None,
    mode: Annotated[str, typer.Option(help="Answerer: extractive or llm.")] = "extractive",
    retrieval: Annotated[str, typer.Option(help="Our retrieval: hybrid, dense or bm25.")] = "hybrid",
    out: Annotated[
        Optional[Path],
        typer.Option(help="Folder for report.json/.md/.html (default: evals/runs/SET, SET-A for a half, SET-first5 "
                     "for --limit 5)."),
    ] = None,
    baselines: Annotated[bool, typer.Option(help="Also run the BM25-only and LlamaIndex baselines.")] = True,
    planted: Annotated[bool, typer.Option(help="Include the planted-fabrication figures.")] = True,
    limit: Annotated[int, typer.Option(help="Only the first N questions (0: all), for a quick look.")] = 0,
) -> None:
    """Ingest the corpus into a throwaway index, answer every question, write the reports."""
    force_offline()
    from evals.dataset import DatasetError
    from evals.report import write_reports
    from evals.runner import CorpusProblem, ModeUnavailable
    from evals.splits import SplitError

    _check_choice("--mode", mode, ("extractive", "llm"))
    _check_choice("--retrieval", retrieval, ("hybrid", "dense", "bm25"))
    try:
        data = _questions(set_name, dataset, corpus, split, limit)
        report = _run(data, mode, retrieval, baselines, planted)
    except (DatasetError, SplitError, CorpusProblem, ModeUnavailable) as problem:
        err.print(f"[red]error:[/] {problem}")
        raise typer.Exit(2) from problem
    paths = write_reports(report, out or default_out(data.name, data.split, limit))
    _print_summary(report)
    console.print("Reports: " + ", ".join(str(p) for p in paths.values()))


def default_out(name: str, split: str, limit: int) -> Path:
    """evals/runs/SET, with the half and the --limit in the name so a part never overwrites the whole."""
    return Path("evals/runs") / (name + (f"-{split}" if split else "") + (f"-first{limit}" if limit else ""))


def _questions(set_name: str | None, dataset: Path | None, corpus: list[Path] | None, split: str | None,
               limit: int) -> Dataset:
    """The questions to run: a named set or a file (default: the dev set), a half of it, the first N."""
    from evals.dataset import DatasetError, load_dataset, load_named_set

    if set_name and dataset:
        raise DatasetError("give --set or --dataset, not both")
    data = load_dataset(dataset, corpus) if dataset else load_named_set(set_name or "dev", corpus)
    if split:
        data = data.half(split)
    return data.subset([q.id for q in data.questions[:limit]]) if limit else data


def _run(data: Dataset, mode: str, retrieval: str, baselines: bool, planted: bool) -> RunReport:
    """The run with a progress bar: ingest, baselines' setup, then every system on every question."""
    from evals.evaluate import load_grounding
    from evals.runner import check_mode, ingest_corpus, throwaway_assistant
    from evals.suite import build_systems, run_systems

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with throwaway_assistant() as assistant, Progress(*columns, console=err) as progress:
        check_mode(assistant, cast("AnswerMode", mode))  # before the long ingest
        setup = progress.add_task(f"Ingesting {' + '.join(str(p) for p in data.corpus)}", total=None)
        ingest_corpus(assistant, data.corpus)
        systems = build_systems(
            assistant,
            mode=cast("AnswerMode", mode),
            retrieval=cast("Mode", retrieval),
            baselines=baselines,
            on_setup=lambda what: progress.update(setup, description=what),
        )
        grounding = load_grounding(assistant.library.embedder)
        progress.update(setup, total=1, completed=1, description="Indexed")
        task = progress.add_task("Answering", total=len(systems) * len(data.questions))
        tick = lambda name: progress.update(task, advance=1, description=f"Answering ({name})")  # noqa: E731
        return run_systems(
            data,
            assistant,
            systems,
            grounding,
            tick=tick,
            mode=mode,
            retrieval=retrieval,
            planted=planted,
            status=lambda what: progress.update(task, description=what),
        )


def _print_summary(report: RunReport) -> None:
    from rich.table import Table

    from evals.report.tables import summary_table

    built = summary_table(report)
    title = f"{report.described} on {' + '.join(report.corpus)}"
    table = Table(*built.headers, title=title, title_justify="left")
    for row in built.rows:
        table.add_row(*(c.text for c in row))
    console.print(table)


@app.command()
def compare(
    old: Annotated[Path, typer.Argument(help="The earlier report.json (or its folder).")],
    new: Annotated[Path, typer.Argument(help="The later report.json (or its folder).")],
    fail_on_regression: Annotated[bool, typer.Option(help="Exit 1 when any metric regressed.")] = False,
    split: Annotated[Optional[str], typer.Option(help="Compare half A or B of the set only.")] = None,
) -> None:
    """Improved / regressed, per metric and per question."""
    from evals.compare import print_comparison, regressions

    before, after = _load(old, split), _load(new, split)
    print_comparison(before, after, console)
    if fail_on_regression and regressions(before, after):
        raise typer.Exit(1)


@app.command()
def gate(
    report: Annotated[Path, typer.Argument(help="A report.json (or its folder).")],
    thresholds: Annotated[Optional[Path], typer.Option(help="Gate file (default: evals/gate.toml).")] = None,
    split: Annotated[Optional[str], typer.Option(help="Gate half A or B of a whole-set report.")] = None,
) -> None:
    """Exit 1 when the report's system under test misses a threshold of its set's gate section."""
    from evals.gate import GateError, check_gate, load_gate

    loaded = _load(report, split)
    try:
        result = check_gate(loaded, load_gate(thresholds) if thresholds else load_gate())
    except GateError as problem:
        err.print(f"[red]error:[/] {problem}")
        raise typer.Exit(2) from problem
    (console if result.passed else err).print(result.summary())
    if not result.passed:
        raise typer.Exit(1)


def _load(path: Path, split: str | None) -> RunReport:
    """A report, or half of it; a clear error when the file or the split is wrong."""
    from pydantic import ValidationError

    from evals.report import load_report
    from evals.splits import SplitError

    try:
        loaded = load_report(path)
        return loaded.half(split) if split else loaded
    except (OSError, ValidationError, SplitError) as problem:
        err.print(f"[red]error:[/] {path}: {problem}")
        raise typer.Exit(2) from problem


@app.command()
def bench(
    sizes: Annotated[str, typer.Option(help="Library sizes in chunks, comma-separated.")] = "1000,10000,100000",
    out: Annotated[Path, typer.Option(help="Folder for bench.json, bench.md, logs and the vector cache.")] = Path(
        "bench-results"),
    corpus: Annotated[
        Optional[list[Path]],
        typer.Option(help="Folders of real text to replicate (default: knowledge/ and ../shared/corpus-nhs)."),
    ] = None,
    questions: Annotated[int, typer.Option(help="Only the first N questions (0: all of dev + dev_nhs).")] = 0,
    systems: Annotated[str, typer.Option(help="Pipelines to time: hybrid, dense, bm25, llamaindex.")] = (
        "hybrid,dense,bm25,llamaindex"),
    backends: Annotated[str, typer.Option(help="Embedding backends to compare ('' to skip).")] = "torch,onnx,onnx-int8",
    reuse_sample: Annotated[Optional[Path], typer.Option(help="Take the real-ingest figures from this bench.json.")] = None,
    budget_minutes: Annotated[float, typer.Option(help="Skip a size whose build is predicted to take longer.")] = 30.0,
    keep: Annotated[bool, typer.Option(help="Keep the built libraries under OUT/work.")] = False,
) -> None:
    """Performance and scale: ingest, command start-up, first-ask and warm-ask latency, cold start,
    memory by library size, in one run."""
    force_offline()
    from evals.bench.library import DEFAULT_SOURCES
    from evals.bench.main import SYSTEMS, BenchConfig, run_bench

    chosen = [s for s in systems.split(",") if s]
    for system in chosen:
        _check_choice("--systems", system, SYSTEMS)
    run_bench(BenchConfig(
        sizes=[int(s) for s in sizes.split(",") if s.strip()], out=out.resolve(), sources=corpus or list(DEFAULT_SOURCES),
        questions=questions, systems=chosen, backends=[b for b in backends.split(",") if b],
        reuse_sample=reuse_sample, budget_minutes=budget_minutes, keep=keep,
    ))


@app.command()
def grounding(
    file: Annotated[Path, typer.Argument(help="A RAGTruth-style labelled JSONL file, or 'planted' for the planted set.")],
    split: Annotated[str, typer.Option(help="Which sources: all, A (the half the verdict is tuned on) or B.")] = "all",
    out: Annotated[Path, typer.Option(help="Folder for grounding.json and grounding.md.")] = Path(
        "evals/runs/grounding"),
    report: Annotated[Optional[Path], typer.Option(
        help="Also add the figures to this run's report.json (or its folder) and rewrite its reports.")] = None,
    similarity: Annotated[bool, typer.Option(help="Use the MiniLM similarity signal (as the product does).")] = True,
    limit: Annotated[int, typer.Option(help="Only the first N answers (0: all), for a quick look.")] = 0,
) -> None:
    """Score the grounding checker on labelled answers: answer, sentence and span level, per half."""
    force_offline()
    from evals.grounding.scoring import GroundingRunError, score_file

    _check_choice("--split", split, ("all", "A", "B"))
    try:
        scores = score_file(file, split=split, similarity=similarity, limit=limit, out=out, report=report,
                            console=err)
    except GroundingRunError as problem:
        err.print(f"[red]error:[/] {problem}")
        raise typer.Exit(2) from problem
    _print_grounding(scores)
    console.print(f"Figures: {out / 'grounding.json'}, {out / 'grounding.md'}" + (f", {report}" if report else ""))


@app.command(name="grounding-train")
def grounding_train(
    file: Annotated[Path, typer.Argument(help="The labelled JSONL file to fit on (its half A only).")] = Path(
        "../shared/evals/grounding/ragtruth_dev.jsonl"),
    max_false_alarms: Annotated[float, typer.Option(help="Answer-level false-alarm limit for the threshold.")] = 0.15,
    cache: Annotated[Optional[Path], typer.Option(
        help="Keep the gathered signals here (and reuse them): a refit in seconds, for this code only.")] = None,
    weights: Annotated[Optional[Path], typer.Option(
        help="Write the fitted models here instead of assistant/grounding/verdict.json (to compare).")] = None,
) -> None:
    """Refit the checker's calibrated verdict (assistant/grounding/verdict.json) on half A, reproducibly."""
    force_offline()
    from evals.grounding.scoring import GroundingRunError, train_file

    try:
        summary = train_file(file, max_false_alarms=max_false_alarms, cache=cache, console=err, weights=weights)
    except GroundingRunError as problem:
        err.print(f"[red]error:[/] {problem}")
        raise typer.Exit(2) from problem
    console.print(summary)


@app.command(name="grounding-bench")
def grounding_bench(
    file: Annotated[Path, typer.Argument(help="A RAGTruth-style labelled JSONL file.")] = Path(
        "../shared/evals/grounding/ragtruth_dev.jsonl"),
    answers: Annotated[int, typer.Option(help="Answers of each task to time.")] = 40,
    out: Annotated[Path, typer.Option(help="Folder for grounding-bench.json and .md.")] = Path(
        "bench-results/grounding"),
    similarity: Annotated[bool, typer.Option(help="Use the MiniLM similarity signal (as the product does).")] = True,
) -> None:
    """Time the grounding checker per claim sentence on real answers (cold and warm caches)."""
    force_offline()
    from evals.grounding.bench import describe, run

    if not file.is_file():
        err.print(f"[red]error:[/] {file}: no such file")
        raise typer.Exit(2)
    figures = run(file, answers, out, similarity=similarity)
    console.print(describe(figures))
    console.print(f"Figures: {out / 'grounding-bench.json'}, {out / 'grounding-bench.md'}")


def _print_grounding(scores: object) -> None:
    from rich.table import Table

    from evals.report.tables import grounding_table
    from evals.results import GroundingScores

    assert isinstance(scores, GroundingScores)
    built = grounding_table(scores)
    table = Table(*built.headers, title=f"Grounding checker on {scores.file}", title_justify="left",
                  caption=built.note)
    for row in built.rows:
        table.add_row(*(c.text for c in row))
    console.print(table)



@app.command()
def load(
    url: Annotated[Optional[str], typer.Option(help="A running server on loopback (default: start one).")] = None,
    clients: Annotated[int, typer.Option(help="Concurrent clients, alternating API and chat.")] = 20,
    seconds: Annotated[float, typer.Option(help="How long they ask.")] = 60.0,
    questions: Annotated[int, typer.Option(help="The first N dev-set questions.")] = 8,
    data_dir: Annotated[Optional[Path], typer.Option(help="Index for a started server (default: OUT/data).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for load.json, load.md and the server log.")] = Path(
        "bench-results/load"),
    channels: Annotated[str, typer.Option(
        help="api, chat (the Gradio queue as a browser uses it); comma-separated.")] = "api,chat",
) -> None:
    """Concurrent users: a bounded load test of /api/ask and the chat queue on loopback."""
    force_offline()
    from evals.bench.load import LoadConfig
    from evals.bench.load import main as load_main

    load_main(LoadConfig(url=url, clients=clients, seconds=seconds, questions=questions, data_dir=data_dir,
                         out=out.resolve(), channels=tuple(c for c in channels.split(",") if c)))


def _check_choice(option: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint=option)


def main(argv: list[str] | None = None) -> None:
    """Entry point; lets `--corpus A B` stand for `--corpus A --corpus B`."""
    app(args=expand_multi(sys.argv[1:] if argv is None else argv, "--corpus"), prog_name="python -m evals")


def expand_multi(argv: list[str], option: str) -> list[str]:
    """Repeat `option` before each value that follows it, up to the next option."""
    out: list[str] = []
    inside = False
    for arg in argv:
        if arg.startswith("-"):
            inside = arg == option
            out.append(arg)
        elif inside and out[-1] != option:
            out += [option, arg]
        else:
            out.append(arg)
    return out
