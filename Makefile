# Knowhow: `make run` serves the app with demo data, `make test` runs the whole suite
# (`make test-fast`: all but the browser tests), `make serve` runs it in production.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
INSTANCE := $(or $(KNOWHOW_INSTANCE_PATH),instance)

KNOWHOW_WORKERS ?= 2

.PHONY: install browser ldap-server run serve test test-fast lint bench bench-load translations extract-messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(VENV)/bin/pybabel compile --statistics -d translations; fi

extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _nl:1,2 --ignore-dirs ".* __pycache__ tests bench instance migrations translations" -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

run: install
	$(FLASK) init-db
	@if [ ! -f "$(INSTANCE)/.demo-loaded" ]; then \
		$(FLASK) demo-data && touch "$(INSTANCE)/.demo-loaded"; fi
	@echo
	@echo "Knowhow is at http://$(HOST):$(PORT)/"
	@echo "Demo logins (password: knowhow-demo): admin (administrator), leila (team lead),"
	@echo "  sara (agent, Persian UI), james (agent, English UI), fatima (agent, Arabic UI), nok (agent, Thai UI)"
	@echo
	@# One command, two processes: the job consumer (jobs.py) beside the web server, stopped with it.
	@$(FLASK) run-jobs & consumer=$$!; trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --host $(HOST) --port $(PORT)

# Production on one host: gunicorn with KNOWHOW_WORKERS workers on HOST:PORT (behind nginx, see
# README "Deployment"), in production mode, so config.check_production_config refuses to start
# without a real KNOWHOW_SECRET_KEY. No demo data. One job consumer (huey) runs beside gunicorn.
# gunicorn.conf.py loads the application once before the workers fork, so that they share it.
serve: install
	@if [ -z "$$KNOWHOW_SECRET_KEY" ]; then \
		echo "make serve runs Knowhow in production: set KNOWHOW_SECRET_KEY to a long random value, e.g." >&2; \
		echo "  export KNOWHOW_SECRET_KEY=\"\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\"" >&2; \
		exit 1; fi
	KNOWHOW_ENV=production $(FLASK) init-db
	@# gunicorn and one job consumer (jobs.py), stopped together.
	@export KNOWHOW_ENV=production; $(FLASK) run-jobs & consumer=$$!; \
		trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
		$(VENV)/bin/gunicorn --config gunicorn.conf.py --workers $(KNOWHOW_WORKERS) --bind $(HOST):$(PORT) --access-logfile - "app:create_app()"

# The browser tests drive Debian's Chromium (Playwright never downloads a browser of its own);
# the Thai font keeps their screenshots readable. Installed once, as root or through sudo.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian's Chromium for the browser tests"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium fonts-thai-tlwg; fi

# The LDAP sign-in tests start Debian's slapd of their own on free ports (tests/ldap_server.py);
# the package is preseeded not to configure an instance of its own (slapd/no_configuration).
SLAPD ?= /usr/sbin/slapd

ldap-server:
	@if [ ! -x "$(SLAPD)" ] || ! command -v ldapadd >/dev/null; then \
		echo "Installing Debian's slapd and ldap-utils for the LDAP sign-in tests"; \
		$(SUDO) apt-get update -q && echo "slapd slapd/no_configuration boolean true" | $(SUDO) debconf-set-selections \
		&& DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q slapd ldap-utils; fi

# One test process per core (pytest-xdist); TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto

test: install browser ldap-server
	$(PY) -m pytest -n $(TEST_WORKERS)

# Everything but the browser tests (no Chromium needed).
test-fast: install ldap-server
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not browser"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

bench: install
	$(PY) -m bench

# gunicorn on 127.0.0.1 with the embedded default, then on PostgreSQL + Redis (bench/load.py):
# 32 clients for two minutes, about ten minutes in all. Options: make bench-load LOAD_OPTIONS="--seconds 10".
bench-load: install
	$(PY) -m bench load $(LOAD_OPTIONS)

clean:
	rm -rf $(VENV) *.egg-info
