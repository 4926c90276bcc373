# CXO: `make run` sets everything up and serves the product; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install demo bench clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cxo migrate --noinput
	$(BIN)/cxo demo

run: demo
	@echo ""
	@echo "  CXO is starting at http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/api/v1/docs)"
	@echo ""
	$(BIN)/cxo runserver 127.0.0.1:8000

# The whole suite: once on SQLite, once on a throwaway PostgreSQL cluster; browser tests in both.
# Pass pytest options with ARGS, e.g. make test ARGS="-k audit" or ARGS="-n 2" (pytest-xdist).
test: $(STAMP)
	$(BIN)/python scripts/run_tests.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src tests conftest.py
	$(BIN)/cxo makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python bench/registry.py

clean:
	rm -rf $(VENV) var/cxo.sqlite3
