"""rasa_server/patches/fault_apology.py: a message that cannot be handled gets the apology, not silence."""
from __future__ import annotations

import logging

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore

from rasa_server.patches import fault_apology, install_all


def apology(domain):
    return domain.responses["utter_technical_problem"][0]["text"]


async def test_a_database_down_gets_the_apology_through_the_channel(
    unreachable_sql_store, new_processor, rasa_domain, caplog
):
    """Rasa's own handle_message raises the database error to the channel."""
    fault_apology.install()
    processor = new_processor(rasa_domain, unreachable_sql_store)
    with caplog.at_level(logging.ERROR):
        answer = await processor.handle_message(UserMessage("bonjour", CollectingOutputChannel(), "u1"))
    assert answer == [{"recipient_id": "u1", "text": apology(rasa_domain)}]
    assert "could not be handled" in caplog.text


async def test_with_every_patch_a_tracker_store_down_reaches_the_user(
    unreachable_sql_store, new_processor, rasa_domain
):
    """As the Rasa server runs: the store wrapped by Rasa's FailSafeTrackerStore, messages through the gate."""
    install_all()
    processor = new_processor(rasa_domain, FailSafeTrackerStore(unreachable_sql_store))
    for sender in ("u1", "u2"):
        answer = await processor.handle_message(UserMessage("bonjour", CollectingOutputChannel(), sender))
        assert answer == [{"recipient_id": sender, "text": apology(rasa_domain)}]
