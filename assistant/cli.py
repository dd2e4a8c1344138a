"""The `policy-assistant` command: ingest, docs, ask, chat."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

if TYPE_CHECKING:  # imported where used, so `--help` loads neither pydantic models, the facade, nor rich's
    from rich.progress import Progress  # progress bars and tables

    from assistant import Answer, Settings

app = typer.Typer(help="A policy assistant for health and social care integration.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Index folder (POLICY_ASSISTANT_DATA_DIR).")]

EXIT_PARTIAL = 2


def _settings(data_dir: Path | None) -> Settings:
    from assistant import Settings, force_offline

    force_offline()
    settings = Settings()
    return settings.model_copy(update={"data_dir": data_dir}) if data_dir else settings


class _RichProgress:
    """Files done, chunks embedded, and embeddings per second, on one live bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("Ingesting", total=None, chunks=0, rate="")
        self.chunks = 0
        self.started = time.perf_counter()

    def files_found(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def file_done(self, path: Path, chunks: int) -> None:
        self.progress.update(self.task, advance=1, description=f"Ingesting {path.name[:40]}")

    def embedded(self, count: int) -> None:
        self.chunks += count
        rate = self.chunks / max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, chunks=self.chunks, rate=f"{rate:.0f} emb/s")


@app.command()
def ingest(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the bundled library).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Index documents (txt, md, html, pdf, docx); re-running only does what changed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from assistant import Assistant, set_aside_note

    settings = _settings(data_dir)
    targets = paths or [settings.knowledge_dir]
    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
        TextColumn("{task.fields[chunks]} texts embedded"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        report = Assistant(settings).ingest(targets, _RichProgress(bar), batch=True)
    table = Table(title=f"Ingest into {settings.chroma_url or settings.data_dir}")
    table.add_column("result")
    table.add_column("count", justify="right")
    table.add_column("documents")
    for label, docs in (("added", report.added), ("updated", report.updated),
                        ("unchanged", report.unchanged), ("removed", report.removed),
                        ("left out (removed by an officer)", report.excluded)):
        if label.startswith("left out") and not docs:
            continue
        table.add_row(label, str(len(docs)), ", ".join(docs[:6]) + (" ..." if len(docs) > 6 else ""))
    console.print(table)
    for reading in report.documents:  # what was found in each document read, and what was removed
        notes = "; ".join(reading.notes)
        console.print(f"read: {reading.doc_id}: {reading.summary}" + (f" ({notes})" if notes else ""),
                      markup=False, highlight=False, soft_wrap=True)
    for doc_id, count in report.set_aside.items():
        console.print(f"set aside: {doc_id}: {set_aside_note(count)}", markup=False, highlight=False, soft_wrap=True)
    for problem in report.problems:  # one unwrapped line per file (path: reason), plain text, greppable
        label = "failed" if problem.fatal else "note"
        line = f"{label}: {problem.path}: {problem.reason}"
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    rate = report.chunks_embedded / report.embed_seconds if report.embed_seconds else 0
    console.print(f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s ({rate:.0f} chunks/s while embedding)")
    if report.partial:
        err_console.print(f"[yellow]Partial ingest: {sum(p.fatal for p in report.problems)} file(s) could not be read.[/]")
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def docs(data_dir: DataDir = None, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the indexed documents with their metadata and chunk counts."""
    from rich.table import Table

    from assistant import Assistant

    documents = Assistant(_settings(data_dir)).documents()
    if as_json:
        typer.echo(json.dumps([d.model_dump() for d in documents], indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{len(documents)} documents")
    for column in ("doc_id", "title", "author", "publisher", "date", "chunks", "set aside"):
        table.add_column(column, overflow="fold")
    for d in documents:
        table.add_row(d.meta.doc_id, d.meta.title, d.meta.author_line, d.meta.publisher, d.meta.date_label,
                      str(d.n_chunks), str(d.set_aside or ""))
    console.print(table)
    if any(d.set_aside for d in documents):
        console.print("set aside: sentences addressed to an AI assistant, never quoted or sent to a model.")


@app.command()
def remove(
    doc_ids: Annotated[list[str], typer.Argument(help="The doc_id(s) to remove (see `policy-assistant docs`).")],
    data_dir: DataDir = None,
) -> None:
    """Remove documents from the library for good (and their uploaded copies); a re-ingest of
    their folder leaves them out, naming a file on its own adds it back."""
    from assistant import Assistant, DocumentNotFound

    assistant = Assistant(_settings(data_dir))
    missing = 0
    for doc_id in doc_ids:
        try:
            removal = assistant.remove_document(doc_id)
        except DocumentNotFound as err:
            err_console.print(str(err), markup=False, highlight=False)
            missing += 1
            continue
        meta = removal.document.meta
        note = f"; deleted the uploaded copy {meta.source}" if removal.upload_deleted else ""
        console.print(f"Removed “{meta.title or doc_id}” ({doc_id}){note}.", markup=False, highlight=False)
    if missing:
        raise typer.Exit(1)


@app.command("set-meta")
def set_meta(
    doc_id: Annotated[str, typer.Argument(help="The document's doc_id (see `policy-assistant docs`).")],
    title: Annotated[Optional[str], typer.Option(help="The document's title.")] = None,
    author: Annotated[Optional[list[str]], typer.Option(help="An author (repeat for several; '' for none).")] = None,
    publisher: Annotated[Optional[str], typer.Option(help="The publishing body ('' for none).")] = None,
    date: Annotated[Optional[str], typer.Option(help="2013, 2015-01 or 2023-04-05 ('' for unknown).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Correct a document's title, authors, publisher or date; kept across re-ingests."""
    from pydantic import ValidationError

    from assistant import Assistant, DocumentNotFound, MetaEdit

    try:
        edit = MetaEdit(title=title, authors=author, publisher=publisher, date=date)
    except ValidationError as err:
        err_console.print("; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors()), markup=False)
        raise typer.Exit(1) from err
    try:
        doc = Assistant(_settings(data_dir)).set_metadata(doc_id, edit)
    except (DocumentNotFound, ValueError) as err:
        err_console.print(str(err), markup=False, highlight=False)
        raise typer.Exit(1) from err
    m = doc.meta
    console.print(f"{m.doc_id}: “{m.title}” · {m.author_line or 'no author'} · {m.publisher or 'no publisher'} · "
                  f"{m.date_label or 'undated'}", markup=False, highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only these doc_ids (repeatable).")] = None,
    publisher: Annotated[Optional[list[str]], typer.Option(help="Only these publishers (repeatable).")] = None,
    year_from: Annotated[Optional[int], typer.Option(help="Only documents from this year on.")] = None,
    year_to: Annotated[Optional[int], typer.Option(help="Only documents up to this year.")] = None,
) -> None:
    """Answer a question from the library, with numbered citations."""
    from assistant import Assistant, QuestionTooLong, SearchFilters

    assistant = Assistant(_settings(data_dir))
    if not assistant.documents():
        err_console.print("The library is empty: run `policy-assistant ingest` first.")
        raise typer.Exit(1)
    filters = SearchFilters(doc_ids=doc or [], publishers=publisher or [], year_from=year_from, year_to=year_to)
    try:
        answer = assistant.ask(question, filters=filters)
    except QuestionTooLong as err:
        err_console.print(str(err))
        raise typer.Exit(1) from err
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    render_answer(answer)


def render_answer(answer: Answer) -> None:
    """The answer, then a numbered reference list (or the related passages for a refusal)."""
    from rich.markdown import Markdown

    if answer.standalone_question != answer.question:
        console.print(f"[dim]Understood as: {answer.standalone_question}[/]")
    console.print(Markdown(answer.answer_markdown))
    if answer.notice:
        console.print(f"[yellow]{answer.notice}[/]")
    if answer.refused:
        console.print("\n[bold]Related passages[/]")
        for p in answer.related:
            where = f", {p.page_label}" if p.page_label else ""
            console.print(f"- {p.title} ({p.author or 'unknown author'}, {p.date or 'n.d.'}{where}): {p.text[:200]}...",
                          markup=False)
        return
    console.print("\n[bold]References[/]")
    for c in answer.citations:
        who = c.speaker + " (reader comment)" if c.section == "comment" and c.speaker else c.author
        where = ", ".join(part for part in (c.page_label, c.heading) if part)
        console.print(f"[{c.n}] {c.title}. {who or 'Unknown author'}, {c.date or 'n.d.'}. "
                      + (f"{where}. " if where else "") + c.source, markup=False)


llm_app = typer.Typer(help="The local LLM: a llama.cpp OpenAI-compatible server (needs the local-llm extra).",
                      no_args_is_help=True)
app.add_typer(llm_app, name="llm")


@llm_app.command("serve")
def llm_serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8080,
    model: Annotated[Optional[Path], typer.Option(help="A GGUF file (default: SmolLM2-135M).")] = None,
    threads: Annotated[Optional[int], typer.Option(help="CPU threads (default: half the cores).")] = None,
) -> None:
    """Serve a local model at http://127.0.0.1:PORT/v1 for POLICY_ASSISTANT_LLM_BACKEND=openai."""
    import os

    from assistant import LLMNotConfigured, local_llm_server

    try:
        server = local_llm_server(port, model, threads)
    except LLMNotConfigured as err:
        err_console.print(str(err))
        raise typer.Exit(1) from err
    err_console.print(f"Serving {server.model_file.name} as '{server.model_name}' at {server.base_url}; use it with\n"
                      f"  POLICY_ASSISTANT_LLM_BACKEND=openai POLICY_ASSISTANT_LLM_BASE_URL={server.base_url} "
                      f"POLICY_ASSISTANT_LLM_MODEL={server.model_name}")
    os.execv(server.command[0], server.command)  # become the server: one PID to stop, signals reach it


@llm_app.command("bench")
def llm_bench(
    base_url: Annotated[str, typer.Option(help="The server's /v1 URL.")] = "http://127.0.0.1:8080/v1",
    model: Annotated[str, typer.Option(help="Model name on the server.")] = "smollm2-135m-instruct",
    runs: Annotated[int, typer.Option(help="Completions to time.")] = 3,
) -> None:
    """Generation speed (tokens/s) of an OpenAI-compatible server."""
    from assistant import llm_throughput

    for _ in range(runs):
        prompt_tokens, completion_tokens, seconds = llm_throughput(base_url, model)
        console.print(f"{completion_tokens} tokens in {seconds:.2f} s: "
                      f"{completion_tokens / seconds if seconds else 0:.1f} tokens/s (prompt {prompt_tokens} tokens)")


@app.command()
def chat(
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (POLICY_ASSISTANT_HOST; default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (POLICY_ASSISTANT_PORT; default 7860).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Start the officers' chat and the JSON API (indexes the bundled library first if empty)."""
    from assistant.ui.server import serve

    settings = _settings(data_dir)
    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    serve(settings.model_copy(update=overrides))


feedback_app = typer.Typer(help="Officers' ratings of answers.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Every rating with its question, answer and citations, as JSON lines."""
    from assistant import Assistant

    lines = Assistant(_settings(data_dir)).feedback.export_jsonl()
    if out is None:
        typer.echo(lines, nl=False)
    else:
        out.write_text(lines, encoding="utf-8")
        err_console.print(f"{lines.count(chr(10))} rating(s) written to {out}")


def main() -> None:
    try:
        app()
    except Exception as err:
        from assistant import ChromaUnavailable  # here, not up front: `--help` stays light

        if not isinstance(err, ChromaUnavailable):
            raise
        err_console.print(f"[red]{err}[/]")  # server mode with the server down: one line, not a traceback
        raise SystemExit(1) from err


if __name__ == "__main__":
    main()
