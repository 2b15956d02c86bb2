# One entry point for everything: the targets create .venv with the machine's
# python3 on first use, so `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check bench sample lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kops demo
	@echo ""
	@echo "To type kops in this shell, put it on PATH:  source $(VENV)/bin/activate"
	@echo "(Windows: .venv\\Scripts\\activate; PowerShell: .venv\\Scripts\\Activate.ps1)"

# The suite in one process per core. A file's tests stay in one process, so the workspaces
# its fixtures build once are built once (tests/conftest.py: SHARED_RUNS).
PYTEST := $(BIN)/python -m pytest -n auto --dist loadfile

test: $(STAMP)
	$(PYTEST)

check: $(STAMP)
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache
	$(PYTEST)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py

sample: $(STAMP)
	$(BIN)/python scripts/make_sample.py data/sample

format: $(STAMP)
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
