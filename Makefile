# Everything a person repeats. The first two targets are the README's two commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORTAL := $(BIN)/portal
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test install install-test vendor system-deps lint format typecheck migrations-check runtime-check \
        test-sqlite test-postgres test-e2e bench clean runtime-deps translations i18n

## make run: install everything, migrate, seed, and serve on http://$(HOST):$(PORT), with the
## notification worker beside the server (stopped with it)
run: install
	$(PORTAL) seed --demo
	@$(PORTAL) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(PORTAL) serve --host $(HOST) --port $(PORT)

## make test: lint, types, migrations, the suite on SQLite and on PostgreSQL, browser journeys
test: install-test system-deps lint typecheck migrations-check runtime-check
	@# The two databases' runs share nothing (temporary data dirs, a throwaway cluster): one
	@# per core halves the wall time. Each run's output is printed whole when it ends.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
	$(MAKE) --no-print-directory test-e2e

install: $(VENV)/.stamp-install static/vendor/.stamp runtime-deps translations

$(VENV)/.stamp-install: pyproject.toml
	@bash scripts/ensure-venv.sh $(PYTHON) $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

install-test: install $(VENV)/.stamp-test

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-install
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

vendor: static/vendor/.stamp

static/vendor/.stamp: package.json package-lock.json scripts/vendor.sh
	npm ci --no-audit --no-fund --loglevel=error
	bash scripts/vendor.sh
	@touch $@

system-deps:
	@bash scripts/ensure-system-deps.sh

# The Chinese font of the evaluation report (Debian's fonts-wqy-microhei), when missing.
runtime-deps:
	@bash scripts/ensure-system-deps.sh runtime

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck:
	$(BIN)/mypy

migrations-check:
	@bash scripts/alembic-check.sh

runtime-check:
	@bash scripts/runtime-check.sh

test-sqlite:
	@echo "=== test suite on SQLite ==="
	PORTAL_TEST_DB=sqlite $(BIN)/pytest tests

test-postgres:
	@echo "=== test suite on PostgreSQL (throwaway cluster on 127.0.0.1) ==="
	PORTAL_TEST_DB=postgresql $(BIN)/pytest tests

test-e2e:
	@echo "=== browser journeys (Debian Chromium) ==="
	$(BIN)/pytest e2e

## the English catalog: .po (in git) → .mo (built here, git-ignored)
translations: portal/translations/en/LC_MESSAGES/messages.mo

portal/translations/en/LC_MESSAGES/messages.mo: portal/translations/en/LC_MESSAGES/messages.po $(VENV)/.stamp-install
	$(BIN)/python -m portal.kit.catalog compile

## make i18n: add new strings to the catalog, then list what has no English translation
i18n: $(VENV)/.stamp-install
	$(BIN)/python -m portal.kit.catalog extract

bench: install-test
	@bash scripts/ensure-system-deps.sh bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache
