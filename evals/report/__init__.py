"""A run's report: report.json, report.md and report.html with its charts, from one RunReport."""

from evals.report.write import load_report, write_reports

__all__ = ["load_report", "write_reports"]
