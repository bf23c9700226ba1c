"""Scale-out: two Sanic workers, Redis lock store (rasa_server/stores/lock_store.py), PostgreSQL tracker store and
knowledge base."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backoffice_career.knowledge.factory import build_knowledge_base
from tests.helpers.bot_fixtures import require_model
from tests.helpers.databases import new_postgres_database
from tests.helpers.fake_slack import SLACK_SIGNING_SECRET, SLACK_TOKEN
from tests.helpers.servers import running_bot
from tests.helpers.services import redis_url
from tests.helpers.slack_events import Slack, envelope, new_id, user_message

TURNS = [
    "bonjour",
    "faut il savoir utiliser un tableur pour travailler en back office ?",
    "ou suivre des cours de compta ?",
    "merci",
]


@pytest.fixture(scope="module")
def scaled_bot(tmp_path_factory, settings, normalizer, topic_specs, fake_slack):
    require_model()
    work = tmp_path_factory.mktemp("scale")
    with new_postgres_database() as kb_url, new_postgres_database() as tracker_url:
        kb = build_knowledge_base(kb_url, settings.knowledge_dir, normalizer, topic_specs)
        try:
            env = {
                "SANIC_WORKERS": "2", "SLACK_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
                "SLACK_API_URL": fake_slack.api_url, "SLACK_DEDUPE_REDIS_URL": redis_url(1),
            }
            lock_store = dict(lock_store_url=redis_url(1), lock_store_prefix=f"test{uuid.uuid4().hex[:8]}")
            with running_bot(work, kb, kb_url, tracker_url, extra_env=env, **lock_store) as running:
                yield running
        finally:
            kb.engine.dispose()


def events_of(bot, sender):
    return [e for e in bot.tracker(sender)["events"] if e["event"] in ("user", "bot")]


def worker_processes(pid: int):
    """Child processes running the same command line as `pid` (Sanic's forked workers)."""
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == pid and (entry / "cmdline").read_bytes() == cmdline:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def test_two_workers_serve_the_bot(scaled_bot):
    assert len(worker_processes(scaled_bot.servers.processes["rasa"].pid)) == 2


def test_concurrent_conversations_lose_and_mix_nothing(scaled_bot):
    senders = [f"scale-{i}-{uuid.uuid4().hex[:6]}" for i in range(12)]

    def converse(sender):
        return [scaled_bot.replies(text, sender) for text in TURNS]

    with ThreadPoolExecutor(max_workers=12) as pool:
        replies = dict(zip(senders, pool.map(converse, senders), strict=True))
    for sender in senders:
        assert all(replies[sender]), sender
        assert all(r["recipient_id"] == sender for turn in replies[sender] for r in turn)
        events = events_of(scaled_bot, sender)
        assert [e["text"] for e in events if e["event"] == "user"] == TURNS
        # Every turn is complete and holds exactly the answers this sender received for it.
        turns = []
        for event in events:
            if event["event"] == "user":
                turns.append([])
            else:
                turns[-1].append(event["text"])
        assert turns == [[r["text"] for r in turn] for turn in replies[sender]]


def test_messages_of_one_sender_sent_at_once_are_handled_one_at_a_time(scaled_bot):
    sender = f"scale-burst-{uuid.uuid4().hex[:6]}"
    questions = [
        "faut il savoir utiliser un tableur pour travailler en back office ?",
        "ou suivre des cours de compta ?",
        "c'est quoi le back office ?",
        "l'interim c'est une bonne porte d'entree ?",
    ]
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        answers = list(pool.map(lambda q: scaled_bot.texts(q, sender), questions))
    assert all(len(a) == 1 and "Source :" in a[0] for a in answers)
    events = events_of(scaled_bot, sender)
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users) == sorted(questions)
    # Locked per conversation: user, bot, user, bot... never two user turns in a row.
    assert [e["event"] for e in events] == ["user", "bot"] * len(questions)


def test_slack_retries_reaching_either_worker_are_answered_once(scaled_bot, fake_slack):
    slack = Slack(scaled_bot, fake_slack)
    channel, user = new_id("D"), new_id("U")
    body = envelope(user_message("ou suivre des cours de compta ?", channel, user, kind="message"))
    retries = [{}] + [{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"} for n in range(1, 8)]
    with ThreadPoolExecutor(max_workers=len(retries)) as pool:
        list(pool.map(lambda headers: slack.deliver(body, **headers), retries))
    [answer] = slack.wait_answers(channel)
    assert "Source :" in answer["text"]
    slack.barrier(user)
    assert len(slack.answers(channel)) == 1
