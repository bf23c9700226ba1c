"""Nobody reads, continues or erases another person's conversation: one test per attack, against the real
servers started by the launcher (tests/helpers/bot_fixtures.py: REST_TOKEN and SESSION_SECRET set, the
action token made by the launcher for the run)."""
from __future__ import annotations

import time
import uuid

import requests
import socketio

from rasa_server.channels.checks import rules as channel_rules
from rasa_server.channels.identity import REST, SLACK, WEB, SessionSigner, conversation_id
from tests.helpers.attacks import (
    MB,
    ORIGIN,
    Visitor,
    closed_by_server,
    half_sent_requests,
    listening_addresses,
    parallel_oversized_posts,
    resident_mb,
    thread_count,
)
from tests.helpers.responses import response_text
from tests.helpers.slack_events import Slack, envelope, new_id, user_message

PROFILE = "je suis intérimaire et j'ai 7 ans d'expérience"
ASK_PROFILE = "qu'est-ce que tu sais de moi ?"


def summary_start(domain) -> str:
    return response_text(domain, "utter_profile_summary").split("{", 1)[0]


def server_signer(bot) -> SessionSigner:
    return SessionSigner(bot.servers.settings.extra_env["SESSION_SECRET"].encode())


def stored_events(bot, senders, timeout: float = 30) -> dict[str, int]:
    """Events stored per conversation, once each has some (Slack answers before the tracker is saved)."""
    deadline = time.monotonic() + timeout
    while True:
        counts = {sender: len(bot.conversations.events(sender)) for sender in senders}
        if all(counts.values()) or time.monotonic() > deadline:
            assert all(counts.values()), (counts, {e.sender_id for e in bot.conversations.events()})
            return counts
        time.sleep(0.5)


def user_texts(bot, sender: str, channel: str) -> list[str]:
    return [e["text"] for e in bot.tracker(sender, channel)["events"] if e["event"] == "user"]


def test_another_visitors_session_id_gets_nothing_of_theirs(bot, domain):
    victim = Visitor(bot.url)
    victim.say(PROFILE)
    stolen_ids = (
        victim.session_id,                                  # the conversation id, as HR and the logs see it
        conversation_id(WEB, victim.session_id),
        f"{victim.session_id}.{'0' * 64}",                  # forged signature
        SessionSigner(b"another key").issue()[0].split(".")[0] + "." + victim.token.split(".")[1],
    )
    for stolen in stolen_ids:
        attacker = Visitor(bot.url, stolen)
        assert attacker.session_id != victim.session_id
        # The victim talks: the attacker's socket receives none of it.
        summary = " ".join(victim.say(ASK_PROFILE))
        assert summary.startswith(summary_start(domain)) and "intérimaire" in summary
        # The attacker names the victim's full signed id in its message: it still talks in its own conversation.
        assert attacker.say(ASK_PROFILE, session_id=victim.token) == [response_text(domain, "utter_profile_empty")]
        time.sleep(1)
        assert not any("intérimaire" in text for text in attacker.texts())
        attacker.close()
    assert set(user_texts(bot, victim.session_id, WEB)) == {PROFILE, ASK_PROFILE}
    victim.close()


def test_a_forged_or_unsigned_session_id_gets_a_fresh_conversation_and_a_reload_keeps_it(bot, domain):
    signer = server_signer(bot)
    first = Visitor(bot.url)
    assert signer.verify(first.token) == first.session_id
    first.say(PROFILE)
    first.close()
    forged = ("visitor-42", "", 12, {"id": 1}, "a" * 10_000, "web:x", SessionSigner(b"other").issue()[0],
              first.token[:-1] + ("0" if first.token[-1] != "0" else "1"))
    for session_id in forged:
        visitor = Visitor(bot.url, session_id)
        assert signer.verify(visitor.token) == visitor.session_id != first.session_id
        assert visitor.say(ASK_PROFILE) == [response_text(domain, "utter_profile_empty")]
        visitor.close()
    # A reload: the widget sends the id it stored, and the conversation goes on.
    reloaded = Visitor(bot.url, first.token)
    assert reloaded.token == first.token
    assert "intérimaire" in " ".join(reloaded.say(ASK_PROFILE))
    reloaded.close()


def test_a_message_before_the_session_request_is_refused(bot):
    """A socket that never asked for a session has no conversation: its message reaches none."""
    visitor = Visitor(bot.url)
    replies = []
    anonymous = socketio.Client(reconnection=False)
    anonymous.on("bot_uttered", replies.append)
    anonymous.connect(bot.url, transports=["polling"], headers={"Origin": ORIGIN}, wait_timeout=30)
    anonymous.emit("user_uttered", {"message": "bonjour", "session_id": visitor.token})
    for _ in range(300):
        if replies:
            break
        anonymous.sleep(0.1)
    assert [r.get("text") for r in replies] == [channel_rules()["errors"]["invalid_socket_message"]]
    anonymous.disconnect()
    assert visitor.texts() == []
    assert bot.conversations.events(conversation_id(WEB, visitor.session_id)) == []
    visitor.close()


