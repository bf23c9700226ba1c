# make run: set everything up and start the bot.   make test: the whole test suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# Rasa's command line with the patches the Rasa server runs (rasa_server/__main__.py): spaCy loaded once, the
# trained model loaded without a training trace, no JAX. Same model and predictions as plain `rasa`.
RASA_PATCHED := $(PY) -m rasa_server
INSTALLED := $(VENV)/.installed
KB_STAMP := var/kb.stamp
WEB_STAMP := web/node_modules/.package-lock.json
AXE_STAMP := tests/browser/node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium
MODEL := models/bot.tar.gz
TRAIN_DATA := data/nlu data/rules
TRAIN_FILES := config.yml domain.yml data/input_guard.yml rasa_server/nlu/input_guard.py \
	$(shell find $(TRAIN_DATA) -name '*.yml' 2>/dev/null)
KB_FILES := data/knowledge $(wildcard data/knowledge/*) data/kb/kb.yml data/kb/topics.yml $(wildcard data/advice/*.yml) \
	$(wildcard backoffice_career/knowledge/*.py)

export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PYTHONHASHSEED ?= 0

.PHONY: help setup kb model web browser browser-deps services-bin run shell test check lint unit test-unit test-servers test-tools floor validate stories evaluate bench bench-load bench-kb faq review report purge hr-user clean tune-fallback

help:
	@echo "make run       set up (venv, dependencies, knowledge base, model) and start the bot"
	@echo "make test      run the whole test suite (lint, data validation, all pytest tests, test stories)"
	@echo "make check     the quick loop: lint + unit tests (no trained model, no server), about 2 minutes"
	@echo "make lint      ruff (style, import order) and mypy (types; strict on backoffice_career/)"
	@echo "make shell     chat in the terminal (rasa shell)"
	@echo "make evaluate  NLU macro-F1 on the held-out file; end-to-end figures on the set written from the guide"
	@echo "make faq IN=questions.csv OUT=answers.csv   answer a CSV of questions (HR)"
	@echo "make bench     this bot vs Rasa's starter bot (rasa init): latency, throughput, memory, load and training"
	@echo "make bench-load  the load benchmark of this bot alone;  make bench-kb  knowledge-base queries and FAQ batch"
	@echo "make review    HR review queue (questions the bot could not answer)"
	@echo "make report    HTML analytics report for HR (var/exports/report-<date>.html)"
	@echo "make purge     delete conversations and queue items older than RETENTION_DAYS"
	@echo "make hr-user NAME=login   create an HR account of the console (password asked, or HR_PASSWORD)"

setup: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt scripts/find-python.sh
	@python=$$(scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	    rm -rf $(VENV) && echo "creating $(VENV) with $$python" && $$python -m venv $(VENV); fi
	@# uv installs the same pins as pip, four times faster; pip does it where uv cannot (another index, no uv).
	$(PY) -m pip install --quiet --no-warn-script-location "$$(grep '^uv==' requirements-dev.txt)" \
	  2> >(grep -v "^WARNING: Location" >&2) && \
	  $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -r requirements.txt -r requirements-dev.txt \
	  || $(PY) -m pip install --quiet --no-warn-script-location -r requirements.txt -r requirements-dev.txt \
	  2> >(grep -v "^WARNING: Location" >&2)
	$(PY) -m pip check
	@touch $@

kb: $(KB_STAMP)

$(KB_STAMP): $(INSTALLED) $(KB_FILES)
	$(PY) -m hr.cli kb build
	@mkdir -p $(dir $@) && touch $@

model: $(MODEL)

$(MODEL): $(INSTALLED) $(TRAIN_FILES)
	$(PY) -m scripts.bench_train --record-model $(MODEL) var/bench/train-ours.json -- \
	  $(RASA_PATCHED) train --config config.yml --domain domain.yml --data $(TRAIN_DATA) --out models --fixed-model-name bot
	@touch $@

# The chat page's widget (rasa-webchat, pinned in web/package-lock.json).
web: $(WEB_STAMP)

NEED_NPM = @command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq npm; } \
	  || { echo "npm is missing: install Node.js and npm (as root: apt-get install npm)" >&2; exit 1; }

$(WEB_STAMP): web/package.json web/package-lock.json
	$(NEED_NPM)
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

# The browser tests' own tools: axe-core (accessibility checks), pinned in tests/browser/package-lock.json.
browser-deps: $(AXE_STAMP)

$(AXE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	$(NEED_NPM)
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's chromium for the browser tests (never a test tool's own browser download).
browser: $(CHROMIUM)

$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "$(CHROMIUM) is missing: run as root, or apt-get install chromium" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Debian's PostgreSQL and Redis binaries. The tests use the servers that answer (TEST_POSTGRES_URL, TEST_REDIS_URL),
# else start throwaway ones (tests/helpers/services.py). Installs only: a policy-rc.d keeps apt from starting services.
services-bin:
	@if { command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 && command -v redis-server >/dev/null; \
	  then exit 0; fi; \
	  [ "$$(id -u)" = 0 ] || { echo "PostgreSQL or Redis is missing: run as root, or apt-get install postgresql redis-server" >&2; exit 1; }; \
	  echo "installing Debian's postgresql and redis-server (binaries only, no service started)"; \
	  policy=/usr/sbin/policy-rc.d; own=; \
	  [ -e $$policy ] || { printf '#!/bin/sh\nexit 101\n' >$$policy && chmod +x $$policy && own=1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server; status=$$?; \
	  [ -z "$$own" ] || rm -f $$policy; exit $$status

# The launcher (launcher/): action server, Rasa server and chat page, supervised; Ctrl-C stops them.
run: $(KB_STAMP) $(MODEL) $(WEB_STAMP)
	@$(PY) -m launcher run

shell: $(KB_STAMP) $(MODEL)
	@scripts/shell.sh

validate: $(INSTALLED)
	$(RASA) data validate --config config.yml --domain domain.yml --data $(TRAIN_DATA)

# Lint and types: configuration in pyproject.toml, tools pinned in requirements-dev.txt.
lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m mypy

# The quick loop (CONTRIBUTING.md): no trained model, no server started.
check: lint test-unit

# Every pytest test: unit, model (trained model), e2e (real servers), browser (chromium). Two pytest-xdist
# workers: much of an e2e test is spent waiting on servers (tests/conftest.py groups the tests per worker).
TEST_WORKERS ?= 2
TEST_TOOLS := $(KB_STAMP) $(WEB_STAMP) $(AXE_STAMP) $(CHROMIUM) services-bin
unit: $(TEST_TOOLS) $(MODEL)
	$(PY) -m pytest tests -n $(TEST_WORKERS) --dist loadgroup

# make test's two halves of `make unit`: tests/unit (no model, no server; make check's tests), then every other
# pytest test.
test-unit: $(INSTALLED)
	$(PY) -m pytest tests/unit -q

test-servers: $(TEST_TOOLS) $(MODEL)
	$(PY) -m pytest tests --ignore=tests/unit -n $(TEST_WORKERS) --dist loadgroup

# The tools, one after the other (apt-get and npm ci must not run at once).
test-tools:
	$(MAKE) --no-print-directory -j1 $(TEST_TOOLS)

# The bench's floor (Rasa's starter bot), trained once into var/bench/floor/ (tests/e2e/test_bench.py uses it).
floor: $(INSTALLED)
	$(PY) -m scripts.bench_floor

stories: $(MODEL)
	$(RASA_PATCHED) test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories

# Both held-out sets: the NLU file (macro-F1), then end to end over REST on the set written from the guide only
# (tests/eval/, scripts/eval_e2e.py: the real bot through the launcher on free ports); figures in var/eval/latest.json;
# then the two HR test notes (issue 13, scripts/eval_documents.py): their questions answered from the right section.
evaluate: $(MODEL)
	$(RASA_PATCHED) test nlu --model $(MODEL) --nlu tests/nlu/heldout.yml --out results/nlu
	$(PY) -m scripts.nlu_report results/nlu
	$(PY) -m scripts.eval_e2e --nlu-report results/nlu
	$(PY) -m scripts.eval_documents tests/data/hr_test_note/onboarding.md tests/data/hr_test_note/questions.yml
	$(PY) -m scripts.eval_documents tests/data/hr_test_note2/note.md tests/data/hr_test_note2/questions.yml

# Ours vs the floor (Rasa's starter bot, trained once into var/bench/floor/); figures in var/bench/latest.json.
bench: $(INSTALLED) $(MODEL)
	$(PY) -m scripts.bench_compare

bench-kb: $(KB_STAMP) $(MODEL)
	$(PY) -m scripts.bench_kb
	$(PY) -m scripts.bench_faq

bench-load: $(INSTALLED) $(MODEL)
	$(PY) -m scripts.bench_load

faq: $(KB_STAMP) $(MODEL)
	@[ -n "$(IN)" ] && [ -n "$(OUT)" ] || { echo "usage: make faq IN=questions.csv OUT=answers.csv" >&2; exit 2; }
	@$(PY) -m hr.faq "$(IN)" "$(OUT)"

review: $(KB_STAMP)
	$(PY) -m hr.cli review list

report: $(KB_STAMP)
	$(PY) -m hr.cli report

purge: $(KB_STAMP)
	$(PY) -m hr.cli privacy purge

# An HR account of the console (make run serves it on HR_PORT, default 8081). No default account.
hr-user: $(INSTALLED)
	@[ -n "$(NAME)" ] || { echo "usage: make hr-user NAME=login" >&2; exit 2; }
	@$(PY) -m hr_console users create "$(NAME)"

# The training keeps about one core of two busy: what needs no model runs beside it (the unit tests, the data
# validation, the bench's floor, the test tools), each job's output printed whole when it ends.
test: lint
	BESIDE_OTHER_JOBS=1 $(MAKE) --no-print-directory -j3 --output-sync=target $(MODEL) test-unit validate floor \
	  test-tools
	$(MAKE) --no-print-directory test-servers stories

clean:
	rm -rf results var/kb.stamp models/*.tar.gz

tune-fallback: $(INSTALLED)
	$(PY) -m scripts.tune_fallback
