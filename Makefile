# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8866

.PHONY: run test test-fast lint bench clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Start the workbook in your browser (data in your per-user data folder).
run: $(STAMP)
	$(BIN)/workbook serve --port $(PORT)

## Every test tier: unit, views, notebooks, and Chromium against a real Voila server.
test: $(STAMP) browser
	$(BIN)/ruff check workbook tests
	$(BIN)/python -m pytest -q

## Unit and view tests only (seconds).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit tests/views

lint: $(STAMP)
	$(BIN)/ruff check workbook tests

## Debian's chromium for the browser tests (Playwright's own download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) .pytest_cache
