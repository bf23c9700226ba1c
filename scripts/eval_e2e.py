"""End-to-end evaluation on the sets written from the guide only (tests/eval/*.yml), over REST, as users see it.

Starts the action server and the Rasa server through the launcher (as `make run` does) on free ports, with a
knowledge base and a tracker store of its own in a temporary folder; sends every line in a new conversation;
classifies the replies (scripts/eval_scoring.py); prints the figures and writes them to var/eval/latest.json.

    .venv/bin/python -m scripts.eval_e2e [--nlu-report results/nlu] [--url URL --token TOKEN --kb-url URL]

With --url the bot already running there is evaluated instead (--token: its HTTP API token, for the understood
profile facts; --kb-url: its knowledge-base database, for the HR queue check).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import requests
import yaml

from backoffice_career.settings import ROOT
from scripts import eval_report
from scripts.eval_scoring import (
    FALLBACK,
    Guide,
    GuidePassage,
    Responses,
    asked_slots,
    classify_out_of_scope,
    classify_small_talk,
    classify_topic,
    fact_understood,
)

QUESTIONS = ROOT / "tests" / "eval" / "guide_questions.yml"
SELF_DESCRIPTIONS = ROOT / "tests" / "eval" / "self_descriptions.yml"
MODEL = ROOT / "models" / "bot.tar.gz"
OUTPUT = ROOT / "var" / "eval" / "latest.json"
PLAN_REQUEST = "fais-moi un plan"  # how a user starts the plan (intent ask_plan, data/rules/profile.yml)
SKIP = "/skip"  # the form's "Passer" button
MAX_FORM_TURNS = 10
START_TIMEOUT = 300


class BotClient:
    """The bot's REST channel; the HTTP API (tracker) when a token is known."""

    def __init__(self, url: str, token: str | None = None):
        self.url, self.token = url.rstrip("/"), token

    @staticmethod
    def new_sender() -> str:
        return f"eval-{uuid.uuid4().hex[:12]}"

    @staticmethod
    def conversation(sender: str) -> str:
        """The tracker's and the HR queue's id of a REST sender (the channel prefixes it)."""
        from rasa_server.channels.identity import REST, conversation_id

        return conversation_id(REST, sender)

    def texts(self, sender: str, message: str) -> list[str]:
        body = {"sender": sender, "message": message}
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=120)
        if response.status_code != 200:
            return [f"HTTP {response.status_code}: {response.text[:200]}"]
        return [m.get("text") or "" for m in response.json()]

    def slots(self, sender: str) -> dict[str, Any] | None:
        if not self.token:
            return None
        response = requests.get(f"{self.url}/conversations/{self.conversation(sender)}/tracker",
                                params={"token": self.token}, timeout=60)
        response.raise_for_status()
        return response.json().get("slots") or {}


def load_guide(kb) -> Guide:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from backoffice_career.knowledge.db import ORIGIN_FILE, Document, Passage

    query = select(Document.title, Passage.paragraph, Passage.text).join(Passage.document).where(
        Document.origin == ORIGIN_FILE)
    with Session(kb.engine) as session:
        passages = [GuidePassage(*row) for row in session.execute(query)]
    config = kb.normalizer.config
    return Guide(passages, config.citation_format, config.paragraph_separator, config.document_separator)


@contextmanager
def launched_bot(work: Path, knowledge_dir: Path | None = None,
                 model: Path = MODEL) -> Iterator[tuple[BotClient, Any]]:
    """The launcher's action server and Rasa server on free ports, with this run's databases; the knowledge
    base is built from `knowledge_dir` (default: the configured one)."""
    from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
    from backoffice_career.knowledge.text import load_topics
    from backoffice_career.settings import load_settings
    from launcher.ports import free_port
    from launcher.settings import from_env
    from launcher.specs import specs
    from launcher.supervisor import Supervisor

    settings = load_settings()
    normalizer = build_normalizer(settings)
    kb_url = f"sqlite:///{work / 'kb.sqlite'}"
    kb = build_knowledge_base(kb_url, knowledge_dir or settings.knowledge_dir, normalizer,
                              load_topics(settings.topics_file, normalizer))
    token = uuid.uuid4().hex
    launch = replace(
        from_env(), action_port=free_port(), rasa_port=free_port(), web_port=free_port(), host="127.0.0.1",
        model=model, token=token, kb_database_url=kb_url, tracker_db_url=f"sqlite:///{work / 'tracker.sqlite'}",
        work_dir=work, action_url=None, lock_store_url=None, cors_origins=None,
        extra_env={"ACTIONS_WARM_UP": "1"},
    )
    supervisor = Supervisor(specs(launch, ["actions", "rasa"]), log_dir=work)
    try:
        supervisor.start(timeout=START_TIMEOUT)
        yield BotClient(f"http://127.0.0.1:{launch.rasa_port}", token), kb
    finally:
        supervisor.stop_all()
        kb.engine.dispose()


def queued_senders(kb) -> set[str]:
    return {item.sender_id for item in kb.review_items()} if kb is not None else set()


