# Everyday commands. `make run` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes run side by side (pytest-xdist); 2 suits a two-core machine.
PYTEST_WORKERS ?= 2

.PHONY: install run test bench lint format

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --address $(HOST):$(PORT)
	$(BIN)/python manage.py serve $(HOST):$(PORT)   # the web server and the background worker; Ctrl-C stops both

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
