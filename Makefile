# Two commands: `make run` (demo on SQLite) and `make test` (the whole suite
# on SQLite, then on PostgreSQL when one is reachable). Everything a fresh
# machine needs is installed from here.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MO := locale/sv/LC_MESSAGES/django.mo
PO := locale/sv/LC_MESSAGES/django.po
# Debian packages WeasyPrint needs, plus gettext (msgfmt) for translations.
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext
PYTEST_ARGS ?= -n auto

.PHONY: run test test-sqlite test-postgres system-deps messages lint clean-db

run: $(VENV)/.runtime system-deps $(MO)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "Bolots körs på http://127.0.0.1:8000 (Ctrl+C avslutar)."
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.dev system-deps $(MO) node_modules/.installed
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

# Runs the suite again on PostgreSQL when a server is reachable; CI sets
# BOLOTS_REQUIRE_POSTGRES=1 so that a missing server fails instead.
test-postgres:
	@url="$$($(PY) .ci/find_postgres.py)"; \
	if [ -n "$$url" ]; then \
		echo "== PostgreSQL: $$url"; \
		DATABASE_URL="$$url" $(PY) -m pytest $(PYTEST_ARGS); \
	elif [ "$${BOLOTS_REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "PostgreSQL is required (BOLOTS_REQUIRE_POSTGRES=1) but none is reachable." >&2; exit 1; \
	else \
		echo "== No PostgreSQL reachable: the PostgreSQL pass is skipped."; \
	fi

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# axe-core for the browser tests' accessibility checks.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: browser tests will be skipped (CI installs it)."; fi

# Installs WeasyPrint's libraries and gettext when missing and we are root;
# otherwise says what is missing.
system-deps:
	@missing=""; \
	for pkg in $(DEB_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			echo "Installing:$$missing"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else echo "Missing Debian packages (install them as root):$$missing" >&2; fi; \
	fi

$(MO): $(PO)
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null

# Extract new UI strings into the Swedish catalogue (then translate them).
messages:
	DEBUG=1 $(PY) manage.py makemessages -l sv --ignore=.venv --ignore=node_modules --ignore=staticfiles --no-obsolete

lint:
	$(VENV)/bin/ruff check .

clean-db:
	rm -f db.sqlite3
