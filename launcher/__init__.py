"""One launcher for the bot's three servers: action server, Rasa server, chat page server.

`python -m launcher run` (make run) starts and supervises all three; `python -m launcher serve NAME`
runs one in the foreground (docker-compose.yml); tests/e2e and scripts/bench_load.py use the same
classes in-process, so that what is tested and measured is what users run.
"""
