# One target per job. The README's two commands are `make demo` and `make test`;
# .ci/run calls `make test` too, so the README and CI cannot disagree.
PY ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= out/ecampus-demo
DEMO_SERVE ?= 1

.PHONY: install install-test demo test test-fast lint format typecheck docs bench clean

$(UV):
	$(PY) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

## install: the package, the Spark engine and the locked dependencies into .venv
install: $(UV)
	$(UV) sync --frozen --inexact --compile-bytecode --all-extras --python $(PY)

## install-test: install + test tools, and Debian's chromium for the browser tests
install-test: $(UV)
	$(UV) sync --frozen --compile-bytecode --all-extras --group test --python $(PY)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped"; }

## demo: the main job: build the eCampus demo, then serve it on 127.0.0.1:8000 with a
## demo owner account (address, sign-in and a share link printed; Ctrl-C stops).
## `make demo DEMO_SERVE=0` only builds.
demo: install
	$(BIN)/cojourney demo build $(DEMO_DIR) $(if $(filter 0 no false,$(DEMO_SERVE)),--no-serve,--serve)

## test: every test (unit, property, CLI, analytics on DuckDB and Spark, browser)
test: install-test
	$(MAKE) --no-print-directory lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadgroup
	$(BIN)/lint-imports

test-fast: install-test
	$(BIN)/python -m pytest -n 2 -m "not spark and not browser and not cluster"

## lint: ruff's checks and its format check (make format rewrites the files)
lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: install-test
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

## typecheck: mypy, strict on all of src/
typecheck: install-test
	$(BIN)/mypy src

## docs: regenerate docs/cli.md from the commands' --help
docs: install
	$(BIN)/python -m cojourney.cli.docgen > docs/cli.md
	$(BIN)/python -c "from cojourney.settings import settings_reference as r; print(r(), end='')" > docs/settings.md

## bench: the benchmarks (see BENCHMARKS.md; PM4Py lives in its own venv)
bench: install
	bash benchmarks/run.sh

clean:
	rm -rf $(VENV) .tools out .pytest_cache .hypothesis
