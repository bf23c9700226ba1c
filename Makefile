# make run: set everything up and start the bot.   make test: the whole test suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
INSTALLED := $(VENV)/.installed
KB_STAMP := var/kb.stamp
WEB_STAMP := web/node_modules/.package-lock.json
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

.PHONY: help setup kb model web browser run shell test unit validate stories evaluate bench bench-load faq review report purge clean tune-fallback

help:
	@echo "make run       set up (venv, dependencies, knowledge base, model) and start the bot"
	@echo "make test      run the whole test suite"
	@echo "make shell     chat in the terminal (rasa shell)"
	@echo "make evaluate  NLU accuracy and macro-F1 on the held-out file"
	@echo "make faq IN=questions.csv OUT=answers.csv   answer a CSV of questions (HR)"
	@echo "make bench     benchmarks: knowledge-base queries, FAQ batch, load (20 REST conversations vs NLU only)"
	@echo "make bench-load  the load benchmark alone"
	@echo "make review    HR review queue (questions the bot could not answer)"
	@echo "make report    HTML analytics report for HR (var/report.html)"
	@echo "make purge     delete conversations and queue items older than RETENTION_DAYS"

setup: $(INSTALLED)

$(INSTALLED): requirements.txt scripts/find-python.sh
	@python=$$(scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	    rm -rf $(VENV) && echo "creating $(VENV) with $$python" && $$python -m venv $(VENV); fi
	$(PY) -m pip install --quiet --no-warn-script-location -r requirements.txt 2> >(grep -v "^WARNING: Location" >&2)
	$(PY) -m pip check
	@touch $@

kb: $(KB_STAMP)

$(KB_STAMP): $(INSTALLED) $(KB_FILES)
	$(PY) -m hr.cli kb build
	@mkdir -p $(dir $@) && touch $@

model: $(MODEL)

$(MODEL): $(INSTALLED) $(TRAIN_FILES)
	$(RASA) train --config config.yml --domain domain.yml --data $(TRAIN_DATA) \
	  --out models --fixed-model-name bot
	@touch $@

# The chat page's widget (rasa-webchat, pinned in web/package-lock.json).
web: $(WEB_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq npm; } \
	  || { echo "npm is missing: install Node.js and npm (as root: apt-get install npm)" >&2; exit 1; }
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's chromium for the browser tests (never a test tool's own browser download).
browser: $(CHROMIUM)

$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "$(CHROMIUM) is missing: run as root, or apt-get install chromium" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

run: $(KB_STAMP) $(MODEL) $(WEB_STAMP)
	@scripts/serve.sh

shell: $(KB_STAMP) $(MODEL)
	@scripts/shell.sh

validate: $(INSTALLED)
	$(RASA) data validate --config config.yml --domain domain.yml --data $(TRAIN_DATA)

unit: $(KB_STAMP) $(MODEL) $(WEB_STAMP) $(CHROMIUM)
	$(PY) -m pytest tests

stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories

evaluate: $(MODEL)
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu/heldout.yml --out results/nlu
	$(PY) -m scripts.nlu_report results/nlu

bench: $(KB_STAMP) $(MODEL)
	$(PY) -m scripts.bench_kb
	$(PY) -m scripts.bench_faq
	$(PY) -m scripts.bench_load

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

test: validate unit stories

clean:
	rm -rf results var/kb.stamp models/*.tar.gz

tune-fallback: $(INSTALLED)
	$(PY) -m scripts.tune_fallback
