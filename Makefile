# One entry point for people and CI. `make test` works on a fresh machine with Python >= 3.10.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: install lint types test unit sim

install:  ## install uv (if missing) and the whole workspace, exactly as locked
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.9,<1"
	$(UV) sync --locked --all-packages

lint: install  ## ruff lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

types: install  ## mypy, strict
	$(UV) run mypy

test: lint types  ## everything CI runs: lint, types, the whole test suite
	$(UV) run pytest

sim: install  ## serve a demo simulator on 127.0.0.1:8765
	$(UV) run pardot-sim serve --port 8765 --scale demo
