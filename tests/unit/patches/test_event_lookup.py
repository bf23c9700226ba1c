"""rasa_server/patches/event_lookup.py: event classes found in a table, as Rasa finds them."""
from __future__ import annotations

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from rasa_server.patches import event_lookup


def test_event_classes_are_found_as_rasa_finds_them():
    classes = all_subclasses(Event)
    # Rasa's own rule: the first subclass with that type name.
    expected = {c.type_name: next(k for k in classes if k.type_name == c.type_name) for c in classes}
    names = set(expected)
    event_lookup.install()
    event_lookup.install()  # idempotent
    assert Event.resolve_by_type.table
    assert {name: Event.resolve_by_type(name) for name in names} == expected
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=Event) is Event
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "x", "value": 1}).value == 1


def test_a_stored_conversation_is_read_without_walking_every_event_class(monkeypatch):
    event_lookup.install()

    def walk(_cls):
        raise AssertionError("Rasa's walk of every Event subclass, for each event read, is back")

    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", walk)
    rows = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "bonjour", "parse_data": {"intent": {"name": "greet", "confidence": 0.9}}},
        {"event": "slot", "name": "x", "value": 1},
    ]
    tracker = DialogueStateTracker.from_dict("u1", rows)  # as a tracker store rebuilds a conversation
    assert [type(e) for e in tracker.events] == [ActionExecuted, UserUttered, SlotSet]
