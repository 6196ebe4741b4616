# Two entry points for a fresh machine: `make start` and `make test`.
# Both build the virtual environment from the lock file first (once; again when it changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.madoguchi-installed

.PHONY: start test lint lock bench chromium

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

test: lint chromium
	$(BIN)/pytest -n 2

# Headless Chromium for the report's browser test (Debian packages; needs root, as in CI).
# The IPA Gothic font draws the Japanese text in the screenshot.
chromium:
	@dpkg -s chromium chromium-driver fonts-ipafont-gothic >/dev/null 2>&1 || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver fonts-ipafont-gothic)

lock: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --output-file requirements.lock pyproject.toml

bench: $(STAMP)
	$(BIN)/python bench/nlp_speed.py
