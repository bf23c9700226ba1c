"""Patch: a custom action that fails or is slow answers an apology within ACTION_TIMEOUT seconds."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from backoffice_career.names import ACTION_ERASE_MY_DATA, UTTER_ACTION_UNAVAILABLE
from backoffice_career.settings import DEFAULT_ACTION_TIMEOUT, load_settings
from rasa_server.patches.guard import Replacement, rasa_patch

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_ACTION_TIMEOUT", "action_timeout", "install"]

ACTION_UNAVAILABLE_RESPONSE = UTTER_ACTION_UNAVAILABLE

# Erasure deletes rows on the action server: cut short, the Rasa server would write the erased
# conversation back, so it gets more time.
ACTION_TIMEOUT_OVERRIDES = {ACTION_ERASE_MY_DATA: 10.0}


def action_timeout() -> float:
    """ACTION_TIMEOUT: seconds; a value that is not a positive number gives the default (1.5 s)."""
    return load_settings().action_timeout


def timed_run(original_run: Callable[..., Any], action_module: Any, seconds: float) -> Callable[..., Any]:
    """RemoteAction.run with a timeout, and the apology instead of an exception."""

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        timeout = max(seconds, ACTION_TIMEOUT_OVERRIDES.get(self.name(), 0.0))
        try:
            return await asyncio.wait_for(original_run(self, output_channel, nlg, tracker, domain), timeout)
        except (action_module.ActionExecutionRejection, asyncio.CancelledError):
            raise  # a form's rejection is Rasa's normal flow
        except asyncio.TimeoutError:
            logger.error("custom action %s: no answer from the action server within %.1f s", self.name(), timeout)
        except Exception as exc:  # noqa: BLE001 - any failure gets the apology
            logger.error("custom action %s failed: %s", self.name(), exc)
        apology = await nlg.generate(ACTION_UNAVAILABLE_RESPONSE, tracker, output_channel.name())
        if not apology:
            return []
        return [action_module.create_bot_utterance(apology)]

    return run


@rasa_patch(written_for="3.6.21")
def install() -> list[Replacement]:
    """RemoteAction.run: ACTION_TIMEOUT seconds (1.5 s) for the action server, then `utter_action_unavailable`.

    Rasa 3.6 waits up to 300 s for the action server, and when it fails (stopped, frozen, error)
    the message ends in an exception: the user hears nothing. Here a failed or slow custom action
    answers the French apology of domain.yml in time, and the next message tries the action server
    again. The erasure action gets 10 s (ACTION_TIMEOUT_OVERRIDES).
    """
    from rasa.core.actions import action as action_module

    run = timed_run(action_module.RemoteAction.run, action_module, action_timeout())
    return [(action_module.RemoteAction, "run", run)]
