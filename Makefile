# The portal's commands. `make run` serves the demo site; `make test` proves it.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
PORT ?= 8000
# Links in e-mails, PDFs and calendars follow the port `make run` serves on.
SITE_URL ?= http://127.0.0.1:$(PORT)
# `make run` serves with DEBUG off, as production does: a 404, 403 or 500 shows the portal's
# French pages (templates/404.html...), not Django's English technical ones; the traceback
# of a 500 is still printed in the log. --insecure lets runserver serve the static files
# without DEBUG; it still reloads on code changes. `make run DEBUG=true` for Django's pages.
DEBUG ?= false

.PHONY: run test lint install chromium pdfinfo zbar vnu messages bench lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py create_signing_key --if-missing
	DJANGO_DEBUG=$(DEBUG) SITE_URL=$(SITE_URL) $(PY) manage.py runserver --insecure 127.0.0.1:$(PORT)

# Browser tests drive Debian's Chromium; install it when missing (as root, like CI).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: sudo apt-get install chromium"; fi; }

# PDF tests read the PDF/A and tagging markers with poppler's pdfinfo; install it when missing.
pdfinfo:
	@command -v pdfinfo >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "pdfinfo is missing: sudo apt-get install poppler-utils"; fi; }

# The check-in code tests read the QR images of the mails and pages with zbar's zbarimg,
# as the organiser's camera does; install it when missing.
zbar:
	@command -v zbarimg >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zbar-tools >/dev/null; \
	  else echo "zbarimg is missing: sudo apt-get install zbar-tools"; fi; }

# Static analysis: ruff, the layers contract (import-linter, pyproject.toml), bandit (medium and high), and the portal's own semgrep rules
# (.semgrep/: mark_safe, |safe, csrf_exempt, .raw/.extra; offline, no metrics) on the
# app folders and templates only, to stay quick.
APP_DIRS := core cos_portal members charters activities governance
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -q -r $(APP_DIRS) -ll
	SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off $(VENV)/bin/semgrep scan --config .semgrep \
	  --metrics=off --error --quiet --disable-version-check $(APP_DIRS) templates

# The Nu HTML Checker (vnu.jar, npm package vnu-jar pinned in package.json) and the Java
# that runs it, for tests/cos_portal/test_html_validity.py; installed when missing.
vnu:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "Java is missing: sudo apt-get install default-jre-headless"; fi; }
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "npm is missing: sudo apt-get install npm"; fi; }
	@test -f node_modules/vnu-jar/build/dist/vnu.jar || npm ci --no-audit --no-fund --ignore-scripts

test: install chromium pdfinfo zbar vnu lint
	$(PY) manage.py makemigrations --check --dry-run --settings=cos_portal.settings.test
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)
	DATABASE_URL=sqlite:///$(CURDIR)/.pytest-sqlite.sqlite3 REDIS_URL= $(PY) -m pytest -q -m "sqlite or every_database" $(PYTEST_ARGS)

# Translations: French is the source language, locale/en holds the English catalogue.
# Extracts the new French strings into locale/en/LC_MESSAGES/django.po, then compiles
# django.mo (both committed; needs gettext's xgettext and msgfmt). Translate the entries
# left empty: tests/i18n fails while one is untranslated or the .mo is out of date.
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=bench --ignore=tests --ignore=node_modules \
	--ignore=staticfiles --ignore=artifacts
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete $(MAKEMESSAGES_IGNORE)
	$(PY) manage.py compilemessages --ignore=.venv

# Benchmark (bench/suite.py): one data set (2,000 organisations, 3,000 activities, 300,000
# attendance rows, 5,000 ballots; BENCH_ARGS=--scale 10 for ten times that) in
# bench/bench.sqlite3 or BENCH_DATABASE_URL (PostgreSQL), then every page warm and cold vs
# its raw SQL and the floor through gunicorn, jobs vs their SQL, the vote's rush, the
# tally, the deadline engine and the certificate; one table, bench/results/latest.json.
# BENCH_ARGS bounds the run (e.g. --time-budget 20 --window 60).
BENCH_ARGS ?=
bench: install
	$(PY) bench/suite.py $(BENCH_ARGS)

lock: install
	$(PY) -m pip freeze --exclude-editable | grep -v '^cos-portal' > requirements.lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# Known vulnerabilities of the locked dependencies (pip-audit --strict), when a vulnerability
# database is reachable; otherwise .ci/audit says that nothing was checked (exit 0, no pass).
.PHONY: audit backup restore
audit: install
	PY=$(PY) .ci/audit

# Backups: the database (pg_dump, or SQLite's backup API) and the private media files in
# backups/cos-ge-<date>.tar.gz (git-ignored); `make restore FILE=...` puts them back (asks first).
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/cos-ge-<date>.tar.gz"; exit 2; }
	$(PY) manage.py restore "$(FILE)"
