# Two commands for a new user: `make demo` and `make test`. Everything else is plumbing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
AZURITE := node_modules/.bin/azurite-blob

.PHONY: demo test setup check-tools lint typecheck pytest bench clean

setup: $(STAMP) $(AZURITE)

# Before any install: Python 3.11+ with venv, Node.js and npm; a missing one is named in one line. Expanded only when
# the recipe runs (so `make clean` needs none of them); $(error) stops make with that single line.
MISSING_TOOL = $(error $(1) is needed $(2): install it$(3), then run make again)
check-tools:
	@$(if $(shell command -v $(PYTHON)),,$(call MISSING_TOOL,Python 3.11+ ($(PYTHON) not found),for .venv,))
	@$(if $(filter 1,$(shell $(PYTHON) -c 'import sys; print(int(sys.version_info >= (3, 11)))' 2>/dev/null)),,$(call MISSING_TOOL,Python 3.11 or later ($(PYTHON) is $(shell $(PYTHON) -V 2>&1)),for the test tooling, or run make PYTHON=python3.11))
	@$(if $(filter ok,$(shell $(PYTHON) -c 'import ensurepip, venv; print("ok")' 2>/dev/null)),,$(call MISSING_TOOL,Python's venv module,for .venv, (Debian/Ubuntu: apt install python3-venv)))
	@$(if $(shell command -v node),,$(call MISSING_TOOL,Node.js (node not found),for Azurite (the Azure Storage emulator), (18 or later: https://nodejs.org)))
	@$(if $(shell command -v npm),,$(call MISSING_TOOL,npm (not found),to install Azurite, (it comes with Node.js)))

# Quiet: pip's --quiet, no version check; PYTHONWARNINGS hides only setuptools' "Editable installation." notice, which
# pip relays as a warning for each editable install (the filter matches that message's start, nothing else).
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet --disable-pip-version-check

$(STAMP): setup.py dev_requirements.txt emulator/setup.py | check-tools
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -r dev_requirements.txt -e . -e emulator
	touch $@

$(AZURITE): package.json package-lock.json | check-tools
	npm ci --no-audit --no-fund --loglevel=error --no-update-notifier
	touch $@

lint: $(STAMP)
	$(PY) -m ruff check azure emulator tests samples scripts benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy

# Playback (cassettes, no server) plus unit, emulator and official-SDK tests; then the recorded tests live
# against a fresh emulator and Azurite, re-recording into a scratch folder so the committed cassettes stay as
# they are.
# Both passes count their reliability and security figures into one report (tests/reliability_ledger.py).
RELIABILITY_REPORT := build/reliability.md

pytest: check-tools setup
	rm -f $(RELIABILITY_REPORT) $(RELIABILITY_REPORT:.md=.json)
	MHSM_RELIABILITY_REPORT=$(RELIABILITY_REPORT) $(PY) -m pytest
	rec=$$(mktemp -d) && AZURE_TEST_RUN_LIVE=true AZURE_TEST_RECORDINGS_DIR=$$rec MHSM_RELIABILITY_REPORT=$(RELIABILITY_REPORT) \
	  $(PY) -m pytest -p no:cacheprovider tests/clients tests/backup tests/ekm tests/test_readme.py; \
	  status=$$?; rm -rf $$rec; exit $$status

test: lint typecheck pytest

demo: check-tools setup
	$(PY) scripts/demo.py

# This package against the official 4.7.2 over HTTPS (benchmarks/bench.py; results in benchmarks/results/).
# Options: make bench BENCH_ARGS="--rounds 9" or "--figures sync_get,list --quick" (see --help).
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): benchmarks/requirements.txt | $(STAMP)
	$(PY) -m pip install --quiet -r benchmarks/requirements.txt
	touch $@

bench: setup $(BENCH_STAMP)
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

# Back to a fresh clone: every virtual environment (the official-SDK and bench ones too), node_modules, build output
# and caches. Kept: your data (.emulator-data/, .azurite-data/) and benchmark results (benchmarks/results/).
clean:
	rm -rf $(VENV) .venv-official* .venv-bench node_modules build dist emulator/build emulator/dist
	rm -rf *.egg-info emulator/*.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -path ./node_modules -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
