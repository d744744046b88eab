# make run   - create .venv, install, build the store from content/, serve it under gunicorn
# make test  - install with the test extra, lint, type-check, run every test
# make bench - measure throughput against baselines (bench/results.md)
# make docker-test - build the image, run it and check it from outside (Docker; root)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONTENT ?= content
STORE ?= var/briefing.sqlite3
BIND ?= 127.0.0.1:8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run build check test lint typecheck browser checkers java nginx bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

check: $(VENV)/.installed
	$(BIN)/briefing check $(CONTENT)

build: $(VENV)/.installed
	$(BIN)/briefing build $(CONTENT) --store $(STORE)

# Links point at this local server rather than the publication's public base_url.
run: build
	BRIEFING_BASE_URL=http://$(BIND) $(BIN)/briefing serve --store $(STORE) --bind $(BIND)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# Debian's Chromium and its driver for tests/test_browser.py, installed only when missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends chromium chromium-driver; }

# The page checkers for tests/test_accessibility.py, pinned in tests/package-lock.json: the W3C Nu
# HTML checker (vnu.jar) and axe-core, from npm into tests/node_modules (their install scripts not
# run: vnu-jar's would download a Java of its own), again when the lock changes; Debian's npm and
# Java only when missing.
CHECKERS := tests/node_modules/.installed

checkers: $(CHECKERS) java

$(CHECKERS): tests/package.json tests/package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm; }
	npm ci --prefix tests --ignore-scripts --no-audit --no-fund
	touch $@

java:
	@command -v java >/dev/null || { $(SUDO) apt-get update && $(SUDO) env \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends default-jre-headless; }

# Debian's nginx for tests/test_nginx.py and make bench's proxy figure, installed only when missing
# (in /usr/sbin, which a user's PATH may lack).
nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx; }

test: lint typecheck browser checkers nginx
	$(BIN)/pytest

# Throughput ratios against baselines in the same run; writes bench/results.md (minutes).
bench: $(VENV)/.installed-test nginx
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk; }
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache tests/node_modules

# The image built and run, checked from outside (.ci/docker_image.py). Starts dockerd and makes
# the Debian base image when missing: a few minutes the first time, under a minute after.
.PHONY: docker-test
docker-test:
	$(PYTHON) .ci/docker_image.py
