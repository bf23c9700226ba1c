"""addons/resilience.py: the patched Rasa pieces keep Rasa's contract."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from addons import resilience


@pytest.fixture(scope="module")
def action():
    resilience.install()
    return RemoteAction("action_answer_topic", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_valid_action_responses_pass(action):
    assert action._validate_action_result({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "ok"}]})
    assert action._validate_action_result({})


@pytest.mark.parametrize("bad", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": 3}])
def test_invalid_action_responses_still_fail(action, bad):
    with pytest.raises(ValidationError):
        action._validate_action_result(bad)


def test_action_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT", "0.7")
    assert resilience.action_timeout() == 0.7
    for bad in ("abc", "-1", "0"):
        monkeypatch.setenv("ACTION_TIMEOUT", bad)
        assert resilience.action_timeout() == resilience.DEFAULT_ACTION_TIMEOUT


def test_the_launcher_adds_the_configured_cors_origins(monkeypatch):
    from addons.server import with_cors

    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert with_cors(["run", "--port", "5005"]) == ["run", "--port", "5005", "--cors", "https://a.example", "https://b.example"]
    assert with_cors(["run", "--cors", "https://c.example"]) == ["run", "--cors", "https://c.example"]
    assert with_cors(["run", "actions", "--port", "5055"]) == ["run", "actions", "--port", "5055"]
    assert with_cors(["train"]) == ["train"]
