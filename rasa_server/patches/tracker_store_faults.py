"""Patch: a tracker store that fails makes the message fail, instead of a silent in-memory fallback."""
from __future__ import annotations

from typing import Any

from rasa_server.patches.guard import Replacement, rasa_patch


async def retrieve(self: Any, sender_id: str) -> Any | None:
    return await self._tracker_store.retrieve(sender_id)


async def retrieve_full_tracker(self: Any, sender_id: str) -> Any | None:
    return await self._tracker_store.retrieve_full_tracker(sender_id)


async def save(self: Any, tracker: Any) -> None:
    await self._tracker_store.save(tracker)


@rasa_patch(written_for="3.6.21")
def install() -> list[Replacement]:
    """FailSafeTrackerStore.retrieve / retrieve_full_tracker / save: the primary store's error goes up.

    Rasa 3.6 wraps every tracker store in FailSafeTrackerStore, which logs any error of the
    database and carries on with an in-memory store: the user talks on in an empty conversation
    that is never stored, with no sign that anything went wrong. Without the fallback the error
    reaches the message handling, where fault_apology answers `utter_technical_problem`; the
    conversation goes on from the database once it is back.
    """
    from rasa.core.tracker_store import FailSafeTrackerStore

    return [
        (FailSafeTrackerStore, "retrieve", retrieve),
        (FailSafeTrackerStore, "retrieve_full_tracker", retrieve_full_tracker),
        (FailSafeTrackerStore, "save", save),
    ]
