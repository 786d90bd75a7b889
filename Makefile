# One command to set up and serve the dashboard, one to set up and test; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: dashboard test run lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (found " + sys.version.split()[0] + "); with pyenv, run from this folder so .python-version applies")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(CHROMIUM):  ## the browser tests drive Debian's Chromium (playwright cannot download its own here)
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

dashboard: $(STAMP)  ## set up, then serve the dashboard at http://127.0.0.1:8765
	$(BIN)/cfsim dashboard

test: $(STAMP) $(CHROMIUM)  ## set up, then lint and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

run: $(STAMP)  ## set up, then run the baseline scenario from the command line
	$(BIN)/cfsim run baseline --replications 5

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)  ## speed figures: the model, then sweeps on 1 and 2 workers and the Sobol sweep
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/sweep_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info test-artifacts
