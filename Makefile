# Qingfeng: `make run` serves with demo data on SQLite; `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

LOCK_ARGS ?=

.PHONY: install run test bench lint lock clean-db

# Exact versions with hashes from requirements.lock (pip refuses anything else), then the project itself.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

$(NPM_STAMP): package.json
	npm install --no-audit --no-fund --loglevel=error
	$(BIN)/python -m service.assets
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP)

run: install
	$(BIN)/qingfeng serve --demo

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .

# Re-resolve requirements.lock from pyproject.toml (runtime + dev extras, every platform, Python 3.11+).
# Existing pins are kept unless a new requirement needs otherwise; `make lock LOCK_ARGS=--upgrade`
# moves everything to the newest allowed versions, `LOCK_ARGS='--upgrade-package flask'` just one.
lock:
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv>=0.4'
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" --quiet $(LOCK_ARGS) -o requirements.lock
