# Two commands for a new user: `make demo` and `make test`. Everything else is plumbing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
AZURITE := node_modules/.bin/azurite-blob

.PHONY: demo test setup lint typecheck pytest bench clean

setup: $(STAMP) $(AZURITE)

$(STAMP): setup.py dev_requirements.txt emulator/setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r dev_requirements.txt -e . -e emulator
	touch $@

$(AZURITE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: $(STAMP)
	$(PY) -m ruff check azure emulator tests samples scripts benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy

# Playback (cassettes, no server) plus unit, emulator and official-SDK tests; then the recorded tests live
# against a fresh emulator and Azurite, re-recording into a scratch folder so the committed cassettes stay as
# they are.
pytest: setup
	$(PY) -m pytest
	rec=$$(mktemp -d) && AZURE_TEST_RUN_LIVE=true AZURE_TEST_RECORDINGS_DIR=$$rec \
	  $(PY) -m pytest -p no:cacheprovider tests/clients tests/backup tests/test_readme.py; \
	  status=$$?; rm -rf $$rec; exit $$status

test: lint typecheck pytest

demo: setup
	$(PY) scripts/demo.py

# This package against the official 4.7.2 over HTTPS (benchmarks/bench.py; results in benchmarks/results/).
# Options: make bench BENCH_ARGS="--rounds 9" or "--figures sync_get,list --quick" (see --help).
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): benchmarks/requirements.txt | $(STAMP)
	$(PY) -m pip install --quiet -r benchmarks/requirements.txt
	touch $@

bench: setup $(BENCH_STAMP)
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
