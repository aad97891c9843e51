# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8866

.PHONY: run demo test test-fast test-http test-pythons test-packaging lint bench clean browser
.PHONY: hub hub-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Start the workbook in your browser (data in your per-user data folder).
run: $(STAMP)
	$(BIN)/workbook serve --port $(PORT)

## The workbook with a year of made-up entries, in a folder of its own (yours stays empty).
demo: $(STAMP)
	$(BIN)/workbook demo --port $(PORT)

## Every test tier: unit, views, the server over HTTP, notebooks, and Chromium against a real
## Voila server; the unit and view tiers also on the oldest and newest Python the package supports.
test: $(STAMP) browser test-pythons
	$(BIN)/ruff check workbook tests benchmarks
	$(BIN)/python -m pytest -q

## Unit and view tests only (seconds).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit tests/views

## The server over HTTP, in the test process: headers, refusals, error pages (no browser).
test-http: $(STAMP)
	$(BIN)/python -m pytest -q tests/http

## The unit and view tiers on the oldest and newest supported Python (requires-python and the
## classifiers in pyproject.toml), each in a venv of its own (.venv-3.10, .venv-3.13). A Python
## that is not on the machine (on PATH as python3.X, or under pyenv) is skipped with a message,
## and is a failure when CI is set.
PYTHONS ?= 3.10 3.13
PYENV_ROOT ?= $(HOME)/.pyenv

test-pythons:
	@for v in $(PYTHONS); do \
	  py=""; \
	  for c in $$(ls -d $(PYENV_ROOT)/versions/$$v.*/bin/python 2>/dev/null | sort -V -r) \
	           $$(command -v python$$v 2>/dev/null); do \
	    if "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "'$$v'".split("."))))' \
	        2>/dev/null; then py="$$c"; break; fi; \
	  done; \
	  if [ -z "$$py" ]; then \
	    msg="Python $$v is not on this machine (python$$v on PATH, or pyenv install $$v)"; \
	    if [ -n "$$CI" ]; then echo "$$msg: CI is set, so this is a failure, not a skip." >&2; exit 1; fi; \
	    echo "Skipping the Python $$v tests: $$msg."; continue; \
	  fi; \
	  venv=.venv-$$v; \
	  if [ ! -f $$venv/.installed ] || [ pyproject.toml -nt $$venv/.installed ]; then \
	    echo "Setting up $$venv with $$py"; \
	    rm -rf $$venv && "$$py" -m venv $$venv \
	      && $$venv/bin/python -m pip install --quiet --upgrade pip \
	      && $$venv/bin/python -m pip install --quiet -e '.[test]' \
	      && touch $$venv/.installed || exit 1; \
	  fi; \
	  echo "Python $$v: unit and view tests"; \
	  $$venv/bin/python -m pytest -q -p no:cacheprovider tests/unit tests/views || exit 1; \
	done

## The built wheel alone in a fresh venv: workbook --version, the notebooks, plain
## `voila --template=workbook` and `workbook serve` (about 3 minutes, most of it the install).
test-packaging: $(STAMP)
	$(BIN)/python -m pytest -q tests/packaging

lint: $(STAMP)
	$(BIN)/ruff check workbook tests benchmarks

## Debian's chromium for the browser tests (Playwright's own download is not used), and
## axe-core from npm for the accessibility tests (pinned in tests/browser/axe/package-lock.json).
AXE_DIR := tests/browser/axe
AXE_STAMP := $(AXE_DIR)/node_modules/.installed

browser: $(AXE_STAMP)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

$(AXE_STAMP): $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix $(AXE_DIR)
	touch $@

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache

## A local JupyterHub on loopback for trying the hosted workbook (deploy/jupyterhub/).
## HUB_AUTH=native for sign-up with admin approval (HUB_ADMINS=name), tmp for anonymous.
HUB_DIR := .hub
HUB_STAMP := $(HUB_DIR)/.installed
HUB_PORT ?= 8000
HUB_AUTH ?= tmp
HUB_ADMINS ?=

hub: hub-deps
	@echo "JupyterHub on http://127.0.0.1:$(HUB_PORT)/ ($(HUB_AUTH) sign-in; users' homes in $(HUB_DIR)/state/homes)"
	WORKBOOK_HUB_AUTH=$(HUB_AUTH) WORKBOOK_HUB_ADMINS=$(HUB_ADMINS) WORKBOOK_HUB_PORT=$(HUB_PORT) \
	  WORKBOOK_HUB_STATE=$(CURDIR)/$(HUB_DIR)/state \
	  $(BIN)/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

## JupyterHub and its plugins into the venv, configurable-http-proxy from npm into .hub/.
hub-deps: $(HUB_STAMP)

$(HUB_STAMP): $(STAMP) pyproject.toml
	mkdir -p $(HUB_DIR)
	printf '*\n' > $(HUB_DIR)/.gitignore
	$(BIN)/python -m pip install --quiet -e '.[hub]'
	npm install --silent --no-audit --no-fund --prefix $(HUB_DIR) configurable-http-proxy@5
	$(HUB_DIR)/node_modules/.bin/configurable-http-proxy --version >/dev/null
	touch $@

## The benchmark suite (minutes): writes docs/performance.md.
bench: $(STAMP) browser
	$(BIN)/python benchmarks/run.py
