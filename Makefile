# The two commands: `make run` (demo dashboard on http://127.0.0.1:8000) and
# `make test` (the whole suite). Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(PY) manage.py migrate --noinput
	STATIC_MANIFEST=1 $(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ -z "$$CXENGAGE_API_URL" ]; then $(PY) manage.py ensure_demo_user; fi
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	STATIC_MANIFEST=1 DJANGO_HTTPS=$${DJANGO_HTTPS:-0} DJANGO_LOG_FORMAT=$${DJANGO_LOG_FORMAT:-plain} HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py dashboard.wsgi

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install-test
	$(PY) bench/render.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache artifacts
