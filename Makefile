# Two entry points for a fresh machine: `make start` and `make test`.
# Both build the virtual environment from the lock file first (once; again when it changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.madoguchi-installed

.PHONY: start test lint lock bench

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

start: $(STAMP)
	$(BIN)/madoguchi chat

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2

lock: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --output-file requirements.lock pyproject.toml

bench: $(STAMP)
	$(BIN)/python bench/nlp_speed.py
