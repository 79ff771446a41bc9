# payables — the everyday commands. Start: `make run`. Test: `make test` (fast), `make test-all`.
# Needs only Python 3.11+ and make; everything else goes into ./.venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra arguments for pytest / the bench, e.g. `make test ARGS="-k supplier"`.
ARGS ?=
# pytest-xdist spreads the suite over all CPUs; `make test XDIST=` runs it in one process.
XDIST ?= -n auto
# `make test` leaves out the tests marked slow (bulk loads, bursts, bench runs: see the
# markers in pyproject.toml); `make test-all` runs them too. ARGS="-m ..." overrides this.
FAST := -m "not slow"
PG_URL := postgres://postgres@127.0.0.1:5432/payables
LINTED := payables bench fuzz

.DEFAULT_GOAL := help
.PHONY: help venv run demo test test-all test-postgres lint fmt migrations-check bench fuzz

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

venv: $(STAMP)  ## Create .venv and install payables with its dev and bench tools.

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "payables needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Re-install only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@touch $@

run: venv  ## Migrate, start a worker and serve http://127.0.0.1:8000 (PORT=, HOST=; SQLite + files in ./var).
	$(BIN)/payables serve --host $(HOST) --port $(PORT)

demo: venv  ## Load a demo company with suppliers and invoices; prints an API key.
	$(BIN)/payables demo

test: venv  ## Run the fast suite, without slow tests (SQLite unless DATABASE_URL is set; ARGS=...).
	$(BIN)/pytest -q -rs $(XDIST) $(FAST) $(ARGS)

test-all: venv  ## Run every test, slow ones included (SQLite unless DATABASE_URL is set; ARGS=...).
	$(BIN)/pytest -q -rs $(XDIST) $(ARGS)

test-postgres: venv  ## Run the fast suite on PostgreSQL (DATABASE_URL, default .../payables).
	DATABASE_URL="$${DATABASE_URL:-$(PG_URL)}" $(BIN)/pytest -q -rs $(XDIST) $(FAST) $(ARGS)

lint: venv  ## ruff check and ruff format --check.
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

fmt: venv  ## Apply ruff's fixes and formatting.
	$(BIN)/ruff check --fix-only $(LINTED)
	$(BIN)/ruff format $(LINTED)

migrations-check: venv  ## Fail when a model change has no migration.
	$(BIN)/payables makemigrations --check --dry-run

# The benches `make bench` runs, each with ARGS: `make bench BENCH=upsert ARGS="--batch 50"`.
BENCH ?= import upsert masterdata webhook hostile

bench: venv  ## Import, upsert, master data, webhook and hostile-input benchmarks (ARGS="--count 300", BENCH=upsert; DATABASE_URL picks the db).
	@set -e; for name in $(BENCH); do \
		echo "== bench/$${name}_bench.py $(ARGS)"; \
		$(BIN)/python bench/$${name}_bench.py $(ARGS); \
	done

# `make fuzz` draws the same cases each run (FUZZ_SEED=1); `make fuzz FUZZ_SEED=` draws new ones.
FUZZ_SEED ?= 1
FUZZ_EXAMPLES ?= 25

fuzz: venv  ## Schemathesis over every API operation against a live server on loopback (SQLite, or a fresh database on DATABASE_URL's server; FUZZ_EXAMPLES=, FUZZ_SEED=, ARGS=).
	$(BIN)/python fuzz/run.py --max-examples $(FUZZ_EXAMPLES) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) $(if $(DATABASE_URL),--database-url "$(DATABASE_URL)") $(ARGS)
