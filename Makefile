# Thin wrappers over the README's commands. `make run` and `make test` work on a fresh machine.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint install install-dev clean-cache serve-class

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

run: install
	$(BIN)/python -m deploy.serve

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# A whole class: REPLICAS Streamlit processes behind nginx on PORT, one shared weights folder (README, "Serving a class").
REPLICAS ?= 3
PORT ?= 8500
serve-class: install
	$(BIN)/python -m deploy.class_server --replicas $(REPLICAS) --port $(PORT)

bench: install
	$(BIN)/python -m benchmarks --out results.json

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean-cache:
	rm -rf .cache
