# Pingan: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/pingan
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo demo-reset test test-fast test-future venv test-deps services lint typecheck test-sqlite test-postgres serve workflow-doc clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when the requirements change.
$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements/base.txt
	touch $@

$(VENV)/.test-installed: requirements/test.txt requirements/base.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements/test.txt
	touch $@

venv: $(VENV)/.base-installed

## make demo: install, migrate SQLite, load the demo county, serve on http://127.0.0.1:8000
demo: venv
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_field_demo
	$(BIN)/python manage.py demo_accounts
	$(BIN)/python manage.py channel_demo
	$(BIN)/python manage.py open311_demo
	$(BIN)/python manage.py classifier train
	@# What the live days told the task worker (notifications, triage), before serving.
	$(BIN)/python manage.py db_worker --batch --no-startup-delay --no-reload -v 0 >var/worker-demo.log 2>&1
	bash scripts/serve.sh $(HOST) $(PORT)

## make demo-reset: delete the SQLite demo database and build the demo county afresh, ending today
demo-reset:
	rm -f var/pingan.sqlite3 var/pingan.sqlite3-wal var/pingan.sqlite3-shm
	$(MAKE) demo

serve: venv
	bash scripts/serve.sh $(HOST) $(PORT)

test-deps: $(VENV)/.test-installed
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-gettext.sh
	bash scripts/ensure-nginx.sh

services:
	bash scripts/ensure-services.sh

lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: test-deps
	$(BIN)/mypy pingan config bench

# Two processes; each file's tests stay on one process (module fixtures, one live server);
# the slowest tests are named at the end of each run.
PYTEST := $(BIN)/pytest -n 2 --dist loadfile --durations=10 pingan

test-sqlite: test-deps
	env -u DATABASE_URL $(PYTEST)

test-postgres: test-deps services
	DATABASE_URL=$(PG_URL) $(PYTEST)

## make test: lint, the whole suite on SQLite and on PostgreSQL, the workflow doc check
test: test-deps services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pingan config bench
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0
	@echo "== SQLite =="
	env -u DATABASE_URL $(PYTEST)
	@echo "== PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(PYTEST)

## make test-fast: the unit tests on SQLite, without the browser, chaos and schemathesis runs
test-fast: $(VENV)/.test-installed
	bash scripts/ensure-gettext.sh
	env -u DATABASE_URL $(BIN)/pytest -n 2 -m "not browser and not slow" pingan

## make test-future: the suite with the clock of the tests and their browser 548 days ahead
FUTURE ?= +548d
test-future: test-deps
	bash scripts/test-future.sh "$(FUTURE)"

workflow-doc: venv
	$(BIN)/python manage.py workflow_doc events > docs/workflow.md

clean:
	rm -rf $(VENV) var
