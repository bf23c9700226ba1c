"""Load benchmark of the whole bot: real action server + real Rasa server, concurrent REST conversations.

    .venv/bin/python -m scripts.bench_load [--conversations 20 --turns 10 --max-seconds 300]
        [--trace]
        [--sanic-workers 2 --redis-lock-store redis://127.0.0.1:6379/15]

Builds a throwaway knowledge base (SQLite, temp dir, backoffice_career.knowledge.factory.build_knowledge_base), starts
the action server and the Rasa server with the launcher (launcher/), exactly as `make run` starts them (CORS
included), plus its HTTP API with a random token (REST channel, SQLite tracker store in the temp dir), on free
loopback ports, waits until both are up, then:

1. end-to-end: N concurrent simulated conversations (unique sender ids) of T turns each over
   POST /webhooks/rest/webhook, mixing knowledge questions, profile turns (the simulated user
   answers the form's questions, or skips them) and small talk;
2. NLU only: the very same messages, in the same order and at the same concurrency, through
   POST /model/parse?token=...

and prints latency percentiles, throughput, errors (non-200, timeouts, empty replies, others),
the CPU time and the peak memory (VmHWM, child processes included) of both servers, and a
summary block for the README. `--trace` also times, inside the servers, the NLU, the policies,
the tracker store, the action calls and the knowledge-base queries (it patches them at start-up
through this script; the project's files are untouched) and prints where the time goes.

Each load phase stops by itself after --max-seconds (server start-up not included). The servers
are always stopped at the end (error, Ctrl-C, SIGTERM). Exit code 0 after printing (a benchmark,
no pass/fail), 2 when a server does not start, 130 when interrupted.

The sentences below were written for this benchmark: none is copied from data/nlu or
tests/nlu/heldout.yml.
"""
from __future__ import annotations

import argparse
import asyncio
import atexit
import functools
import inspect
import json
import os
import platform
import random
import runpy
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import aiohttp

from backoffice_career.settings import ROOT
from launcher.ports import free_port
from launcher.settings import from_env
from launcher.specs import ServerSpec, specs
from launcher.supervisor import Child, ServerFailed, Supervisor

MODEL = ROOT / "models" / "bot.tar.gz"

# --------------------------------------------------------------------------------------------
# What the simulated users write (own sentences, everyday French, some typos and SMS style).

