# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
# `make run` is production mode (DEBUG off) on plain http://127.0.0.1 with a generated local key.
RUN_ENV = SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" HTTPS="$${HTTPS:-false}"

.PHONY: run edge test system-deps redis setup static backup restore deps dev-deps lint format messages screenshots bench start-db stop-db clean

# Ctrl-C stops gunicorn; the shell outlives it (trap) to say whether the embedded PostgreSQL,
# which other processes may share, is still running.
run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/  (demo accounts: var/demo-accounts.txt)"
	@trap : INT TERM; $(RUN_ENV) PORT=$(PORT) $(BIN)/gunicorn portal.wsgi -c gunicorn.conf.py; \
	  status=$$?; $(BIN)/python -m portal.embedded_postgres hint; exit $$status

# As `run`, behind the shipped edge cache (edge/): nginx on $(PORT), gunicorn on a socket under
# var/edge/; nginx and its cache-purge module are installed first when missing (as root).
edge: SYSTEM_PACKAGES = nginx libnginx-mod-http-cache-purge
edge: system-deps setup
	@trap : INT TERM; $(RUN_ENV) PORT=$(PORT) $(BIN)/python -m edge.serve; \
	  status=$$?; $(BIN)/python -m portal.embedded_postgres hint; exit $$status

# Everything `run` needs, idempotent: a second run only checks.
setup: deps static
	$(RUN_ENV) $(MANAGE) migrate --no-input -v 0
	$(RUN_ENV) $(MANAGE) createcachetable
	$(RUN_ENV) $(MANAGE) load_demo
	$(RUN_ENV) $(MANAGE) load_demo_comments
	$(RUN_ENV) $(MANAGE) ensure_demo_accounts

# Production mode serves static files through their manifest (staticfiles/); needs no database.
static: deps var/secret_key
	$(RUN_ENV) $(MANAGE) collectstatic --no-input -v 0

test: dev-deps system-deps redis
	$(BIN)/pytest

# Debian packages the suite needs: Chromium for the browser journeys, CJK fonts for their
# screenshots, Redis for the scale-out tests, nginx with the cache-purge module for the edge
# cache. Only the missing ones are installed, and only as root; anyone else is told what to run.
SYSTEM_PACKAGES := chromium fonts-noto-cjk redis-server nginx libnginx-mod-http-cache-purge
APT_GET ?= apt-get
AS_ROOT ?= $(shell [ "$$(id -u)" = 0 ] && echo yes)
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	  | grep -q '^install ok installed$$' || echo $$p; done | xargs); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$(AS_ROOT)" != yes ]; then \
	  echo "Missing system packages; as root run: apt-get install -y $$missing" >&2; exit 1; fi; \
	echo "Installing $$missing"; \
	$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$missing

# A Redis on 127.0.0.1:6379 for the scale-out tests, started unless one answers there.
redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
	  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip

deps: $(VENV)/.deps
$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

dev-deps: $(VENV)/.dev-deps
$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.deps $@

var/secret_key:
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m tests.import_rules

format: dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the Traditional catalogs from the Simplified one and compile all four.
messages: dev-deps var/secret_key
	$(RUN_ENV) $(MANAGE) make_variant_catalogs

screenshots: dev-deps
	$(BIN)/python -m tests.e2e.screenshots

# The benchmarks make databases of their own; they need the collected static files, Redis and wrk.
bench: SYSTEM_PACKAGES += wrk
bench: dev-deps system-deps redis static
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.http --cache redis
	$(BIN)/python -m bench.http --cache database
	$(BIN)/python -m bench.edge

# A pg_dump of the configured database into var/backups/; restore one into an empty database.
backup: deps var/secret_key
	$(RUN_ENV) $(MANAGE) backup

restore: deps var/secret_key
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/portal-….dump" >&2; exit 2; }
	$(RUN_ENV) $(MANAGE) restore "$(FILE)"

# The embedded PostgreSQL (EMBEDDED_PG_DIR, default var/pgdata); any first connection also starts it.
start-db: deps
	$(BIN)/python -m portal.embedded_postgres start

stop-db:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m portal.embedded_postgres stop; fi

clean: stop-db
	rm -rf var staticfiles test-artifacts
