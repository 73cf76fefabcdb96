# Clinical-trial registry warehouse. `make` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PREFECT_HOME ?= $(CURDIR)/.prefect
SOURCE ?= seeds
DB ?= warehouse/trials.duckdb
PARQUET ?= warehouse/parquet
CRON ?= 0 3 * * *

.DEFAULT_GOAL := help
.PHONY: help install run test sql serve check lint types bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then UV=uv; \
	 elif $(BIN)/pip install -q uv 2>/dev/null; then UV=$(BIN)/uv; else UV=; fi; \
	 if [ -n "$$UV" ]; then $$UV pip install -q --compile-bytecode --python $(BIN)/python -c requirements.lock -e '.[dev]'; \
	 else $(BIN)/pip install -q -c requirements.lock -e '.[dev]'; fi
	@touch $@

install: $(STAMP) ## create .venv and install the project (uv when available, else pip)

run: $(STAMP) ## one flow run over seeds/ into warehouse/ (SOURCE=, DB=, PARQUET= to change)
	$(BIN)/trials run --source $(SOURCE) --db $(DB) --parquet $(PARQUET)

test: $(STAMP) ## the whole test suite
	$(BIN)/pytest -q

sql: $(STAMP) ## interactive SQL shell on the warehouse (read-only)
	@test -f $(DB) || { echo "no warehouse at $(DB): run 'make run' first" >&2; exit 1; }
	$(BIN)/duckdb -readonly $(DB)

serve: $(STAMP) ## run the flow on a cron schedule (CRON='0 3 * * *'), starting a Prefect server if none runs
	$(BIN)/trials serve --source $(SOURCE) --db $(DB) --parquet $(PARQUET) --cron '$(CRON)'

lint: $(STAMP) ## ruff
	$(BIN)/ruff check flows schemas warehouse tests bench
	$(BIN)/ruff format --check flows schemas warehouse tests bench

types: $(STAMP) ## mypy
	$(BIN)/mypy

check: lint types test ## lint, types and tests

bench: $(STAMP) ## benchmarks on the real corpora (writes bench/results.json)
	$(BIN)/python -m bench.run

clean: ## remove the warehouse and the local Prefect home (keeps .venv)
	rm -rf warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/parquet .prefect
