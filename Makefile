# Two commands do everything (see README):  make report   and   make test
# Both create .venv if missing and install the pinned package into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PERIOD ?= 2024-12-31
DATA   ?= data/demo
OUT    ?= outputs
SEED   ?= 2024

.PHONY: report test lint demo clean-outputs benchmark

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sefanalysis needs Python 3.11 or newer: set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The demonstration authority is regenerated whenever its generator changes (same seed, same bytes).
data/demo/.generated: $(STAMP) $(wildcard src/sefanalysis/demo/*.py)
	$(BIN)/sefanalysis demo-data --out data/demo --seed $(SEED)
	touch $@

demo: data/demo/.generated

report: $(STAMP) data/demo/.generated
	$(BIN)/sefanalysis run --period-end $(PERIOD) --data $(DATA) --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests notebooks
	$(BIN)/ruff format --check src tests

# Run folders, and the hidden folders runs leave until the next run of the same quarter (a
# replaced run kept whole for readers, a half-built one); the rerun cache (.cache) stays.
clean-outputs:
	rm -rf $(OUT)/*/ $(OUT)/.*.old $(OUT)/.*.aside $(OUT)/.*.partial

# Scale and speed benchmark (not part of make test; needs duckdb): see benchmarks/run_benchmarks.py
benchmark: $(STAMP)
	$(BIN)/python -m pip install --quiet "duckdb==2.0.0"
	$(BIN)/python benchmarks/run_benchmarks.py $(BENCH_ARGS)
