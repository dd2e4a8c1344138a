"""report.html: one self-contained, readable page (charts embedded as PNG data URIs)."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

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

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0b0c0c;
       max-width: 1180px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #1d70b8;
       padding-bottom: .2rem; font-size: 1.25rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0; }
dl.facts dt { font-weight: 600; color: #505a5f; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .88rem; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid #d8dde0; text-align: left; vertical-align: top; }
th { background: #f3f2f1; position: sticky; top: 0; } tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.good { color: #00703c; font-weight: 600; } td.bad { color: #d4351c; font-weight: 600; }
p.note { color: #505a5f; font-size: .85rem; margin-top: .2rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1rem; }
.charts figure { margin: 0; } .charts img { width: 100%; border: 1px solid #eee; }
ul.systems li, ul.defs li { margin-bottom: .4rem; }
details { margin: .2rem 0; } summary { cursor: pointer; color: #1d70b8; }
.answer { white-space: pre-wrap; background: #f8f8f8; padding: .4rem .6rem; border-left: 3px solid #b1b4b6; }
.questions { font-size: .8rem; } .questions td:nth-child(3) { min-width: 13rem; } table.narrow { width: auto; min-width: 28rem; }
.scroll { overflow-x: auto; }
"""


def render_html(report: RunReport, charts: dict[str, Path]) -> str:
    body = [f"<h1>Evaluation: {escape(report.dataset)}</h1>", _facts(facts(report))]
    body += ["<h2>Systems</h2>", "<ul class='systems'>"]
    body += [f"<li><b>{escape(s.name)}</b> — {escape(s.label)}. {escape(s.notes)}</li>"
             for s in report.systems]
    body += ["</ul>", "<h2>Summary</h2>", _table(summary_table(report))]
    body += ["<div class='charts'>", *(_figure(t, p) for t, p in charts.items()), "</div>"]
    if (halves := by_half_table(report)) is not None:
        body += ["<h2>By half</h2>", _table(halves)]
    body += ["<h2>By question type</h2>", _table(by_type_table(report))]
    body += ["<h2>Retrieval by question type</h2>", _table(retrieval_by_type_table(report))]
    body += ["<h2>Planted fabrications</h2>", f"<p>{escape(planted_text(report))}</p>"]
    if (planted := planted_table(report)) is not None:
        body.append(_table(planted, "narrow"))
    for scores in report.labelled_grounding:
        body += [f"<h2>Grounding checker on labelled answers: {escape(scores.file)}</h2>",
                 _table(grounding_table(scores), "narrow")]
    body += ["<h2>Per question</h2>", _table(question_table(report), "questions"), _answers(report)]
    body += ["<h2>Definitions</h2>", "<ul class='defs'>"]
    body += [f"<li><b>{escape(k)}:</b> {escape(v)}</li>" for k, v in report.definitions.items()]
    body += ["</ul>", *(f"<p>{escape(line).replace('**', '')}</p>" for line in data_notes(report))]
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Evaluation: "
            f"{escape(report.dataset)}</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>\n")


def _facts(items: list[tuple[str, str]]) -> str:
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items)
    return f"<dl class='facts'>{rows}</dl>"


def _table(table: Table, css_class: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    rows = []
    for row in table.rows:
        cells = []
        for cell in row:
            classes = " ".join(c for c in ("num" if cell.numeric else "", cell.tone) if c)
            attribute = f" class='{classes}'" if classes else ""
            cells.append(f"<td{attribute}>{escape(cell.text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = f"<p class='note'>{escape(table.note)}</p>" if table.note else ""
    return (f"<div class='scroll'><table class='{css_class}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>{note}")


def _figure(title: str, path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<figure><img alt='{escape(title)}' src='data:image/png;base64,{data}'></figure>"


def _answers(report: RunReport) -> str:
    """Every system's answer to every question, folded away."""
    items = []
    for result in report.primary.questions:
        answers = []
        for system in report.systems:
            theirs = system.question(result.id)
            text = theirs.answer if theirs else "—"
            answers.append(f"<p><b>{escape(system.name)}</b></p><div class='answer'>{escape(text)}</div>")
        summary = f"<summary>{escape(result.id)}: {escape(result.question)}</summary>"
        items.append(f"<details>{summary}{''.join(answers)}</details>")
    return "<h3>Answers</h3>" + "".join(items)
