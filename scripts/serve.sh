#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST, socket.io; Slack when SLACK_* are set) and the
# chat page server; Ctrl-C stops all three.
set -uo pipefail
cd "$(dirname "$0")/.."
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8080}
# Browser origins allowed to call the Rasa server (REST and socket.io): CORS_ORIGINS, space- or
# comma-separated; default: the chat page.
CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT"}
export CORS_ORIGINS
# Rasa's HTTP API stays off unless RASA_TOKEN is set; then it is on, protected by that token.
api_args=()
if [ -n "${RASA_TOKEN:-}" ]; then api_args=(--enable-api --auth-token "$RASA_TOKEN"); fi

.venv/bin/python -m hr.cli kb check || exit 2

.venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" &
action_pid=$!
# rasa_server/__main__.py: Rasa's own `rasa run`, with a short action timeout and French apologies on faults.
# It passes CORS_ORIGINS to Rasa's --cors.
.venv/bin/python -m rasa_server run --model models/bot.tar.gz --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml "${api_args[@]}" &
rasa_pid=$!
.venv/bin/python -m web.server --port "$WEB_PORT" --rasa-port "$RASA_PORT" &
web_pid=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$action_pid" "$rasa_pid" "$web_pid" 2>/dev/null
  wait "$action_pid" "$rasa_pid" "$web_pid" 2>/dev/null
  echo "bot stopped"
}
trap stop INT TERM EXIT
echo "starting: action server on :$ACTION_PORT, Rasa server on :$RASA_PORT, chat page on http://localhost:$WEB_PORT/ (Ctrl-C to stop)"
wait -n "$action_pid" "$rasa_pid" "$web_pid"
