"""GDPR end to end: masked storage, right to erasure with a French confirmation."""
from __future__ import annotations

from sqlalchemy import text

from rasa_server.channels.identity import REST, conversation_id
from tests.helpers.responses import response_text

SENDER = "e2e-erase"
PERSONAL = ("06 12 34 56 78", "0612345678", "lea.martin@exemple.fr", "+33 7 11 22 33 44")


def rows_of(bot, sender):
    sender = conversation_id(REST, sender)  # the conversation of a REST sender
    counts = {}
    with bot.conversations.engine.connect() as connection:
        counts["events"] = connection.execute(
            text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}
        ).scalar()
    counts["kb_review_item"] = len([i for i in bot.kb.review_items() if i.sender_id == sender])
    return counts


def stored_text(bot, sender):
    sender = conversation_id(REST, sender)
    with bot.conversations.engine.connect() as connection:
        return " ".join(
            r[0] for r in connection.execute(text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender})
        )


def test_personal_data_is_masked_in_every_store(bot):
    bot.texts("bonjour, je suis léa, mon mail est lea.martin@exemple.fr", SENDER + "-mask")
    bot.texts(
        "quel est le salaire en back office ? rappelez moi au 06 12 34 56 78 ou au +33 7 11 22 33 44", SENDER + "-mask"
    )
    stored = stored_text(bot, SENDER + "-mask")
    assert "masqu" in stored  # JSON-escaped "[téléphone masqué]"
    assert not any(p in stored for p in PERSONAL)
    items = [i for i in bot.kb.open_review_items() if i.sender_id == conversation_id(REST, SENDER + "-mask")]
    # Whatever the NLU made of the first message, no queued question holds personal data.
    assert items and not any(p in i.question for i in items for p in PERSONAL)
    [salary] = [i for i in items if "salaire" in i.question]
    assert "[téléphone masqué]" in salary.question


def test_erasure_asks_for_confirmation_then_deletes_everything(bot, domain):
    bot.texts("bonjour", SENDER)
    bot.texts("c'est combien le salaire d'un gestionnaire back office ?", SENDER)
    assert rows_of(bot, SENDER)["kb_review_item"] == 1
    # The user asks, then says no: nothing is deleted.
    [ask] = bot.replies("supprime mes données", SENDER)
    assert ask["text"] == response_text(domain, "utter_ask_erasure_confirm")
    assert [(b["title"], b["payload"]) for b in ask["buttons"]] == [("Oui", "/affirm"), ("Non", "/deny")]
    assert bot.texts("non", SENDER) == [response_text(domain, "utter_erasure_cancelled")]
    kept = rows_of(bot, SENDER)
    assert kept["events"] > 0 and kept["kb_review_item"] == 1
    # The user asks again and presses "Oui".
    assert bot.texts("oublie-moi", SENDER) == [response_text(domain, "utter_ask_erasure_confirm")]
    assert bot.texts("/affirm", SENDER) == [response_text(domain, "utter_erasure_done")]
    assert rows_of(bot, SENDER) == {"events": 0, "kb_review_item": 0}
    # A new message starts a new, empty conversation.
    assert bot.texts("bonjour", SENDER) == [response_text(domain, "utter_greet")]
    assert "salaire" not in stored_text(bot, SENDER)
    assert [e["text"] for e in bot.tracker(SENDER)["events"] if e["event"] == "user"] == ["bonjour"]


def test_typed_yes_confirms_too(bot, domain):
    sender = SENDER + "-typed"
    bot.texts("faut il maitriser excel ?", sender)
    bot.texts("efface mes données", sender)
    assert bot.texts("oui", sender) == [response_text(domain, "utter_erasure_done")]
    assert rows_of(bot, sender) == {"events": 0, "kb_review_item": 0}
