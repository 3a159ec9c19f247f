# The two commands: `make run` (install, demo data, serve on http://127.0.0.1:8000) and `make test`.
# `DATABASE_URL=postgres://… NEWSARCHIVE_SEARCH=postgres make run` serves the same demo with the search
# index in PostgreSQL (migrate creates its tables; load_demo indexes into them), for several web machines.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export DJANGO_SETTINGS_MODULE := newsarchive.settings

# The fast tier deselects, by marker, what needs minutes, ../shared/corpus, a browser or a
# PostgreSQL server (pyproject.toml lists the markers): what is left needs nothing but this
# checkout. `postgres` tests run in test-all when DATABASE_URL is PostgreSQL (conftest.py).
FAST := not slow and not corpus and not browser and not heavy and not postgres

.PHONY: run test test-all test-browser check-code install install-dev demo serve lint format bench clean

run: install demo serve

test: check-code   # the fast tier: a few minutes on 2 cores
	$(VENV)/bin/pytest -m "$(FAST)" $(PYTEST_ARGS)

test-all: check-code   # both tiers (what CI runs on SQLite): stress, faults, heavy fuzz, corpus, browser
	scripts/install-browser
	$(VENV)/bin/pytest $(PYTEST_ARGS)

check-code: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

bench: install-dev   # archive-scale benchmark (bench/README.md); needs ../shared/corpus, wrk for load
	$(PY) bench/run.py $(BENCH_ARGS)

test-browser: install-dev
	scripts/install-browser
	$(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --editor

serve: install
	$(VENV)/bin/gunicorn newsarchive.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --preload \
		--no-control-socket --access-logfile - --timeout 60

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var/ .pytest_cache .ruff_cache test-artifacts/
