# Two commands matter: `make run` (the demo) and `make test` (the whole suite). Both run on
# PostgreSQL: the server at DATABASE_URL when it is set, else an embedded server that the app and the
# test run start and stop themselves (data in var/postgres; revaluation/embedded_database.py).
PYTHON ?= $(shell command -v python3.13 2>/dev/null || echo $(HOME)/.pyenv/versions/3.13.0/bin/python)
VENV := .venv
BIN := $(VENV)/bin
DEMO_USER ?= demo
DEMO_PASSWORD ?= demo-revaluation

.PHONY: install run test lint format migrate demo bench bench-load clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo --user $(DEMO_USER) --password $(DEMO_PASSWORD)

run: demo
	@echo "Demo login: $(DEMO_USER) / $(DEMO_PASSWORD)  ->  http://127.0.0.1:8000/"
	@# The task worker (Adjust Cost, large calculations and postings) runs beside the server
	@# and stops with it.
	$(BIN)/python manage.py db_worker --no-startup-delay & trap 'kill -INT $$! 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# One pytest worker per core (pytest-xdist): each worker has its own test database.
PYTEST_ARGS ?= -n auto

test: install
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/revaluation_bench
BENCH_ITEMS ?= 2000
BENCH_PAIRS ?= 250
BENCH_RUNS ?= 3
# e.g. BENCH_ARGS="--skip-posting --skip-adjust" on a million entries (see docs/BENCHMARKS.md)
BENCH_ARGS ?=

# Fresh benchmark database, a ledger of BENCH_ITEMS x BENCH_PAIRS x 2 entries checked against the
# ledger invariants, medians of BENCH_RUNS runs beside their floors to docs/BENCHMARKS-latest.md.
bench: install
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_DATABASE_URL))"
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "CREATE DATABASE $(notdir $(BENCH_DATABASE_URL))"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/generate.py --items $(BENCH_ITEMS) --pairs $(BENCH_PAIRS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py check_ledger
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py --runs $(BENCH_RUNS) $(BENCH_ARGS)

# The load test on a copy of the benchmark database (run `make bench` first).
bench-load: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/load.py --users 20 --edits 40

clean:
	rm -rf $(VENV) var staticfiles