GREETINGS = [
    "bonjour à vous et bon début de semaine",
    "salut, je peux vous poser deux ou trois questions ?",
    "bonsoir l'assistant",
    "hello, je découvre votre site",
    "coucou, y a quelqu'un pour m'aider ?",
    "bonjour, je me renseigne sur les métiers administratifs",
]
THANKS = [
    "merci, c'est bien plus clair maintenant",
    "super, merci pour l'info",
    "ok top merci",
    "merci c'est gentil de m'avoir répondu",
    "d'accord merci pour ces précisions",
]
GOODBYES = [
    "bon je vous laisse, bonne soirée",
    "je file, à une prochaine",
    "ciao et encore merci",
    "bonne fin de journée, au revoir",
]
KNOWLEDGE = [
    "concrètement, qu'est-ce qu'on fait toute la journée dans un back office ?",
    "quelle est la différence entre front office et back office exactement ?",
    "combien d'années de bureau il faut avoir avant de prétendre à un poste de responsable back office ?",
    "est ce qu'un diplôme en gestion compte plus que l'expérience pour ce poste",
    "je bosse en intérim dans l'administratif, est-ce un bon tremplin ?",
    "faut il etre bon sur excel pour être pris dans un service administratif",
    "savoir faire de la mise en page avec indesign, ça aide à mieux gagner sa vie ?",
    "où est-ce que je peux apprendre la compta de base sans reprendre des études longues ?",
    "dans une petite boîte, le responsable du back office gère combien de personnes en général ?",
    "les entreprises recrutent elles directement des employés administratifs ?",
    "est-ce utile d'accompagner les nouveaux arrivants quand on veut devenir manager ?",
    "pour viser un grand groupe, faut-il faire une école de commerce ?",
    "comment je fais pour évoluer vers la gestion d'un back office ?",
    "quel logiciel de bureautique faut-il absolument connaître ?",
    "c quoi au juste le back office d'une boite",
    "il faut déjà avoir dirigé des gens pour devenir directeur de bureau ?",
    "pendant mon contrat, est-ce que je peux me former sur de nouveaux outils ?",
    "des cours de rédaction commerciale, ça se trouve en ligne ?",
    "quelles missions confie-t-on à un service back office dans une grosse société ?",
    "apprendre à créer des sites web, ça donne un avantage pour les postes de bureau ?",
    "jai pas de diplome mais 8 ans dans l'administratif, mes chances ?",
    "le salaire d'un gestionnaire de back office c'est combien ?",
    "vous connaissez les horaires habituels dans ce genre de poste ?",
]
PROFILE_OPENERS = [
    "j'ai 3 ans d'expérience comme assistante",
    "je suis secrétaire depuis deux ans dans un cabinet comptable",
    "ça fait sept ans que je travaille comme agent administratif dans une mutuelle",
    "je sors de BTS et je n'ai encore jamais travaillé en entreprise",
    "je suis intérimaire depuis dix-huit mois sur des missions de saisie",
    "je fais une reconversion après dix ans dans la restauration",
]
PLAN_REQUESTS = [
    "et du coup, c'est quoi mon plan à moi ?",
    "qu'est-ce que tu me recommandes pour la suite vu mon parcours ?",
    "donne moi les étapes à suivre dans mon cas",
]
PROFILE_READBACK = [
    "rappelle-moi ce que tu as retenu sur moi",
    "tu as noté quoi sur mon profil ?",
]
# "/skip": the "Passer" / "Je ne sais pas" button (the widget sends its payload).
SKIP_ANSWERS = ["/skip", "je passe, question suivante svp", "aucune idée pour celle-là, on continue"]
# The form's questions (domain.yml, utter_ask_*) recognised in the bot's reply, and answers to them.
FORM_QUESTIONS = {
    "depuis combien de temps": [
        "à peu près quatre ans", "18 mois", "un an tout juste", "aucune, je débute complètement",
    ],
    "encadré ou formé": [
        "oui, j'ai déjà formé deux stagiaires", "non, je n'ai jamais eu personne sous ma responsabilité",
        "oui j'ai chapeauté une petite équipe de saisie",
    ],
    "situation actuelle": [
        "je suis employée de bureau dans une agence immobilière", "je cherche du travail depuis le printemps",
        "étudiante en deuxième année", "je suis en mission d'intérim",
    ],
    "taille d'entreprise": [
        "plutôt une PME", "un grand groupe si possible", "une petite structure familiale",
    ],
    "compétences de bureau": [
        "je connais bien Excel et un peu la compta", "word et powerpoint, c'est à peu près tout",
        "je me débrouille en PAO avec Canva",
    ],
    "niveau de formation": [
        "j'ai un BTS assistant de gestion", "bac pro secrétariat", "j'ai arrêté après le bac",
    ],
}

# Conversation shapes (turn kinds); "form" answers the form's pending question, if any,
# else asks a knowledge question.
SCRIPTS = {
    "knowledge": ["greet", "kq", "kq", "kq", "thanks", "kq", "kq", "kq", "kq", "bye"],
    "profile": ["greet", "profile", "form", "form", "form", "form", "form", "plan", "readback", "bye"],
    "mixed": ["greet", "kq", "profile", "form", "kq", "form", "form", "plan", "thanks", "bye"],
}


@dataclass
class Turn:
    kind: str
    message: str


def form_answer(reply_text: str, rng: random.Random) -> str | None:
    """The simulated user's answer to the form question in the bot's reply (None: no question)."""
    for cue, answers in FORM_QUESTIONS.items():
        if cue in reply_text:
            return rng.choice(SKIP_ANSWERS) if rng.random() < 0.2 else rng.choice(answers)
    return None


def next_turn(kind: str, last_reply: str, rng: random.Random) -> Turn:
    pools = {
        "greet": GREETINGS, "thanks": THANKS, "bye": GOODBYES, "kq": KNOWLEDGE,
        "profile": PROFILE_OPENERS, "plan": PLAN_REQUESTS, "readback": PROFILE_READBACK,
    }
    if kind == "form":
        answer = form_answer(last_reply, rng)
        if answer is not None:
            return Turn("form", answer)
        kind = "kq"
    return Turn(kind, rng.choice(pools[kind]))


def script_for(index: int, turns: int) -> list[str]:
    shape = list(SCRIPTS.values())[index % len(SCRIPTS)]
    kinds = shape[:turns]
    while len(kinds) < turns:
        kinds.append("form" if len(kinds) % 2 else "kq")
    return kinds


