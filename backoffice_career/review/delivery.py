"""HR's answer back to the person who asked (issue 15).

When HR answers a review item, `deliver_answer` sends the answer where the question came from:
- Slack: posted in the question's thread (`reply_channel`/`reply_thread` of the item) through Slack's Web API
  (SLACK_TOKEN, SLACK_API_URL). A failure is logged and kept (delivery "failed") for `retry_failed`.
- the widget ("socketio") and REST: kept as a pending notice for the sender; the channel hands it over when the
  visitor comes back (`take_pending_notices`, once).
The text is domain.yml's `utter_hr_answer_notice` with the question, the answer and its citation.

Usage (console, CLI): `document_id, delivery = answer_and_deliver(kb, item_id, answer)`, or
`deliver_answer(kb.engine, kb.config, item_id)` for an item already answered. Neither raises on a delivery failure.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import (
    DELIVERY_DONE,
    DELIVERY_FAILED,
    DELIVERY_NONE,
    DELIVERY_PENDING,
    REVIEW_ANSWERED,
    Passage,
    ReviewItem,
    make_engine,
    upgrade_schema,
    utcnow,
)
from backoffice_career.knowledge.text import KbConfig, load_kb_config
from backoffice_career.names import UTTER_HR_ANSWER_NOTICE
from backoffice_career.privacy.cleaning import clean_text
from backoffice_career.resources import load_yaml
from backoffice_career.settings import ROOT, Settings, load_settings

logger = logging.getLogger(__name__)

DOMAIN_FILE = ROOT / "domain.yml"
SLACK = "slack"
LATER_CHANNELS = ("socketio", "rest")  # the visitor gets the notice when they come back
ERROR_CHARS = 500

# Posts `text` in a Slack channel (and thread); raises on failure.
SlackPoster = Callable[[str, "str | None", str], None]


@dataclass(frozen=True)
class Delivery:
    item_id: int
    status: str  # DELIVERY_* of knowledge/db.py
    error: str | None = None


def notice_text(question: str, answer: str, source: str) -> str:
    """domain.yml's utter_hr_answer_notice, filled in."""
    template: str = load_yaml(DOMAIN_FILE)["responses"][UTTER_HR_ANSWER_NOTICE][0]["text"]
    return template.format(question=question, answer=answer, source=source)


def slack_poster(settings: Settings | None = None) -> SlackPoster:
    """Posts through Slack's Web API at SLACK_API_URL with SLACK_TOKEN (slack_sdk)."""
    from slack_sdk import WebClient

    settings = settings or load_settings()
    if not settings.slack_token:
        raise RuntimeError("SLACK_TOKEN is not set")
    client = WebClient(token=settings.slack_token, base_url=settings.slack_api_url, timeout=15)

    def post(channel: str, thread: str | None, text: str) -> None:
        client.chat_postMessage(channel=channel, thread_ts=thread, text=text)

    return post


def _answer_text(session: Session, item: ReviewItem) -> str:
    texts = session.scalars(
        select(Passage.text).where(Passage.document_id == item.document_id).order_by(Passage.position)
    ).all()
    return "\n".join(texts)


def _render(session: Session, config: KbConfig, item: ReviewItem) -> str:
    source = config.hr_citation_format.format(number=item.document_id)
    return notice_text(clean_text(item.question), _answer_text(session, item), source)


def _mark(session: Session, item: ReviewItem, status: str, error: str | None = None) -> None:
    item.delivery, item.delivery_error = status, error[:ERROR_CHARS] if error else None
    item.delivered_at = utcnow() if status == DELIVERY_DONE else None


