# 安心校园 Anxin — every target bootstraps .venv itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is a trial server with the demo county (shared demo password): mark it as such.
export ANXIN_DEMO ?= true

.PHONY: install run test lint bench demo messages clean-var drill

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)
	@bash scripts/fetch_echarts.sh

# Compile the translation catalogues (.po → .mo) with Babel: no system gettext needed. The
# project's catalogue is locale/; an app may carry its own (anxin/<app>/locale/), found by Django.
messages: $(STAMP)
	@for po in $$(find locale anxin -path '*/LC_MESSAGES/django.po' 2>/dev/null); do \
	  $(VENV)/bin/pybabel compile --statistics -i $$po -o $${po%.po}.mo >/dev/null || exit 1; done

demo: install messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo --if-empty

# the poster's QR code and e-mailed links point at the address the server answers on
run: export ANXIN_SITE_URL ?= http://$(HOST):$(PORT)
run: demo
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py demo_logins
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install messages
	$(VENV)/bin/ruff check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	bash scripts/test.sh $(ARGS)

# Restore drill (R-Q-5): pg_dump + files tarball, restore into a fresh database, verify_audit,
# compare row counts per table; non-zero exit on any mismatch. Needs DATABASE_URL (PostgreSQL).
drill: install
	$(PY) manage.py restore_drill $(ARGS)

bench: install messages
	@bash scripts/bench.sh $(ONLY)
