# Fresh-machine commands: each makes the virtual environment $(VENV) if it is missing.
#   make run      install orgchange (what running it needs, no more), then run the full-transformation strategy
#   make test     add the development tools, then lint and run the test suite
#   make readme   run every example of the README and rewrite the outputs it shows
#   make figures  draw the figures of the README and docs again
#   make bench    start-up and engine timings, as ratios (never fails on absolute times)
#   make clean    remove $(VENV) and everything the README's commands write
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
RUN_OUT := orgchange-run

# What the commands of the README write, in the folder they run in (also in .gitignore;
# tests/test_readme.py checks that after running the README, make clean leaves nothing behind).
README_OUTPUTS := orgchange-run release-run community-run results results.sqlite results.sqlite-wal \
	results.sqlite-shm compare-demo sweep-demo screening-demo sobol-demo orgchange-compare orgchange-sweep \
	orgchange-sensitivity report.html calibration-demo compare-calibrated collaborative-demo

.PHONY: run test lint bench figures readme clean

# Two set-ups in one environment: the run stamp (orgchange and its dependencies) and the dev
# stamp (the dev extra as well, which includes everything the run needs).
$(VENV)/.run-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e ".[dev]"
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/orgchange run --strategy full_transformation --out $(RUN_OUT) --overwrite
	@echo
	@echo "Results: $(RUN_OUT)/timeseries.csv (one row per week), $(RUN_OUT)/config.toml (reproduces the run)"
	@echo "         and $(RUN_OUT)/summary.png (the figure)."
	@echo "Next:    put orgchange on your PATH with 'source $(BIN)/activate', then try"
	@echo "         'orgchange --help' or 'orgchange strategies' (or type $(BIN)/orgchange)."

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check simulation agents experiments tests benchmarks notebooks docs
	$(BIN)/mypy simulation agents experiments

# PYTEST_ARGS passes options to pytest: make test PYTEST_ARGS='-m "not slow"' skips the slow tests.
# TEST_WORKERS runs the suite on that many processes (pytest-xdist); each test file stays on one
# worker (--dist loadfile), so a file's fixtures are built once. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

readme: $(VENV)/.dev-installed
	$(BIN)/python docs/readme_blocks.py --update

figures: $(VENV)/.dev-installed
	$(BIN)/python docs/make_figures.py

bench: $(VENV)/.run-installed
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) $(README_OUTPUTS) .pytest_cache .ruff_cache
