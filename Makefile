# Two commands a newcomer needs: `make site` and `make test`. Each sets up what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: site test lint system-deps fetch validate serve bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

site: $(STAMP)  ## build site/ from the snapshots in content/
	$(BIN)/dailypapers build

validate: $(STAMP)
	$(BIN)/dailypapers validate

fetch: $(STAMP)  ## today and the refresh window; FETCH_ARGS="--since 2024-01-01" for a backfill
	$(BIN)/dailypapers fetch $(FETCH_ARGS)

serve: $(STAMP)
	$(BIN)/dailypapers serve

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

lint: $(STAMP) $(NODE_STAMP)  ## ruff and mypy on the Python, ESLint on every script under overrides/
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --no-header -p no:cacheprovider tests/test_layers.py  # the layers, no cycles
	node_modules/.bin/eslint --max-warnings 0 'overrides/**/*.js' eslint.config.js

test: system-deps $(STAMP) lint  ## every test
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/full_size.py

clean:  ## generated files; build/docs/.gitkeep stays (mkdocs.yml's docs_dir must exist)
	rm -rf site site.new-* site.old-* .cache build/search-index
	find build/docs -mindepth 1 ! -name .gitkeep -delete 2>/dev/null || true
