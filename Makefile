# Fresh-machine commands: each makes its own virtual environment in $(VENV).
#   make run    install, then run the full-transformation strategy for 5 years
#   make test   install, then lint and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/orgchange: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: $(BIN)/orgchange
	$(BIN)/orgchange run --strategy full_transformation --out orgchange-run

lint: $(BIN)/orgchange
	$(BIN)/ruff check simulation agents experiments tests benchmarks notebooks docs

test: lint
	$(BIN)/python -m pytest

bench: $(BIN)/orgchange
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) orgchange-run .pytest_cache
