# Redstar — the README's commands. Each target installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM ?= /usr/bin/chromium
# One worker per core (pytest-xdist), each with its own PostgreSQL and Valkey; the
# browser tests stay together on one worker (e2e/conftest.py).
PARALLEL ?= --numprocesses=auto
CATALOGS := $(patsubst %.po,%.mo,$(wildcard app/locales/*/LC_MESSAGES/messages.po))

# What WeasyPrint (the PDF reports) loads from the system: Pango and HarfBuzz's
# subsetter (without it WeasyPrint subsets the CJK fonts in Python, seconds a font),
# and the Noto CJK fonts the reports and their charts are set in (fontconfig finds them).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk

.PHONY: run test test-fast bench lint messages deps pdf browser clean-data

run: deps pdf  ## the whole product: servers, migrations, demo data, web and worker
	$(UV) run redstar dev

test: deps pdf browser  ## the whole suite, end-to-end tests included
	$(UV) run pytest $(PARALLEL)

test-fast: deps pdf  ## everything but the browser tests
	$(UV) run pytest $(PARALLEL) -m "not e2e"

bench: deps pdf  ## benchmarks under bench/ (bench/README.md); figures to bench/results/*.json
	@command -v wrk >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk)
	$(UV) run python -m bench

lint: deps
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy app tenants workers

messages: deps  ## extract strings, update the catalogs, compile
	$(UV) run python -m app.i18n_catalogs

deps: .venv/.synced node_modules/.installed static/vendor/htmx.min.js static/vendor/echarts.common.min.js $(CATALOGS)

.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/htmx.min.js: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# ECharts' "common" build (bar, line, legend, patterns); only the minified file is served.
static/vendor/echarts.common.min.js: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/echarts/dist/echarts.common.min.js $@

app/locales/%/LC_MESSAGES/messages.mo: app/locales/%/LC_MESSAGES/messages.po .venv/.synced
	$(UV) run python -m app.i18n_catalogs --compile

pdf:  ## Debian's Pango, HarfBuzz subsetter and CJK fonts, for WeasyPrint's reports
	@(fc-list :lang=zh 2>/dev/null | grep -q . && \
		/sbin/ldconfig -p | grep -q libpangoft2-1.0.so.0 && \
		/sbin/ldconfig -p | grep -q libharfbuzz-subset.so.0) || \
		($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PDF_PACKAGES))

browser:  ## Debian's Chromium (Playwright cannot download browsers here) and CJK fonts
	@(test -x $(CHROMIUM) && fc-list :lang=zh 2>/dev/null | grep -q .) || \
		($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk)

clean-data:  ## stop the embedded servers and delete their data
	-$(UV) run redstar stop
	rm -rf .redstar
