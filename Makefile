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

system-deps:  ## Debian's Chromium and newsboat, for the browser and feed-reader tests
	@if command -v chromium >/dev/null && command -v newsboat >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium newsboat >/dev/null; \
	else echo "note: install chromium and newsboat (Debian packages) to run the browser and reader tests"; fi

lint: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks

test: $(STAMP) system-deps lint  ## every test
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/full_size.py

clean:
	rm -rf build site .cache
