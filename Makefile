# make run: set everything up and start the bot.   make test: the whole test suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
INSTALLED := $(VENV)/.installed
KB_STAMP := var/kb.stamp
MODEL := models/bot.tar.gz
TRAIN_DATA := data/nlu data/rules
TRAIN_FILES := config.yml domain.yml data/input_guard.yml $(wildcard addons/*.py) \
	$(shell find $(TRAIN_DATA) -name '*.yml' 2>/dev/null)
KB_FILES := data/knowledge $(wildcard data/knowledge/*) data/kb/kb.yml data/kb/topics.yml \
	$(wildcard actions/knowledge/*.py)

export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PYTHONHASHSEED ?= 0

.PHONY: help setup kb model run shell test unit validate stories evaluate bench clean

help:
	@echo "make run       set up (venv, dependencies, knowledge base, model) and start the bot"
	@echo "make test      run the whole test suite"
	@echo "make shell     chat in the terminal (rasa shell)"
	@echo "make evaluate  NLU accuracy and macro-F1 on the held-out file"
	@echo "make bench     knowledge-base query benchmark"

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
	$(PY) -m actions.knowledge.cli kb build
	@mkdir -p $(dir $@) && touch $@

model: $(MODEL)

$(MODEL): $(INSTALLED) $(TRAIN_FILES)
	$(RASA) train --config config.yml --domain domain.yml --data $(TRAIN_DATA) \
	  --out models --fixed-model-name bot
	@touch $@

run: $(KB_STAMP) $(MODEL)
	@scripts/serve.sh

shell: $(KB_STAMP) $(MODEL)
	@scripts/shell.sh

validate: $(INSTALLED)
	$(RASA) data validate --config config.yml --domain domain.yml --data $(TRAIN_DATA)

unit: $(KB_STAMP) $(MODEL)
	$(PY) -m pytest tests

stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories

evaluate: $(MODEL)
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu/heldout.yml --out results/nlu
	$(PY) -m scripts.nlu_report results/nlu

bench: $(KB_STAMP)
	$(PY) -m scripts.bench_kb

test: validate unit stories

clean:
	rm -rf results var/kb.stamp models/*.tar.gz
