# One entry point for people and CI. `make test` works on a fresh machine with Python >= 3.10.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

# Meltano lives in its own venv, never in the workspace's; its plugins in .meltano/ (one venv each).
MELTANO_VENV := .meltano-venv
MELTANO := $(MELTANO_VENV)/bin/meltano
# The postgres extra lets Meltano keep its system database (state) in PostgreSQL, as jobs on
# several machines share it (README.md, "Running at scale"; e2e/test_business_units.py).
MELTANO_SPEC := meltano[postgres]>=4.4.1,<5
# Installed again whenever the spec changes (the stamp's name carries a hash of it).
MELTANO_STAMP := $(MELTANO_VENV)/.installed-$(shell printf '%s' '$(MELTANO_SPEC)' | cksum | cut -d' ' -f1)
export MELTANO_SEND_ANONYMOUS_USAGE_STATS := false
# Reinstall the plugins only when what they are built from changes (editable installs follow the
# source on their own).
PLUGIN_INPUTS := meltano.yml pardot-client/pyproject.toml tap-pardot-export/pyproject.toml \
	target-pardot-import/pyproject.toml $(wildcard plugins/loaders/target-duckdb-header-fix/*.toml \
	plugins/loaders/target-duckdb-header-fix/src/*/*.py)

.PHONY: install lint types test unit e2e sim meltano plugins demo demo-reset readme-settings \
	hub-definitions wheels

install:  ## install uv (if missing) and the whole workspace, exactly as locked
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.9,<1"
	$(UV) sync --locked --all-packages

lint: install  ## ruff lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

types: install  ## mypy, strict
	$(UV) run mypy

test: lint types plugins  ## everything CI runs: lint, types, the whole test suite (end-to-end included)
	$(UV) run pytest

unit: install  ## the tests without the end-to-end pipelines
	$(UV) run pytest -m "not e2e"

e2e: install plugins  ## only the end-to-end pipelines (Meltano, DuckDB, PostgreSQL)
	$(UV) run pytest -m e2e

$(MELTANO_STAMP):
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.9,<1"
	$(UV) venv --quiet --allow-existing $(MELTANO_VENV)
	$(UV) pip install --quiet --python $(MELTANO_VENV)/bin/python "$(MELTANO_SPEC)"
	@touch $@

meltano: $(MELTANO_STAMP)  ## install Meltano into .meltano-venv (once per MELTANO_SPEC)

.meltano/plugins.installed: $(MELTANO_STAMP) $(PLUGIN_INPUTS)
	$(MELTANO) install
	@touch $@

plugins: .meltano/plugins.installed  ## meltano install: the plugins of meltano.yml, when they changed

demo: export DEMO_STARTED := $(shell date +%s.%N)
demo: install plugins  ## simulator -> meltano run tap-pardot-export target-duckdb (OBJECTS=1: v5 objects too); run again for an incremental sync
	$(UV) run python scripts/demo.py $(if $(OBJECTS),--objects)

demo-reset: install  ## forget the demo's state and DuckDB file
	$(UV) run python scripts/demo.py --reset

readme-settings: install  ## regenerate README.md's settings and stream tables from --about
	$(UV) run python scripts/settings_table.py

hub-definitions: install  ## regenerate meltano-hub/ (the Meltano Hub plugin definitions) from --about
	$(UV) run python scripts/hub_definitions.py

wheels: install  ## build the wheels and sdists of every package into dist/
	$(UV) build --all-packages --out-dir dist

sim: install  ## serve a demo simulator on 127.0.0.1:8765
	$(UV) run pardot-sim serve --port 8765 --scale demo