def deliver_answer(
    engine: Engine, config: KbConfig, item_id: int, poster: SlackPoster | None = None,
    settings: Settings | None = None,
) -> Delivery:
    """Delivers the answer of an answered item; never raises for Slack or database failures.

    Slack: posted now ("delivered", or "failed" with the error, kept for retry_failed). Widget/REST: "pending"
    until the visitor comes back. Other channels, or no answer yet: "none".
    """
    try:
        with Session(engine) as session, session.begin():
            item = session.get(ReviewItem, item_id)
            if item is None or item.status != REVIEW_ANSWERED or item.document_id is None:
                return Delivery(item_id, DELIVERY_NONE, "not an answered review item")
            if item.delivery == DELIVERY_DONE:
                return Delivery(item_id, DELIVERY_DONE)
            if item.channel in LATER_CHANNELS and item.sender_id:
                _mark(session, item, DELIVERY_PENDING)
                return Delivery(item_id, DELIVERY_PENDING)
            if item.channel != SLACK or not item.reply_channel:
                _mark(session, item, DELIVERY_NONE)
                return Delivery(item_id, DELIVERY_NONE)
            text = _render(session, config, item)
            try:
                (poster or slack_poster(settings))(item.reply_channel, item.reply_thread, text)
            except Exception as exc:  # noqa: BLE001 - Slack down, refused, misconfigured: kept for retry
                error = f"{type(exc).__name__}: {exc}"
                logger.error("review item #%s: Slack delivery failed (%s); kept for retry", item_id, error)
                _mark(session, item, DELIVERY_FAILED, error)
                return Delivery(item_id, DELIVERY_FAILED, error)
            _mark(session, item, DELIVERY_DONE)
            return Delivery(item_id, DELIVERY_DONE)
    except SQLAlchemyError as exc:
        logger.exception("review item #%s: delivery not recorded", item_id)
        return Delivery(item_id, DELIVERY_FAILED, f"database: {type(exc).__name__}")


def answer_and_deliver(
    kb: KnowledgeBase, item_id: int, answer: str, poster: SlackPoster | None = None,
    settings: Settings | None = None,
) -> tuple[int, Delivery]:
    """HR answers an item (ReviewError/KnowledgeBaseUnavailable as answer_review_item), then delivers it."""
    document_id = kb.answer_review_item(item_id, answer)
    return document_id, deliver_answer(kb.engine, kb.config, item_id, poster, settings)


def retry_failed(
    engine: Engine, config: KbConfig, poster: SlackPoster | None = None, settings: Settings | None = None
) -> list[Delivery]:
    """Tries the failed Slack deliveries again (cron, console)."""
    with Session(engine) as session:
        ids = list(session.scalars(select(ReviewItem.id).where(ReviewItem.delivery == DELIVERY_FAILED)))
    return [deliver_answer(engine, config, item_id, poster, settings) for item_id in ids]


def take_pending_notices(engine: Engine, config: KbConfig, sender_id: str) -> list[str]:
    """The notices waiting for `sender_id`, oldest first, each marked delivered so that it is shown once
    (even with several workers: a notice is taken by the one whose update changes its row)."""
    taken = []
    with Session(engine) as session, session.begin():
        items = session.scalars(
            select(ReviewItem)
            .where(ReviewItem.sender_id == sender_id, ReviewItem.delivery == DELIVERY_PENDING)
            .order_by(ReviewItem.id)
        ).all()
        for item in items:
            claimed = session.execute(
                update(ReviewItem)
                .where(ReviewItem.id == item.id, ReviewItem.delivery == DELIVERY_PENDING)
                .values(delivery=DELIVERY_DONE, delivered_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                taken.append(_render(session, config, item))
    return taken


@lru_cache(maxsize=4)
def _store(url: str, config_path: str) -> tuple[Engine, KbConfig]:
    engine = make_engine(url)
    upgrade_schema(engine)
    return engine, load_kb_config(Path(config_path))


def notices_for(sender_id: str, settings: Settings | None = None) -> list[str]:
    """take_pending_notices on the knowledge base of the settings, for the channels; [] when it fails."""
    settings = settings or load_settings()
    try:
        engine, config = _store(settings.kb_database_url, str(settings.kb_config))
        return take_pending_notices(engine, config, sender_id)
    except Exception:  # noqa: BLE001 - a notice must never break the conversation
        logger.exception("pending HR answers of a visitor not read")
        return []
