# The two commands: `make run` (demo dashboard on http://127.0.0.1:8000) and
# `make test` (the whole suite). Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install install-test install-lint bench clean screenshots

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# One pip run for everything (CI lints first, then tests): it stands for the other two.
$(VENV)/.installed-lint: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[test,lint]"
	touch $(VENV)/.installed $(VENV)/.installed-test $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Every step logs for a terminal (plain), as the server does.
run: export DJANGO_LOG_FORMAT := $(or $(DJANGO_LOG_FORMAT),plain)
run: install
	$(PY) manage.py migrate --noinput
	STATIC_MANIFEST=1 $(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ -z "$$CXENGAGE_API_URL" ]; then $(PY) manage.py ensure_demo_user; fi
	@# Fill the interaction index (search, journeys, typical figures) before serving:
	@# one summary line per tenant, not a log line per API call (DJANGO_LOG_LEVEL=INFO shows them).
	-DJANGO_LOG_LEVEL=$${DJANGO_LOG_LEVEL:-WARNING} $(PY) manage.py sync_interactions --once --since 30d
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	STATIC_MANIFEST=1 DJANGO_HTTPS=$${DJANGO_HTTPS:-0} HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py dashboard.wsgi

# PYTEST_ALLOW_EMPTY=1: a selection that matches no test (pytest's exit 5) passes.
test: install-test
	@echo "$(PY) -m pytest $(PYTEST_ARGS)"; status=0; $(PY) -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ] && [ "$(PYTEST_ALLOW_EMPTY)" = 1 ]; then \
		echo "make test: no tests selected"; status=0; fi; \
	exit $$status

# Formatter, linter, types and layer contracts: zero findings, or it fails.
lint: $(VENV)/.installed-lint
	$(VENV)/bin/ruff format --check dashboard tests bench scripts manage.py gunicorn.conf.py
	$(VENV)/bin/ruff check dashboard tests bench scripts manage.py gunicorn.conf.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Rewrites files: the formatter and the linter's safe fixes.
format: $(VENV)/.installed-lint
	$(VENV)/bin/ruff format dashboard tests bench scripts manage.py gunicorn.conf.py
	$(VENV)/bin/ruff check --fix dashboard tests bench scripts manage.py gunicorn.conf.py

bench: install-test
	@if ! command -v wrk >/dev/null 2>&1; then \
		echo "make bench: wrk (the HTTP load generator) is missing; installing Debian's package: apt-get install -y wrk"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi; \
		if [ "$$SUDO" = none ]; then echo "make bench: not root and no sudo: cannot install wrk (the throughput part will fail)"; \
		else $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk \
			|| { echo "make bench: apt-get update, then apt-get install -y wrk again"; \
			     $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; } \
			|| echo "make bench: could not install wrk (the throughput part will fail)"; fi; \
	fi
	$(PY) bench/run_all.py $(BENCH_ARGS)
	$(PY) bench/flagged.py
	$(PY) bench/cache.py
	@# The index benchmarks need PostgreSQL: DATABASE_URL=postgres://… make bench
	@# (index_search generates 1,000,000 interactions once; --keep reuses them).
	@case "$$DATABASE_URL" in postgres*) \
		$(PY) bench/index_sync.py && $(PY) bench/index_search.py $(INDEX_BENCH_ARGS);; \
		*) echo "make bench: index benchmarks skipped (DATABASE_URL is not PostgreSQL)";; esac

# The README's screenshots, from the demo data through headless Chromium.
screenshots: install-test
	$(PY) scripts/screenshots.py $(SHOTS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache artifacts