# --------------------------------------------------------------------------------------------
# Measurements.


@dataclass
class Result:
    kind: str
    latency_ms: float
    outcome: str  # "ok", "http_<status>", "timeout", "empty_reply", "error:<type>"
    message: str = ""


@dataclass
class Phase:
    name: str
    results: list[Result] = field(default_factory=list)
    wall_seconds: float = 0.0
    not_sent: int = 0
    cancelled: int = 0  # requests in flight when the time limit came
    start_wall: float = 0.0  # time.time() bounds, to match the servers' trace records
    end_wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used per server

    @property
    def ok(self) -> list[float]:
        return [r.latency_ms for r in self.results if r.outcome == "ok"]


def percentiles(values: Sequence[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    if len(values) == 1:
        return (values[0],) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def fmt_pcts(values: Sequence[float]) -> str:
    p50, p95, p99 = percentiles(values)
    return f"p50={p50:8.1f} ms  p95={p95:8.1f} ms  p99={p99:8.1f} ms"


# --------------------------------------------------------------------------------------------
# Servers, their memory and CPU time.


@dataclass
class Server:
    """A server started by the launcher (its process changes if the launcher restarts it)."""

    name: str
    child: Child

    @property
    def proc(self) -> subprocess.Popen:
        return self.child.process

    def tail(self, chars: int = 3000) -> str:
        return self.child.tail(chars)


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after "(comm)" (comm may contain spaces): [state, ppid, ...]."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        stat = handle.read().decode("ascii", "replace")
    return stat[stat.rindex(")") + 2:].split()


def _children(pid: int) -> list[int]:
    """All descendants of pid."""
    parents: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(_stat_fields(int(entry))[1])].append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(server: Server) -> float:
    """User + system CPU time of the server process and its live children."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in [server.proc.pid] + _children(server.proc.pid):
        try:
            fields = _stat_fields(pid)
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total


class MemoryWatch(threading.Thread):
    """Samples VmHWM (peak resident set) of each server process and its children until stopped:
    a child's peak is kept even if the child exits before the end."""

    def __init__(self, servers: Sequence[Server], interval: float = 0.5):
        super().__init__(daemon=True)
        self.servers = servers
        self.interval = interval
        self.peaks: dict[str, dict[int, int]] = {s.name: {} for s in servers}
        self._halt = threading.Event()

    def sample(self) -> None:
        for server in self.servers:
            for pid in [server.proc.pid] + _children(server.proc.pid):
                hwm = _status_kb(pid, "VmHWM")
                if hwm:
                    peaks = self.peaks[server.name]
                    peaks[pid] = max(hwm, peaks.get(pid, 0))

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        if self._halt.is_set():
            return
        self._halt.set()
        self.join(timeout=5)
        self.sample()

    def report(self, server: Server) -> tuple[int, int, int]:
        """(main process VmHWM kB, children's VmHWM kB summed, number of children seen)."""
        peaks = self.peaks[server.name]
        main = peaks.get(server.proc.pid, 0)
        children = {pid: kb for pid, kb in peaks.items() if pid != server.proc.pid}
        return main, sum(children.values()), len(children)


SERVER_NAMES = {"actions": "action server", "rasa": "Rasa server"}
TRACE_ROLES = {"actions": "action", "rasa": "rasa"}


def traced(spec: ServerSpec, work: Path) -> ServerSpec:
    """The launcher's command (python -m MODULE ...) run through --serve, which times the functions."""
    role = TRACE_ROLES[spec.name]
    command = (sys.executable, "-m", "scripts.bench_load", "--serve", role, str(work / f"trace-{role}.jsonl"), "--",
               *spec.command[2:])
    return replace(spec, command=command)


def launch(work: Path, kb_url: str, tracker_url: str, token: str, args) -> tuple[Supervisor, list[Server], str]:
    """The action server and the Rasa server as the launcher starts them, on free loopback ports (not started yet);
    and the Rasa server's URL."""
    settings = replace(
        from_env(), action_port=free_port(), rasa_port=free_port(), host="127.0.0.1", model=args.model, token=token,
        kb_database_url=kb_url, tracker_db_url=tracker_url, work_dir=work, action_url=None,
        lock_store_url=args.redis_lock_store, lock_store_prefix=f"bench{uuid.uuid4().hex[:6]}",
        base_env={k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},  # Slack channel off
        extra_env=dict(SANIC_WORKERS=str(args.sanic_workers), ACTIONS_WARM_UP="1"),
    )
    launched = specs(settings, list(SERVER_NAMES))
    if args.trace:
        launched = [traced(spec, work) for spec in launched]
    supervisor = Supervisor(launched, log_dir=work)
    servers = [Server(SERVER_NAMES[name], child) for name, child in supervisor.children.items()]
    return supervisor, servers, f"http://127.0.0.1:{settings.rasa_port}"


async def wait_until_up(servers: Sequence[Server], checks: Sequence[tuple[str, str]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        for url, expect in checks:
            while True:
                for server in servers:
                    if server.proc.poll() is not None:
                        raise ServerFailed(f"the {server.name} exited with code {server.proc.returncode}")
                try:
                    async with session.get(url) as response:
                        body = await response.text()
                        if response.status == 200 and expect in body:
                            break
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise ServerFailed(f"{url.split('?')[0]} not up after {timeout:.0f} s")
                await asyncio.sleep(1)


# --------------------------------------------------------------------------------------------
# --trace: timings inside the servers. The launcher's command `python -m MODULE ...` becomes
#   python -m scripts.bench_load --serve ROLE FILE -- MODULE ...
# which wraps the functions below with timers, then runs MODULE as the launcher would.

TRACE_TARGETS = {
    "rasa": [
        ("rasa.core.agent", "Agent.handle_message", "message total (lock wait + processing)"),
        ("rasa.core.processor", "MessageProcessor.handle_message", "message processing (lock held)"),
        ("rasa.core.processor", "MessageProcessor.parse_message", "NLU parse"),
        ("rasa.core.processor", "MessageProcessor.predict_next_with_tracker_if_should", "policy prediction"),
        ("rasa.core.actions.action", "RemoteAction.run", "custom action call (HTTP round trip)"),
        ("rasa.core.actions.action", "RemoteAction._action_call_format", "action request body (tracker+domain)"),
        ("rasa.core.actions.action", "RemoteAction._validate_action_result", "action response jsonschema check"),
        ("rasa_server.stores.tracker_store", "PrivacySQLTrackerStore.retrieve", "tracker store retrieve"),
        ("rasa.core.tracker_store", "SQLTrackerStore._retrieve", "  of which rebuilt from the database"),
        ("rasa_server.stores.tracker_store", "PrivacySQLTrackerStore.save", "tracker store save"),
    ],
    "action": [
        ("rasa_sdk.executor", "ActionExecutor.run", "action run (incl. Tracker.from_dict)"),
        ("rasa_sdk.interfaces", "Tracker.from_dict", "Tracker.from_dict"),
        ("backoffice_career.knowledge.factory", "default_knowledge_base", "kb: default_knowledge_base()"),
        ("backoffice_career.knowledge.base", "KnowledgeBase._current_index", "kb: index/revision check (SQL)"),
        ("backoffice_career.knowledge.text", "Normalizer.lemmas", "kb: spaCy lemmatisation"),
        ("backoffice_career.knowledge.base", "KnowledgeBase.rank", "kb: BM25 ranking"),
        ("backoffice_career.knowledge.base", "KnowledgeBase.extra_answer", "kb: extra_answer"),
        ("backoffice_career.knowledge.base", "KnowledgeBase.record_unanswered", "kb: review queue insert"),
        ("backoffice_career.knowledge.base", "KnowledgeBase.plan", "kb: plan"),
    ],
}
LOOP_LAG = "event loop lag (20 ms probe)"
PAYLOAD_KB = "action request body size (kB)"
_RECORDS: list[tuple[float, str, float]] = []
_RECORDS_LOCK = threading.Lock()
_LAG_STARTED = threading.Event()


def _record(label: str, value: float) -> None:
    with _RECORDS_LOCK:
        _RECORDS.append((time.time(), label, value))


def _flush(path: str) -> None:
    with _RECORDS_LOCK:
        batch = _RECORDS[:]
        del _RECORDS[:]
    if batch:
        with open(path, "a", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in batch)


def _start_lag_probe(loop) -> None:
    """A thread that asks the event loop to run a callback every 20 ms and records how late it runs
    (time the loop spends in synchronous code: NLU, SQL, JSON...)."""
    if _LAG_STARTED.is_set():
        return
    _LAG_STARTED.set()

    def probe():
        ran = threading.Event()
        while not loop.is_closed():
            ran.clear()
            start = time.perf_counter()

            def callback(start=start):
                _record(LOOP_LAG, (time.perf_counter() - start) * 1000)
                ran.set()

            try:
                loop.call_soon_threadsafe(callback)
            except RuntimeError:
                return
            ran.wait(10)
            time.sleep(0.02)

    threading.Thread(target=probe, daemon=True).start()


def _timed(fn, label: str):
    async def _await(awaitable, start):
        try:
            return await awaitable
        finally:
            _record(label, (time.perf_counter() - start) * 1000)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):
            try:
                _start_lag_probe(asyncio.get_running_loop())
            except RuntimeError:
                pass
            return _await(result, start)
        _record(label, (time.perf_counter() - start) * 1000)
        if label.startswith("action request body") and isinstance(result, dict):
            _record(PAYLOAD_KB, len(json.dumps(result)) / 1024)
        return result

    return wrapper


def install_trace(role: str, path: str) -> None:
    import importlib

    for module_name, qualname, label in TRACE_TARGETS[role]:
        module = importlib.import_module(module_name)
        owner_name, _, attr = qualname.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        raw = owner.__dict__[attr] if owner_name else getattr(module, attr)
        if isinstance(raw, classmethod):
            setattr(owner, attr, classmethod(_timed(raw.__func__, label)))
        elif isinstance(raw, staticmethod):
            setattr(owner, attr, staticmethod(_timed(raw.__func__, label)))
        else:
            setattr(owner, attr, _timed(raw, label))

    def flusher():
        while True:
            time.sleep(0.5)
            _flush(path)

    threading.Thread(target=flusher, daemon=True).start()
    atexit.register(_flush, path)


def serve(argv: Sequence[str]) -> int:
    """python -m scripts.bench_load --serve ROLE TRACE_FILE -- MODULE <arguments>: the launcher's command
    `python -m MODULE <arguments>`, with the timers."""
    role, path, separator, module, *args = argv
    assert separator == "--", serve.__doc__
    if role == "rasa":
        # rasa_server installs its patches, then calls Rasa's CLI: the timers go on top of the patches.
        import rasa.__main__ as rasa_cli

        rasa_main = rasa_cli.main

        def main_with_trace():
            install_trace(role, path)
            return rasa_main()

        rasa_cli.main = main_with_trace
    else:
        install_trace(role, path)
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else int(bool(exit_.code))
    finally:
        _flush(path)
    return 0


def read_trace(path: Path) -> list[tuple[float, str, float]]:
    if not path.is_file():
        return []
    return [tuple(json.loads(line)) for line in path.read_text("utf-8").splitlines() if line.strip()]


def print_trace(phase: Phase, traces: dict[str, list[tuple[float, str, float]]]) -> None:
    messages = max(1, len(phase.results))
    print(f"\n-- inside the servers during {phase.name} ({messages} messages, wall {phase.wall_seconds:.1f} s)")
    print(f"   {'':<44} {'calls':>6} {'/msg':>5} {'mean':>8} {'p50':>8} {'p95':>8} {'sum/msg':>8}")
    for role, records in traces.items():
        labels = [label for _, _, label in TRACE_TARGETS[role]] + [LOOP_LAG, PAYLOAD_KB]
        window = defaultdict(list)
        for stamp, label, value in records:
            if phase.start_wall <= stamp <= phase.end_wall:
                window[label].append(value)
        for label in labels:
            values = window.get(label)
            if not values:
                continue
            unit = "kB" if label == PAYLOAD_KB else "ms"
            p50, p95, _ = percentiles(values)
            per_message = "" if label in (LOOP_LAG, PAYLOAD_KB) else f"{sum(values) / messages:8.1f}"
            print(f"   {role + ': ' + label:<44} {len(values):>6} {len(values) / messages:>5.1f} "
                  f"{statistics.mean(values):>8.1f} {p50:>8.1f} {p95:>8.1f} {per_message:>8}  {unit}")


# --------------------------------------------------------------------------------------------
# Load.


async def post(session: aiohttp.ClientSession, url: str, body: dict, kind: str, is_answer) -> tuple[Result, object]:
    start = time.perf_counter()
    try:
        async with session.post(url, json=body) as response:
            payload = await response.json(content_type=None) if response.status == 200 else await response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                return Result(kind, elapsed, f"http_{response.status}"), None
    except asyncio.TimeoutError:
        return Result(kind, (time.perf_counter() - start) * 1000, "timeout"), None
    except (aiohttp.ClientError, ValueError) as exc:
        return Result(kind, (time.perf_counter() - start) * 1000, f"error:{type(exc).__name__}"), None
    if not is_answer(payload):
        return Result(kind, elapsed, "empty_reply"), payload
    return Result(kind, elapsed, "ok"), payload


def bot_replied(payload) -> bool:
    return isinstance(payload, list) and any(
        isinstance(m, dict) and (m.get("text") or m.get("buttons") or m.get("custom") or m.get("image"))
        for m in payload
    )


def nlu_parsed(payload) -> bool:
    return isinstance(payload, dict) and bool((payload.get("intent") or {}).get("name"))


def last_text(payload) -> str:
    """The bot's last message: where a form question is, when there is one."""
    texts = [str(m.get("text") or "") for m in payload if isinstance(m, dict)] if isinstance(payload, list) else []
    return texts[-1] if texts else ""


async def run_phase(phase: Phase, workers, max_seconds: float, servers: Sequence[Server]) -> None:
    """Runs the workers concurrently; cancels what is left after max_seconds."""
    cpu_before = {s.name: cpu_seconds(s) for s in servers}
    phase.start_wall, start = time.time(), time.perf_counter()
    tasks = [asyncio.ensure_future(w) for w in workers]
    done, pending = await asyncio.wait(tasks, timeout=max_seconds)
    phase.cancelled = len(pending)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    phase.wall_seconds, phase.end_wall = time.perf_counter() - start, time.time()
    phase.cpu = {s.name: cpu_seconds(s) - cpu_before[s.name] for s in servers}
    for task in done:
        if task.exception() is not None:
            raise task.exception()


async def conversation(session, url: str, sender: str, kinds: list[str], rng: random.Random, phase: Phase,
                       sent: list[Turn], deadline: float) -> None:
    last = ""
    for position, kind in enumerate(kinds):
        if time.monotonic() >= deadline:
            phase.not_sent += len(kinds) - position
            return
        turn = next_turn(kind, last, rng)
        sent.append(turn)
        result, payload = await post(session, url, {"sender": sender, "message": turn.message}, turn.kind, bot_replied)
        result.message = f"{sender} #{position + 1}: {turn.message}"
        phase.results.append(result)
        last = last_text(payload)


async def nlu_replay(session, url: str, turns: list[Turn], phase: Phase, deadline: float) -> None:
    for position, turn in enumerate(turns):
        if time.monotonic() >= deadline:
            phase.not_sent += len(turns) - position
            return
        result, _ = await post(session, url, {"text": turn.message}, turn.kind, nlu_parsed)
        result.message = turn.message
        phase.results.append(result)


async def drive(args, rasa_url: str, token: str, servers: Sequence[Server]) -> tuple[float, Phase, Phase]:
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    run_id = uuid.uuid4().hex[:8]
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        webhook = f"{rasa_url}/webhooks/rest/webhook"
        parse_url = f"{rasa_url}/model/parse?token={token}"
        # Warm-up (not measured): the action server loads spaCy and the knowledge base on first use.
        warm = time.perf_counter()
        try:
            for message in (GREETINGS[0], KNOWLEDGE[0], PROFILE_OPENERS[0], PLAN_REQUESTS[0]):
                async with session.post(webhook, json={"sender": f"warmup-{run_id}", "message": message}) as response:
                    await response.read()
            async with session.post(parse_url, json={"text": KNOWLEDGE[1]}) as response:
                await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            print(f"warning: warm-up request failed ({type(exc).__name__}: {exc}); measuring anyway", flush=True)
        warm_seconds = time.perf_counter() - warm

        e2e = Phase("end-to-end (REST webhook)")
        sent: list[list[Turn]] = [[] for _ in range(args.conversations)]
        deadline = time.monotonic() + args.max_seconds
        await run_phase(e2e, [
            conversation(session, webhook, f"bench-{run_id}-{i:03d}", script_for(i, args.turns),
                         random.Random(args.seed * 1000 + i), e2e, sent[i], deadline)
            for i in range(args.conversations)
        ], args.max_seconds, servers)

        nlu = Phase("NLU only (/model/parse)")
        deadline = time.monotonic() + args.max_seconds
        await run_phase(nlu, [nlu_replay(session, parse_url, turns, nlu, deadline) for turns in sent],
                        args.max_seconds, servers)
    return warm_seconds, e2e, nlu


# --------------------------------------------------------------------------------------------
# Report.


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        nproc = ""
    return {"nproc": nproc or str(len(os.sched_getaffinity(0))), "cpu": model,
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def rate(count: float, seconds: float) -> float:
    return count / seconds if seconds else 0.0


def print_phase(phase: Phase) -> None:
    attempted = len(phase.results)
    outcomes = Counter(r.outcome for r in phase.results)
    errors = attempted - outcomes["ok"]
    print(f"\n== {phase.name}")
    print(f"messages      {attempted} sent, {outcomes['ok']} ok, {phase.not_sent} not sent and "
          f"{phase.cancelled} cancelled (time limit); wall {phase.wall_seconds:.1f} s; "
          f"{rate(outcomes['ok'], phase.wall_seconds):.2f} messages/s")
    ok = phase.ok
    print(f"latency (ok)  {fmt_pcts(ok)}  mean={statistics.mean(ok) if ok else float('nan'):8.1f} ms"
          f"  max={max(ok) if ok else float('nan'):8.1f} ms")
    http = {k: v for k, v in outcomes.items() if k.startswith("http_")}
    other = {k: v for k, v in outcomes.items() if k.startswith("error:")}
    print(f"errors        {errors}/{attempted} = {rate(errors, attempted) * 100:.1f} %: "
          f"non-200 {sum(http.values())}{' ' + str(http) if http else ''}, timeouts {outcomes['timeout']}, "
          f"empty replies {outcomes['empty_reply']}, other {sum(other.values())}{' ' + str(other) if other else ''}")
    failed = [r for r in phase.results if r.outcome != "ok"]
    for result in failed[:10]:
        print(f"  {result.outcome:<12} {result.latency_ms:8.0f} ms  {result.message}")
    if len(failed) > 10:
        print(f"  ... and {len(failed) - 10} more")
    print("CPU time      " + ", ".join(
        f"{name} {seconds:.1f} s ({rate(seconds, phase.wall_seconds) * 100:.0f} % of one core)"
        for name, seconds in phase.cpu.items()))
    by_kind: dict[str, list[float]] = defaultdict(list)
    for result in phase.results:
        if result.outcome == "ok":
            by_kind[result.kind].append(result.latency_ms)
    for kind in sorted(by_kind):
        print(f"  {kind:<9} n={len(by_kind[kind]):>4}  {fmt_pcts(by_kind[kind])}")


def print_report(args, host, started_at, passages, startup, warm_seconds, e2e, nlu, memory, crashed, traces) -> None:
    print(f"\nserver start-up {startup:.1f} s; warm-up (not measured) {warm_seconds:.1f} s")
    print_phase(e2e)
    print_phase(nlu)
    e2e_pcts, nlu_pcts = percentiles(e2e.ok), percentiles(nlu.ok)
    print("\n== peak memory (VmHWM)")
    totals = {}
    for name, (main_kb, children_kb, n_children) in memory.items():
        totals[name] = (main_kb + children_kb) / 1024
        extra = (f" + {n_children} child process(es) {children_kb / 1024:.0f} MB = {totals[name]:.0f} MB"
                 if n_children else " (no child process)")
        print(f"{name:<14} {main_kb / 1024:6.0f} MB{extra}")
    if crashed:
        print(f"WARNING: exited during the run (restarted by the launcher): {', '.join(crashed)}")
    if traces:
        print("\n== --trace: time inside the servers (wall time of each call; async calls include waiting)")
        for phase in (e2e, nlu):
            print_trace(phase, traces)
    errors = len(e2e.results) - len(e2e.ok)
    print("\n== summary (for the README)")
    print("```")
    print(f"bench_load {started_at:%Y-%m-%d %H:%M %Z}; nproc {host['nproc']}; CPU {host['cpu']}; "
          f"load average at start {host['load']}")
    print(f"rasa 3.6.21, Python {platform.python_version()}, SQLite tracker store and knowledge base "
          f"({passages} passages), Sanic workers {args.sanic_workers}{', traced' if args.trace else ''}"
          )
    print(f"{args.conversations} concurrent conversations x {args.turns} turns: {len(e2e.results)} messages in "
          f"{e2e.wall_seconds:.1f} s, {rate(len(e2e.ok), e2e.wall_seconds):.2f} messages/s, "
          f"errors {errors} ({rate(errors, len(e2e.results)) * 100:.1f} %)")
    print(f"end-to-end  p50 {e2e_pcts[0]:.0f} ms  p95 {e2e_pcts[1]:.0f} ms  p99 {e2e_pcts[2]:.0f} ms")
    print(f"NLU parse   p50 {nlu_pcts[0]:.0f} ms  p95 {nlu_pcts[1]:.0f} ms  p99 {nlu_pcts[2]:.0f} ms  "
          f"({rate(len(nlu.ok), nlu.wall_seconds):.2f} messages/s)")
    print(f"peak memory (VmHWM): action server {totals.get('action server', 0):.0f} MB, "
          f"Rasa server {totals.get('Rasa server', 0):.0f} MB")
    print("```")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--serve"]:
        return serve(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20, help="concurrent conversations (default 20)")
    parser.add_argument("--turns", type=int, default=10, help="turns per conversation (default 10)")
    parser.add_argument("--max-seconds", type=float, default=300, help="time limit of each load phase (default 300)")
    parser.add_argument("--request-timeout", type=float, default=60, help="per request, seconds (default 60)")
    parser.add_argument("--start-timeout", type=float, default=300, help="server start-up limit, seconds")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--trace", action="store_true", help="time the components inside the servers")
    parser.add_argument("--sanic-workers", type=int, default=1,
                        help="SANIC_WORKERS of the Rasa server (more than 1 needs --redis-lock-store)")
    parser.add_argument("--redis-lock-store", metavar="URL", help="e.g. redis://127.0.0.1:6379/15")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (server logs, databases)")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"{args.model} is missing: train the model first (make model)", file=sys.stderr)
        return 2

    def on_sigterm(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    started_at, host = datetime.now().astimezone(), machine()
    work = Path(tempfile.mkdtemp(prefix="bench_load_"))
    servers: list[Server] = []
    supervisor: Supervisor | None = None
    watch: MemoryWatch | None = None
    try:
        # Same path as the end-to-end tests: the knowledge base built by
        # backoffice_career.knowledge.factory.build_knowledge_base.
        from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
        from backoffice_career.knowledge.text import load_topics
        from backoffice_career.settings import load_settings

        settings = load_settings()
        normalizer = build_normalizer(settings)
        kb_url, tracker_url = f"sqlite:///{work / 'kb.sqlite'}", f"sqlite:///{work / 'tracker.sqlite'}"
        kb = build_knowledge_base(
            kb_url, settings.knowledge_dir, normalizer, load_topics(settings.topics_file, normalizer)
        )
        passages = kb.check()
        kb.engine.dispose()

        token = uuid.uuid4().hex
        t0 = time.perf_counter()
        supervisor, servers, rasa_url = launch(work, kb_url, tracker_url, token, args)
        print(
            f"knowledge base: {passages} passages; starting the servers (logs in {work}"
            f"{'' if args.keep else ', removed at the end unless --keep'}) ...",
            flush=True,
        )
        try:
            supervisor.start(timeout=args.start_timeout)  # both answer their health URL
            asyncio.run(
                wait_until_up(servers, [(f"{rasa_url}/status?token={token}", "model_file")], args.start_timeout)
            )
        except ServerFailed as exc:
            print(f"server start failed: {exc}", file=sys.stderr)
            for server in servers:
                print(f"--- {server.name} log (end):\n{server.tail()}", file=sys.stderr)
            return 2
        startup = time.perf_counter() - t0
        watch = MemoryWatch(servers)  # VmHWM: the peaks of start-up are kept
        watch.start()
        print(
            f"servers up in {startup:.1f} s; {args.conversations} conversations x {args.turns} turns, "
            f"then the same messages through /model/parse ...",
            flush=True,
        )
        warm_seconds, e2e, nlu = asyncio.run(drive(args, rasa_url, token, servers))
        watch.stop()
        memory = {s.name: watch.report(s) for s in servers}
        crashed = [s.name for s in servers if s.proc.poll() is not None or s.child.restarts]
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the servers", file=sys.stderr)
        return 130
    finally:
        try:
            if watch is not None:
                watch.stop()
        finally:
            if supervisor is not None:
                supervisor.stop_all()
            # The servers have flushed their traces when they stopped.
            traces = {role: read_trace(work / f"trace-{role}.jsonl") for role in TRACE_TARGETS} if args.trace else {}
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    print_report(args, host, started_at, passages, startup, warm_seconds, e2e, nlu, memory, crashed, traces)
    return 0


if __name__ == "__main__":
    sys.exit(main())
