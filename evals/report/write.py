"""Write a run's report.json, report.md and report.html (with its charts) into one folder."""

from __future__ import annotations

from pathlib import Path

from evals.report.charts import write_charts
from evals.report.html import render_html
from evals.report.tables import (
    Table,
    by_half_table,
    by_type_table,
    data_notes,
    facts,
    grounding_table,
    planted_table,
    planted_text,
    question_table,
    retrieval_by_type_table,
    summary_table,
)
from evals.results import RunReport

JSON_NAME, MD_NAME, HTML_NAME, CHART_DIR = "report.json", "report.md", "report.html", "charts"


def write_reports(report: RunReport, out: Path) -> dict[str, Path]:
    """All three reports; charts are PNGs in out/charts (the HTML also embeds them)."""
    out.mkdir(parents=True, exist_ok=True)
    charts = write_charts(report, out / CHART_DIR)
    paths = {"json": out / JSON_NAME, "md": out / MD_NAME, "html": out / HTML_NAME}
    paths["json"].write_text(report.model_dump_json(indent=2), encoding="utf-8")
    paths["md"].write_text(render_markdown(report, {t: p.relative_to(out) for t, p in charts.items()}),
                           encoding="utf-8")
    paths["html"].write_text(render_html(report, charts), encoding="utf-8")
    return paths


def load_report(path: Path) -> RunReport:
    """A report.json (or the folder holding one) back into the model."""
    path = path / JSON_NAME if path.is_dir() else path
    return RunReport.model_validate_json(path.read_text(encoding="utf-8"))


def markdown_table(table: Table) -> str:
    def clean(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    first = table.rows[0] if table.rows else []
    aligns = ["---:" if c.numeric else "---" for c in first] or ["---"] * len(table.headers)
    lines = ["| " + " | ".join(table.headers) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(clean(c.text) for c in row) + " |" for row in table.rows]
    if table.note:
        lines += ["", f"_{table.note}_"]
    return "\n".join(line for line in lines if line)


def render_markdown(report: RunReport, charts: dict[str, Path]) -> str:
    parts = [f"# Evaluation: {report.dataset}", ""]
    parts += [f"- **{name}:** {value}" for name, value in facts(report)]
    parts += ["", "## Systems", ""]
    parts += [f"- **{s.name}** — {s.label}. {s.notes}" for s in report.systems]
    parts += ["", "## Summary", "", markdown_table(summary_table(report)), ""]
    parts += [f"![{title}]({path.as_posix()})" for title, path in charts.items()]
    if (halves := by_half_table(report)) is not None:
        parts += ["", "## By half", "", markdown_table(halves)]
    parts += ["", "## By question type", "", markdown_table(by_type_table(report)), ""]
    parts += ["## Retrieval by question type", "", markdown_table(retrieval_by_type_table(report)), ""]
    parts += ["## Planted fabrications", "", planted_text(report), ""]
    if (planted := planted_table(report)) is not None:
        parts += [markdown_table(planted), ""]
    for scores in report.labelled_grounding:
        parts += [f"## Grounding checker on labelled answers: {scores.file}", "",
                  markdown_table(grounding_table(scores)), ""]
    parts += ["## Per question", "", markdown_table(question_table(report)), ""]
    parts += ["## Definitions", ""]
    parts += [f"- **{labels}:** {text}" for labels, text in report.definitions.items()]
    parts += ["", *data_notes(report)]
    return "\n".join(parts) + "\n"
