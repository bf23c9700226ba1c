#!/usr/bin/env bash
# Chat in the terminal (rasa shell, port 5006: it can run beside `make run`). Uses the action server of
# `make run` when ACTION_TOKEN is set and it answers (without ACTION_TOKEN, make run's action server wants
# the token it made for its own run), else starts one with the launcher on SHELL_ACTION_PORT (5056).
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m hr.cli kb check || exit 2
mkdir -p var/run
if [ -z "${ACTION_TOKEN:-}" ] || ! curl -fs "http://localhost:${ACTION_PORT:-5055}/health" >/dev/null 2>&1; then
  export ACTION_PORT=${SHELL_ACTION_PORT:-5056}
  .venv/bin/python -m launcher serve actions >var/actions-shell.log 2>&1 &
  action_pid=$!
  trap 'kill $action_pid 2>/dev/null' EXIT
fi
# The endpoints file of the launcher (launcher/endpoints.py).
.venv/bin/python -m launcher endpoints >var/run/endpoints-shell.yml
.venv/bin/rasa shell --model models/bot.tar.gz --endpoints var/run/endpoints-shell.yml --port 5006