def test_a_rest_sender_cannot_read_or_erase_a_web_or_slack_conversation(bot, fake_slack, domain):
    web = Visitor(bot.url)
    web.say(PROFILE)
    slack, channel, user = Slack(bot, fake_slack), new_id("D"), new_id("U")
    slack.deliver(envelope(user_message(PROFILE, channel, user, kind="message")))
    slack.wait_answers(channel)
    victims = {conversation_id(WEB, web.session_id), conversation_id(SLACK, user)}
    kept = stored_events(bot, victims)
    for sender in (web.session_id, conversation_id(WEB, web.session_id), web.token, user, conversation_id(SLACK, user)):
        assert bot.texts(ASK_PROFILE, sender) == [response_text(domain, "utter_profile_empty")]
        assert bot.texts("supprime mes données", sender) == [response_text(domain, "utter_ask_erasure_confirm")]
        assert bot.texts("oui", sender) == [response_text(domain, "utter_erasure_done")]
        assert len(bot.conversations.events(conversation_id(REST, sender))) <= 2  # its own, fresh conversation
    assert {sender: len(bot.conversations.events(sender)) for sender in victims} == kept
    assert "intérimaire" in " ".join(web.say(ASK_PROFILE))
    web.close()


def test_rest_without_the_token_gets_401_in_french(bot):
    url, body = f"{bot.url}/webhooks/rest/webhook", {"sender": f"no-token-{uuid.uuid4().hex[:8]}", "message": "bonjour"}
    refused = (
        {}, {"Authorization": "Bearer wrong"}, {"Authorization": bot.rest_token},
        {"Authorization": f"Basic {bot.rest_token}"},
    )
    for headers in refused:
        response = requests.post(url, json=body, headers=headers, timeout=30)
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized", "message": channel_rules()["errors"]["unauthorized"]}
    assert bot.conversations.events(conversation_id(REST, body["sender"])) == []
    assert requests.post(url, json=body, params={"token": bot.rest_token}, timeout=60).status_code == 200
    assert requests.post(url, json=body, headers=bot.rest_headers, timeout=60).status_code == 200


def test_the_action_server_is_local_and_refuses_calls_without_the_token(bot):
    sender = f"victim-{uuid.uuid4().hex[:8]}"
    bot.texts("bonjour", sender)
    conversation = conversation_id(REST, sender)
    stored = len(bot.conversations.events(conversation))
    port = bot.servers.settings.action_port
    assert listening_addresses(port) == {"127.0.0.1"}
    url = f"http://127.0.0.1:{port}"
    call = {
        "next_action": "action_erase_my_data", "sender_id": conversation, "version": "3.6.2", "domain": {},
        "tracker": {"sender_id": conversation, "slots": {}, "latest_message": {}, "events": [], "paused": False,
                    "followup_action": None, "active_loop": {}, "latest_action_name": None},
    }
    for headers in ({}, {"X-Action-Token": "wrong"}, {"Authorization": f"Bearer {bot.rest_token}"}):
        assert requests.post(f"{url}/webhook", json=call, headers=headers, timeout=30).status_code == 401
        assert requests.get(f"{url}/actions", headers=headers, timeout=30).status_code == 401
    assert len(bot.conversations.events(conversation)) == stored > 0
    assert requests.get(f"{url}/health", timeout=30).status_code == 200
    token = bot.servers.supervisor.children["actions"].spec.env["ACTION_TOKEN"]
    listed = requests.get(f"{url}/actions", headers={"X-Action-Token": token}, timeout=30)
    assert listed.status_code == 200 and {"name": "action_erase_my_data"} in listed.json()
    # The Rasa server sends the token: its actions still run.
    assert bot.texts("bonjour", sender)


def test_a_95_mb_body_is_refused_before_it_is_read(bot):
    """Even from a caller with the right token (the Rasa server's, a trusted REST caller's)."""
    size = 95 * MB
    action_token = bot.servers.supervisor.children["actions"].spec.env["ACTION_TOKEN"]
    targets = {
        "rasa": (bot.port, "/webhooks/rest/webhook", bot.rest_headers),
        "actions": (bot.servers.settings.action_port, "/webhook", {"X-Action-Token": action_token}),
    }
    for name, (port, path, headers) in targets.items():
        pid = bot.servers.processes[name].pid
        before = resident_mb(pid)
        statuses = parallel_oversized_posts(port, path, size, headers)
        growth = resident_mb(pid) - before
        assert growth < 20, f"{name}: {before:.0f} MB -> +{growth:.0f} MB"
        assert all(status in ("", "HTTP/1.1 413 Request Entity Too Large") for status in statuses), statuses
        assert any(status.startswith("HTTP/1.1 413") for status in statuses), statuses
    assert bot.texts("bonjour", f"after-big-{uuid.uuid4().hex[:8]}")


def test_the_page_server_copies_no_host_header(chat_page, bot):
    expected = f"http://127.0.0.1:{bot.port}"
    response = requests.get(f"{chat_page}config.json", headers={"Host": "evil.example:666"}, timeout=30)
    assert response.json()["socketUrl"] == expected
    policy = response.headers["Content-Security-Policy"]
    assert "evil" not in policy and f"connect-src 'self' {expected} ws://127.0.0.1:{bot.port};" in policy
    page = requests.get(chat_page, headers={"Host": "evil.example"}, timeout=30)
    assert "evil" not in page.text and "evil" not in str(page.headers)


def test_half_sent_requests_do_not_exhaust_the_page_servers_threads(chat_page, bot):
    """Slow loris: 200 requests that never finish their headers hold at most --max-threads (64) threads,
    each for the socket timeout (10 s); then the page is served again."""
    pid, port = bot.servers.processes["web"].pid, bot.web_port
    idle = thread_count(pid)
    stalled = half_sent_requests(port, 200)
    try:
        assert thread_count(pid) <= idle + 64
        started = time.monotonic()
        assert requests.get(chat_page, timeout=120).status_code == 200
        assert time.monotonic() - started < 60
        assert all(closed_by_server(conn, 15) for conn in stalled)
    finally:
        for conn in stalled:
            conn.close()
