# One entry point for everything: the targets create .venv with the machine's
# python3 on first use, so `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check pins bench sample lint format clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo ends by saying, in the reader's language, how to put kops on PATH.
demo: $(STAMP)
	$(BIN)/kops demo

# The suite in one process per core. A file's tests stay in one process, so the workspaces
# its fixtures build once are built once (tests/conftest.py: SHARED_RUNS).
PYTEST := $(BIN)/python -m pytest -n auto --dist loadfile
# Where Linux has a memory-backed /dev/shm with room (a gigabyte free), the tests' temporary
# folders go there: thousands of workspaces are written, read back and removed, and a disk
# would sync every SQLite commit. The files and SQLite are the same either way; a test that
# fails keeps its folder (tmp_path_retention_policy in pyproject.toml).
TEST_TMP := $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && df -Pk /dev/shm 2>/dev/null | \
	awk 'NR == 2 && $$4 > 1048576 { print "/dev/shm" }')
TEST_ENV := $(if $(TEST_TMP),TMPDIR=$(TEST_TMP))

# kops' bytecode is written once before the test processes start: where
# PYTHONDONTWRITEBYTECODE is set (CI machines set it), each process and each kops
# subprocess a test starts would otherwise compile every kops module it imports again.
COMPILE := $(BIN)/python -m compileall -q -j 0 src

test: $(STAMP)
	$(COMPILE)
	$(TEST_ENV) $(PYTEST)

check: $(STAMP)
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache
	$(COMPILE)
	$(TEST_ENV) $(PYTEST)

# Do the lower bounds in pyproject.toml hold? The oldest releases they allow (uv's
# lowest-direct resolution) in a throwaway venv, against the core of the suite.
PINS_VENV := .pins-venv
PINS_TESTS := tests/test_ingest.py tests/test_ingest_hostile.py tests/test_normalise.py \
	tests/test_decoding.py tests/test_store.py tests/test_config.py tests/test_dates.py \
	tests/test_calendar.py tests/test_segmentation.py tests/test_segment.py \
	tests/test_streaks.py tests/test_eligibility.py tests/test_milestones.py \
	tests/test_divisions.py tests/test_division_groups.py tests/test_report.py \
	tests/test_monthly_review.py tests/test_themes.py tests/test_seminar.py tests/test_campaign_draw.py \
	tests/test_templates_rendered.py tests/test_send.py tests/test_transport.py \
	tests/test_mail_command.py tests/test_app.py

pins:
	rm -rf $(PINS_VENV)
	$(PYTHON) -m venv $(PINS_VENV)
	$(PINS_VENV)/bin/python -m pip install --quiet uv
	$(PINS_VENV)/bin/uv pip install --quiet --python $(PINS_VENV)/bin/python \
		--resolution lowest-direct -r pyproject.toml --extra dev
	$(TEST_ENV) PYTHONPATH=src $(PINS_VENV)/bin/python -m pytest -p no:cacheprovider -n auto \
		--dist loadfile $(PINS_TESTS)
	rm -rf $(PINS_VENV)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py

sample: $(STAMP)
	$(BIN)/python scripts/make_sample.py data/sample

# The Japanese catalog: extract the messages and help texts (babel.cfg), merge them into
# kops.po (translate the new and fuzzy entries there), and compile kops.mo. Both files
# are committed; tests/test_i18n.py fails on an untranslated message or a stale kops.mo.
LOCALE := src/kakeai_ops/locale
messages: $(STAMP)
	PYTHONPATH=scripts $(BIN)/pybabel -q extract -F babel.cfg --no-location --no-wrap \
		--sort-output --project kops -o $(LOCALE)/kops.pot src
	test -f $(LOCALE)/ja/LC_MESSAGES/kops.po || \
		$(BIN)/pybabel -q init -D kops -i $(LOCALE)/kops.pot -d $(LOCALE) -l ja --no-wrap
	$(BIN)/pybabel -q update -D kops -i $(LOCALE)/kops.pot -d $(LOCALE) -l ja \
		--ignore-obsolete --no-wrap
	$(BIN)/pybabel compile -D kops -d $(LOCALE) -l ja --statistics
	rm $(LOCALE)/kops.pot

format: $(STAMP)
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

clean:
	rm -rf $(VENV) $(PINS_VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
