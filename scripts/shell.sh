#!/usr/bin/env bash
# Chat in the terminal. Uses the action server of `make run` if one answers, else starts one.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m hr.cli kb check || exit 2
action_pid=""
if ! curl -fs "http://localhost:5055/health" >/dev/null 2>&1; then
  .venv/bin/rasa run actions --actions actions --port 5055 >var/actions-shell.log 2>&1 &
  action_pid=$!
  trap 'kill $action_pid 2>/dev/null' EXIT
fi
# Port 5006, so that it can run beside `make run` (5005).
.venv/bin/rasa shell --model models/bot.tar.gz --endpoints endpoints.yml --port 5006
