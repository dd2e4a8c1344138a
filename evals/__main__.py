"""`python -m evals run | compare | gate | bench | load`."""

from evals.cli import main

main()
