"""rasa_sdk trackers and action runs for unit tests."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN = {"responses": {}, "slots": {"last_topic": {"type": "text"}}}


def make_tracker(
    text: str, intent: str | None, confidence: float = 0.95, channel: str = "rest",
    ranking: list[tuple[str, float]] | None = None,
) -> Tracker:
    """A tracker whose latest message is `text`; `ranking`: the NLU's intent ranking (name, confidence)."""
    return Tracker(
        sender_id="test-user",
        slots={"last_topic": None},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking or []],
            "entities": [],
        },
        events=[{"event": "user", "text": text, "input_channel": channel, "parse_data": {}}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher, events
