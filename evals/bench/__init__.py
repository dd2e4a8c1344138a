"""Benchmarks: speed, scale and memory (`python -m evals bench`), concurrent users (`python -m evals load`)."""
