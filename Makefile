# The two commands of the README's Quick start, and a few more for developers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the package with its test tools

run: $(STAMP)  ## build the demo dataset and serve it at http://127.0.0.1:5000
	$(BIN)/kg build
	$(BIN)/kg serve

# Then again the tests that serve the demo, from each remote store (tests/backends.py).
test: $(STAMP)  ## set up everything the tests need and run them all
	./scripts/system-deps.sh
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --backend oxigraph
	$(BIN)/python -m pytest --backend virtuoso

lint: $(STAMP)
	$(BIN)/ruff check kg web tests

clean:
	rm -rf $(VENV) var .pytest_cache

translations: $(STAMP)  ## extract interface strings, update the vi and en catalogs, compile them (commit the .mo files)
	$(BIN)/pybabel extract -F web/babel.cfg -k lazy_gettext --no-location --sort-output -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d web/translations --statistics

.PHONY: bench bench-smoke
bench: $(STAMP)  ## every benchmark against its baseline (hours); the table goes to bench/README.md
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-smoke: $(STAMP)  ## the benchmarks on a tiny size, to see that they run (a minute)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run --smoke $(BENCH_ARGS)
