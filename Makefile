# Two commands a newcomer needs: `make site` and `make test`. Each sets up what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCKS  := requirements

.PHONY: site test lint system-deps fetch validate serve bench clean venv lock

# .venv is installed from a lock file, every package pinned and hash-checked: requirements/site.txt for
# the site build, requirements/test.txt (the same pins plus the test extra) for the tests. A stamp named
# for the contents of pyproject.toml and the lock says which is installed; a change to either reinstalls.
stamp = $(VENV)/.installed-$(1)-$(shell cat pyproject.toml $(LOCKS)/$(1).txt | cksum | cut -d' ' -f1)
SITE_STAMP := $(call stamp,site)
TEST_STAMP := $(call stamp,test)

# The lock, then the project alone: no dependencies (the lock has them) and no build isolation (the lock
# has setuptools, the build backend), so nothing unpinned is installed. `pip check` fails on a dependency
# in pyproject.toml that the lock lacks: run `make lock`. Only ever into a venv (its pyvenv.cfg).
define install_lock
	@test -f $(VENV)/pyvenv.cfg || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCKS)/$(1).txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
endef

$(SITE_STAMP):
	$(call install_lock,site)
	@rm -f $(VENV)/.installed-site-* $(VENV)/.installed-[0-9]*
	@touch $@

# The test lock pins everything the site lock does, at the same versions: it installs both.
$(TEST_STAMP):
	$(call install_lock,test)
	@rm -f $(VENV)/.installed-*
	@touch $@ $(SITE_STAMP)

venv: $(SITE_STAMP)  ## only .venv, from the site lock (the daily workflow's email job)

site: $(SITE_STAMP)  ## build site/ from the snapshots in content/
	$(BIN)/dailypapers build

validate: $(SITE_STAMP)
	$(BIN)/dailypapers validate

fetch: $(SITE_STAMP)  ## today and the refresh window; FETCH_ARGS="--since 2024-01-01" for a backfill
	$(BIN)/dailypapers fetch $(FETCH_ARGS)

serve: $(SITE_STAMP)
	$(BIN)/dailypapers serve

# pip-compile, from requirements/tools.txt in a venv of its own, resolves requirements/*.in (written from
# pyproject.toml by requirements/inputs.py) into the locks. Pins that still fit are kept; UPGRADE=all moves
# every package to its newest release, UPGRADE="mkdocs-material pymdown-extensions" only those.
LOCK_VENV  := .cache/lock-tools
LOCK_STAMP := $(LOCK_VENV)/.installed-$(shell cat $(LOCKS)/tools.txt | cksum | cut -d' ' -f1)
COMPILE    := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
              --no-emit-index-url --no-emit-find-links
UPGRADE    ?=
UPGRADING  := $(if $(filter all,$(UPGRADE)),--upgrade,$(addprefix --upgrade-package=,$(UPGRADE)))

$(LOCK_STAMP):
	@rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --require-hashes -r $(LOCKS)/tools.txt
	@touch $@

lock: $(LOCK_STAMP)  ## requirements/*.txt from pyproject.toml; UPGRADE=all (or package names) for newer releases
	$(LOCK_VENV)/bin/python $(LOCKS)/inputs.py
	$(COMPILE) $(UPGRADING) --output-file=$(LOCKS)/site.txt $(LOCKS)/site.in
	$(COMPILE) $(UPGRADING) --output-file=$(LOCKS)/test.txt $(LOCKS)/test.in
	$(COMPILE) $(UPGRADING) --output-file=$(LOCKS)/tools.txt $(LOCKS)/tools.in

system-deps:  ## Debian's Chromium, newsboat, Node and npm: browser, feed-reader, ESLint and search parity tests
	@missing=""; for tool in chromium newsboat node npm; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  packages=$$(echo "$$missing" | sed 's/ node\b/ nodejs/'); \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$packages >/dev/null; \
	else echo "note: install$$missing (Debian packages; node is nodejs) to run every test"; fi

# ESLint from the committed package-lock.json (npm ci); reinstalled when the lock file changes.
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make lint needs Node and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-*
	@touch $@

lint: $(TEST_STAMP) $(NODE_STAMP)  ## ruff and mypy on the Python, ESLint on every script under overrides/
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --no-header -p no:cacheprovider tests/unit/test_layers.py  # the layers, no cycles
	node_modules/.bin/eslint --max-warnings 0 'overrides/**/*.js' eslint.config.js

test: system-deps $(TEST_STAMP) lint  ## every test
	$(BIN)/python -m pytest

bench: $(SITE_STAMP)
	$(BIN)/python benchmarks/full_size.py

clean:  ## generated files; build/docs/.gitkeep stays (mkdocs.yml's docs_dir must exist)
	rm -rf site site.new-* site.old-* .cache build/search-index
	find build/docs -mindepth 1 ! -name .gitkeep -delete 2>/dev/null || true
