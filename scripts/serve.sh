#!/usr/bin/env bash
# Starts the action server and the Rasa server (REST channel); Ctrl-C stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}

.venv/bin/python -m actions.knowledge.cli kb check || exit 2

.venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" &
action_pid=$!
.venv/bin/rasa run --model models/bot.tar.gz --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml &
rasa_pid=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$action_pid" "$rasa_pid" 2>/dev/null
  wait "$action_pid" "$rasa_pid" 2>/dev/null
  echo "bot stopped"
}
trap stop INT TERM EXIT
echo "starting: action server on :$ACTION_PORT, Rasa server on :$RASA_PORT (Ctrl-C to stop)"
wait -n "$action_pid" "$rasa_pid"
