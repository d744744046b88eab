# make run   - create .venv, install, build the store from content/, serve it under gunicorn
# make test  - install with the test extra, lint, type-check, run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONTENT ?= content
STORE ?= var/briefing.sqlite3

.PHONY: run build check test lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

check: $(VENV)/.installed
	$(BIN)/briefing check $(CONTENT)

build: $(VENV)/.installed
	$(BIN)/briefing build $(CONTENT) --store $(STORE)

run: build
	$(BIN)/briefing serve --store $(STORE)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
