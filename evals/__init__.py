"""Evaluation of the assistant: datasets, metrics, runners and reports (outside the library)."""
