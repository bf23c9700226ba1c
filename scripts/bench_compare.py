"""`make bench`: this bot against the floor, Rasa's own starter bot, in one run, one table.

    .venv/bin/python -m scripts.bench_compare [--conversations 20 --turns 10 --sequential 10 --rounds 3]
        [--json var/bench/latest.json]

The floor is `rasa init --no-prompt`, trained once and cached in var/bench/floor/ (scripts/bench_floor.py).
Each bot in turn is started through the launcher (launcher/) on free loopback ports: this bot's action
server and Rasa server as `make run` starts them (throwaway knowledge base and tracker store), the
starter bot's plain Rasa server alone; each is timed to its first answer alone, then both stay up. The same
load generator (scripts/bench_load.py: the same conversations, the same REST client) drives both, in
--rounds rounds that alternate the bots: --sequential conversations one at a time, then --conversations at
once. Latencies are pooled over the rounds, messages per second is the median round's. Reported: latency
p50/p95, messages per second, errors (non-200, timeouts, transport errors) and empty replies, model load
(start to first answer), peak resident memory (VmHWM) of each server, and the training time recorded by
`make model` (scripts/bench_train.py). The figures go to var/bench/latest.json too. Timings are figures,
never pass/fail: exit code 0 once printed, 2 when a server does not start.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp

from launcher.ports import free_port
from launcher.settings import from_env
from launcher.supervisor import ServerFailed, Supervisor
from scripts import bench_floor, bench_load
from scripts.bench_load import MODEL, MemoryWatch, Phase, Server, conversation, run_phase, script_for
from scripts.bench_report import print_table, summary
from scripts.bench_train import read_record

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
OURS_RECORD = BENCH_DIR / "train-ours.json"


def build_kb(work: Path) -> str:
    """A throwaway knowledge base from data/knowledge (as the e2e tests build it); its URL."""
    from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
    from backoffice_career.knowledge.text import load_topics
    from backoffice_career.settings import load_settings

    settings = load_settings()
    normalizer = build_normalizer(settings)
    url = f"sqlite:///{work / 'kb.sqlite'}"
    kb = build_knowledge_base(url, settings.knowledge_dir, normalizer, load_topics(settings.topics_file, normalizer))
    kb.engine.dispose()
    return url


def ours(work: Path, token: str, args) -> tuple[Supervisor, list[Server], str]:
    options = SimpleNamespace(model=args.model, redis_lock_store=None, sanic_workers=1, trace=False)
    return bench_load.launch(work, build_kb(work), f"sqlite:///{work / 'tracker.sqlite'}", token, options)


def floor(work: Path, token: str, args) -> tuple[Supervisor, list[Server], str]:
    settings = replace(
        from_env(), rasa_port=free_port(), host="127.0.0.1", token=token, work_dir=work,
        base_env={k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
    )
    supervisor = Supervisor([bench_floor.floor_server(settings, args.floor_dir)], log_dir=work)
    servers = [Server("Rasa server", child) for child in supervisor.children.values()]
    return supervisor, servers, f"http://127.0.0.1:{settings.rasa_port}"


async def conversations_of(session, url: str, run_id: str, args, phase: Phase, first: int, count: int,
                           deadline: float, one_at_a_time: bool) -> None:
    """Conversations number first..first+count-1, together or one after the other."""
    def one(i: int):
        return conversation(session, url, f"bench-{run_id}-{i:03d}", script_for(i, args.turns),
                            random.Random(args.seed * 1000 + i), phase, [], deadline)

    if one_at_a_time:
        for i in range(first, first + count):
            await one(i)
    else:
        await asyncio.gather(*(one(i) for i in range(first, first + count)))


@dataclass
class Bot:
    """One started bot: its servers, its memory watch and the phases of each round."""
    name: str
    supervisor: Supervisor
    servers: list[Server]
    rasa_url: str
    work: Path
    watch: MemoryWatch
    load_seconds: float = 0.0
    rounds: list[dict[str, Phase]] = field(default_factory=list)


def start_bot(name: str, start, args) -> Bot:
    """Starts one bot and waits for its first answer (the model load); the other bot, if up, stays idle."""
    work = Path(tempfile.mkdtemp(prefix=f"bench_{name}_"))
    token = uuid.uuid4().hex
    supervisor, servers, rasa_url = start(work, token, args)
    bot = Bot(name, supervisor, list(servers), rasa_url, work, MemoryWatch(servers))
    print(f"{name}: starting {', '.join(s.name for s in servers)} (logs in {work}) ...", flush=True)
    started = time.perf_counter()
    try:
        supervisor.start(timeout=args.start_timeout)
        bot.watch.start()
        asyncio.run(bench_load.wait_until_up(servers, [(f"{rasa_url}/status?token={token}", "model_file")],
                                             args.start_timeout))
    except ServerFailed:
        for server in servers:
            print(f"--- {name}: {server.name} log (end):\n{server.tail()}", file=sys.stderr)
        stop_bot(bot, args)
        raise
    bot.load_seconds = time.perf_counter() - started
    print(f"{name}: up in {bot.load_seconds:.1f} s", flush=True)
    return bot


def stop_bot(bot: Bot, args) -> None:
    if bot.watch.ident is not None:  # started
        bot.watch.stop()
    bot.supervisor.stop_all()
    if not args.keep:
        shutil.rmtree(bot.work, ignore_errors=True)


async def drive(args, bots: Sequence[Bot]) -> None:
    """--rounds rounds; in each, every bot in turn runs the sequential phase, then every bot the concurrent
    one, the order of the bots swapped from one round to the next (a slower minute of the machine falls on
    both). Each round's conversations are new ones (their own sender ids), with the same script."""
    run_id = uuid.uuid4().hex[:8]
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        for bot in bots:
            for message in bench_load.GREETINGS[:1] + bench_load.KNOWLEDGE[:1]:  # warm-up, not measured
                async with session.post(f"{bot.rasa_url}/webhooks/rest/webhook",
                                        json={"sender": f"warmup-{run_id}", "message": message}) as response:
                    await response.read()
        plan = (("sequential", 0, args.sequential, True), ("concurrent", args.sequential, args.conversations, False))
        for number in range(args.rounds):
            order = list(bots) if number % 2 == 0 else list(bots)[::-1]
            phases = {bot.name: {name: Phase(name) for name, *_ in plan} for bot in bots}
            for name, first, count, alone in plan:
                for bot in order:
                    deadline = time.monotonic() + args.max_seconds
                    work = conversations_of(session, f"{bot.rasa_url}/webhooks/rest/webhook", f"{run_id}-{number}",
                                            args, phases[bot.name][name], first, count, deadline, alone)
                    await run_phase(phases[bot.name][name], [work], args.max_seconds + 5, bot.servers)
            for bot in bots:
                bot.rounds.append(phases[bot.name])
            print(f"round {number + 1} of {args.rounds} done", flush=True)