def run_lines(client: BotClient, questions: dict, guide: Guide, responses: Responses, kb, workers: int) -> dict:
    """Every topic, out-of-scope and small-talk line, each in a new conversation."""
    lines = [("topic", item) for item in questions.get("topic_questions") or []]
    lines += [("out_of_scope", item) for item in questions.get("out_of_scope") or []]
    lines += [("small_talk", item) for item in questions.get("small_talk") or []]

    def send(line):
        sender = client.new_sender()
        return sender, client.texts(sender, line[1]["text"])

    with ThreadPoolExecutor(workers) as pool:
        sent = list(pool.map(send, lines))
    queued = queued_senders(kb)
    results: dict[str, list] = {"topic": [], "out_of_scope": [], "small_talk": []}
    for (kind, item), (sender, texts) in zip(lines, sent, strict=True):
        queued_here = client.conversation(sender) in queued
        if kind == "topic":
            outcome = classify_topic(texts, item.get("accept") or [], guide, responses)
        elif kind == "out_of_scope":
            outcome = classify_out_of_scope(texts, guide, responses)
        else:
            outcome = classify_small_talk(texts, item.get("kind", ""), responses, queued_here)
        outcome.detail = {"text": item["text"], "reply": texts, "queued_for_hr": queued_here}
        results[kind].append(outcome)
    check_queue_seen(kb, results)
    return results


def check_queue_seen(kb, results: dict[str, list]) -> None:
    """A "no answer" queues the question: if none of them is found, the queue check itself is broken."""
    no_answers = [o for o in results["topic"] if o.kind == FALLBACK]
    if kb is not None and no_answers and not any(o.detail["queued_for_hr"] for o in no_answers):
        raise RuntimeError("none of the unanswered questions is in the HR queue: are the conversation ids of "
                           "BotClient.conversation() still those of the REST channel?")


def describe_self(client: BotClient, text: str, facts: dict, responses: Responses) -> dict:
    """A self-description, then the plan as a user asks for it; the form's questions are answered "Passer"."""
    sender = client.new_sender()
    turns = [client.texts(sender, text)]
    slots = client.slots(sender)
    if not asked_slots(turns[0][-1:], responses):
        turns.append(client.texts(sender, PLAN_REQUEST))
    while len(turns) < MAX_FORM_TURNS and asked_slots(turns[-1][-1:], responses):
        turns.append(client.texts(sender, SKIP))
    asked = [slot for texts in turns for slot in asked_slots(texts, responses)]
    understood = None if slots is None else {k: fact_understood(v, slots.get(k)) for k, v in facts.items()}
    last = "\n".join(turns[-1])
    return {
        "text": text, "facts": facts, "asked": asked, "reasked": sorted(set(asked) & set(facts)),
        "understood": understood, "slots": {k: slots.get(k) for k in facts} if slots else None,
        "plan_given": any(responses.match(n, last) for n in ("utter_plan", "utter_plan_empty")),
        "sender": sender,
    }


def run_self_descriptions(client: BotClient, items: list[dict], responses: Responses, kb, workers: int) -> dict:
    """Each self-description; and its identity-free twin (key `plain`) when the set gives one."""
    def one(item):
        result = describe_self(client, item["text"], item.get("facts") or {}, responses)
        if item.get("plain"):
            result["plain"] = describe_self(client, item["plain"], item.get("facts") or {}, responses)
        return result

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, items))
    queued = queued_senders(kb)
    for result in results:
        result["queued_for_hr"] = client.conversation(result.pop("sender")) in queued
    return {"results": results}


def evaluate(client: BotClient, kb, guide: Guide, args) -> dict:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    responses = Responses(domain)
    questions = yaml.safe_load(args.questions.read_text("utf-8")) or {}
    selves = yaml.safe_load(args.self_descriptions.read_text("utf-8")) or {}
    unknown = [f for item in questions.get("topic_questions") or [] for f in item.get("accept") or []
               if guide.where(f) is None]
    if unknown:  # then only "a Source line" can be checked, not its paragraph
        print(f"WARNING: accept fragments found in no passage of the guide: {unknown}", file=sys.stderr)
    lines = run_lines(client, questions, guide, responses, kb, args.workers)
    selfs = run_self_descriptions(client, selves.get("self_descriptions") or [], responses, kb, args.workers)
    return eval_report.figures(lines, selfs["results"])


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="evaluate the bot running at this URL instead of starting one")
    parser.add_argument("--token", help="with --url: the Rasa HTTP API token (understood profile facts)")
    parser.add_argument("--kb-url", help="with --url: its knowledge-base database URL (HR queue check)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--self-descriptions", type=Path, default=SELF_DESCRIPTIONS)
    parser.add_argument("--nlu-report", type=Path, help="a `rasa test nlu` output folder, for the NLU figures")
    parser.add_argument("--workers", type=int, default=3, help="conversations at a time (default 3)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (server logs)")
    parser.add_argument("--model", type=Path, default=MODEL, help="the trained model to serve (default %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    model = args.model
    if not args.url and not model.is_file():
        print(f"{model} is missing: run `make model` first", file=sys.stderr)
        return 2
    model_stamp = model.stat().st_mtime if model.is_file() else None
    work = Path(tempfile.mkdtemp(prefix="eval_e2e_"))
    try:
        if args.url:
            from backoffice_career.knowledge.factory import open_knowledge_base

            kb = open_knowledge_base(url=args.kb_url) if args.kb_url else open_knowledge_base()
            figures = evaluate(BotClient(args.url, args.token), kb if args.kb_url else None, load_guide(kb), args)
        else:
            print(f"starting the bot through the launcher (logs in {work}) ...", flush=True)
            with launched_bot(work, model=model) as (client, kb):
                figures = evaluate(client, kb, load_guide(kb), args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    changed = model_stamp is not None and model.stat().st_mtime != model_stamp
    eval_report.finish(figures, args, model if not args.url else None, changed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
