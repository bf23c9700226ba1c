"""Buttons offered with the honest "no answer": sections of the HR documents near the question, each read with
one click ('/ask_section{"passage_id": 12}'). The payload is the user's to forge: ids are checked on the way in."""
from __future__ import annotations

import json
from typing import Any

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.index import Hit
from backoffice_career.names import ENTITY_PASSAGE_ID, INTENT_ASK_SECTION
from backoffice_career.settings import Settings

MAX_BUTTON_TITLE = 60  # characters (Slack's buttons show 75)
MAX_PASSAGE_ID = 2**31 - 1  # beyond, an id no database row has


def suggestion_buttons(kb: KnowledgeBase, text: str, settings: Settings) -> tuple[dict[str, str], ...]:
    """Buttons for the sections of the HR documents closest to `text`: one click reads the section, the
    person judges; the bot still says it has no sure answer."""
    hits = kb.section_suggestions(text, settings.second_chance_lexical_weight, settings.suggestion_min_score,
                                  settings.max_suggestions)
    return tuple({"title": button_title(hit), "payload": section_payload(hit.passage_id)} for hit in hits)


def section_payload(passage_id: int) -> str:
    """A suggestion button's payload: the intent and the passage's id, as Rasa reads '/intent{"entity": value}'."""
    return f"/{INTENT_ASK_SECTION}{json.dumps({ENTITY_PASSAGE_ID: passage_id})}"


def button_title(hit: Hit) -> str:
    """The section's heading (its last level), else the document's title, short enough for a button."""
    title = (hit.section.split(">")[-1].strip() if hit.section else "") or hit.title
    return title if len(title) <= MAX_BUTTON_TITLE else title[: MAX_BUTTON_TITLE - 1].rstrip() + "…"


def passage_number(value: Any) -> int | None:
    """A passage id from an entity value: a non-negative integer, or its digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        number = int(value.strip())
    else:
        return None
    return number if 0 <= number <= MAX_PASSAGE_ID else None