def measure_all(args) -> dict[str, dict]:
    """Starts this bot, then the floor (each load timed alone), drives both, stops both; their figures."""
    bots: list[Bot] = []
    try:
        for name, start in (("ours", ours), ("floor", floor)):
            bots.append(start_bot(name, start, args))
        print(f"{args.rounds} rounds: {args.sequential} conversations one at a time, then {args.conversations} at "
              f"once, {args.turns} turns each, on each bot in turn ...", flush=True)
        asyncio.run(drive(args, bots))
    finally:
        for bot in bots:
            stop_bot(bot, args)
    return {bot.name: summary(bot.rounds, bot.load_seconds, {s.name: bot.watch.report(s) for s in bot.servers})
            for bot in bots}


TRAINING_KEYS = ("seconds", "cpu_seconds", "peak_rss_mb", "finished_at", "beside_other_jobs")


def training(record_path: Path, model: Path) -> dict | None:
    record = read_record(record_path, model)
    if record is None:
        return None
    return {k: record.get(k) for k in TRAINING_KEYS}


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20, help="concurrent conversations (default 20)")
    parser.add_argument("--turns", type=int, default=10, help="turns per conversation (default 10)")
    parser.add_argument("--sequential", type=int, default=10, help="conversations one at a time (default 10)")
    parser.add_argument("--max-seconds", type=float, default=300, help="time limit of each phase")
    parser.add_argument("--request-timeout", type=float, default=60)
    parser.add_argument("--start-timeout", type=float, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both phases on each bot (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--floor-dir", type=Path, default=bench_floor.FLOOR_DIR)
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "latest.json", help="where the figures go")
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs (server logs)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if not args.model.is_file():
        print(f"{args.model} is missing: train the model first (make model)", file=sys.stderr)
        return 2
    started_at, host = datetime.now().astimezone(), bench_load.machine()
    floor_training = bench_floor.ensure_floor(args.floor_dir)
    result: dict[str, Any] = {
        "date": started_at.isoformat(timespec="seconds"), "machine": host,
        "load": {k: getattr(args, k) for k in ("conversations", "turns", "sequential", "seed", "rounds")},
        "bots": {},
    }
    try:
        result["bots"] = measure_all(args)
    except ServerFailed as exc:
        print(f"server start failed: {exc}", file=sys.stderr)
        return 2
    result["bots"]["ours"]["training"] = training(OURS_RECORD, args.model)
    result["bots"]["floor"]["training"] = {k: floor_training.get(k) for k in TRAINING_KEYS}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print_table(result)
    print(f"\nfigures in {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
