"""rasa_server/patches/action_result_validation.py: a validator built once, with Rasa's verdicts."""
from __future__ import annotations

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_server.patches import action_result_validation


@pytest.fixture
def action():
    action_result_validation.install()
    return RemoteAction("action_answer_topic", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_valid_action_responses_pass(action):
    assert action._validate_action_result(
        {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "ok"}]}
    )
    assert action._validate_action_result({})


@pytest.mark.parametrize("bad", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": 3}])
def test_invalid_action_responses_still_fail(action, bad):
    with pytest.raises(ValidationError):
        action._validate_action_result(bad)


def test_the_schema_is_not_checked_again_for_each_response(action, monkeypatch):
    """Rasa's own method calls jsonschema.validate, which re-checks the whole schema on every call."""

    def per_call_check(*_args, **_kwargs):
        raise AssertionError("Rasa's jsonschema.validate on every action response is back")

    monkeypatch.setattr(jsonschema, "validate", per_call_check)
    assert action._validate_action_result({"events": [], "responses": [{"text": "ok"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "nope"})
