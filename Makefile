# Two commands do all set-up on a fresh machine:
#   make run    a registry on an embedded SQLite file, demo keys and fixtures, on 127.0.0.1:8000
#   make test   the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export REGISTRY_HOME ?= $(CURDIR)/instance

.PHONY: run test lint audit bench install browser clean-instance translations

$(BIN)/registry: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

TRANSLATIONS := registry/web/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

# Compiled catalogues (.mo) are committed (a fresh clone runs); `make install` recompiles stale ones.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(BIN)/registry
	$(BIN)/pybabel compile -d $(TRANSLATIONS) -l $*

install: $(BIN)/registry $(CATALOGUES:.po=.mo)

# After changing a template's text: extract it, merge it into every catalogue, compile.
translations: $(BIN)/registry
	$(BIN)/pybabel extract -F registry/web/babel.cfg -k _l -k lazy_gettext -k N_ -o $(TRANSLATIONS)/messages.pot registry/web
	$(BIN)/pybabel update -N -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

run: install
	$(BIN)/registry init
	$(BIN)/registry load --if-empty fixtures/*.json
	for table in fixtures/untc/*.csv; do $(BIN)/registry import-status "$$table" --treaty "$${table%.csv}.json" || exit 1; done
	$(BIN)/registry serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium (a downloaded browser does not work here), with the fonts
# the four languages need: Noto (Latin, Cyrillic, Nastaliq for Urdu, Naskh as its fallback).
BROWSER_PACKAGES := chromium fonts-noto-core
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list | grep -q "Noto Nastaliq Urdu" || \
		{ apt-get update -qq && apt-get install -y -qq $(BROWSER_PACKAGES); }

test: install browser
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check registry tests bench

# Known vulnerabilities in the installed dependencies (PyPI's advisory data, per pinned version).
# A dependency that could not be checked fails the audit instead of passing unseen.
audit: install
	$(BIN)/python .ci/audit.py

bench: install
	bench/run --json bench/figures.json
	$(BIN)/python -m bench.events
	$(BIN)/python -m bench.merkle
	$(BIN)/python -m bench.list_as_of

clean-instance:
	rm -rf $(REGISTRY_HOME)
