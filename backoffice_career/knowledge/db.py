"""Knowledge-base models and the engine factory (SQLAlchemy 1.4, 2.0 style)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, declarative_base, relationship

logger = logging.getLogger(__name__)

Base: Any = declarative_base()  # untyped: SQLAlchemy 1.4 ships no type information

ORIGIN_FILE = "file"
ORIGIN_HR = "hr"

REVIEW_OPEN = "open"
REVIEW_ANSWERED = "answered"
REVIEW_DISMISSED = "dismissed"

DELIVERY_PENDING = "pending"  # waiting for the visitor (widget, REST) or for a retry (Slack)
DELIVERY_DONE = "delivered"
DELIVERY_FAILED = "failed"  # Slack refused or unreachable: kept for retry
DELIVERY_NONE = "none"  # nowhere to deliver (unknown channel, erased sender)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Document(Base):
    __tablename__ = "kb_document"

    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False, unique=True)
    title = Column(String(500), nullable=False)
    origin = Column(String(20), nullable=False, default=ORIGIN_FILE)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    passages = relationship(
        "Passage", back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )


class Topic(Base):
    __tablename__ = "kb_topic"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    intent = Column(String(100), nullable=True, unique=True)
    label = Column(String(500), nullable=False)


class Passage(Base):
    __tablename__ = "kb_passage"

    id = Column(Integer, primary_key=True)
    document_id = Column(
        Integer, ForeignKey("kb_document.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = Column(Integer, nullable=False)  # order within the document, from 1
    paragraph = Column(Integer, nullable=False)  # paragraph number, from 1
    sentence_start = Column(Integer, nullable=False)  # sentence numbers within the paragraph
    sentence_end = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    lemmas = Column(Text, nullable=False)  # normalised lemmas, space-separated
    # The heading path above the passage, joined by the KB config's section_path_separator ("" or
    # NULL: none). Nullable, so that _add_missing_columns adds it to a database built before it.
    section = Column(Text, nullable=True)

    document = relationship("Document", back_populates="passages")
    topics = relationship(
        "PassageTopic", back_populates="passage", cascade="all, delete-orphan", passive_deletes=True
    )


class PassageTopic(Base):
    __tablename__ = "kb_passage_topic"

    passage_id = Column(
        Integer, ForeignKey("kb_passage.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id = Column(Integer, ForeignKey("kb_topic.id", ondelete="CASCADE"), primary_key=True)
    weight = Column(Float, nullable=False)

    passage = relationship("Passage", back_populates="topics")
    topic = relationship("Topic")


class AdviceStep(Base):
    """A step of the personal plan, with the profile conditions under which it applies."""

    __tablename__ = "kb_advice_step"

    id = Column(Integer, primary_key=True)
    key = Column(String(100), nullable=False, unique=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    conditions = Column(Text, nullable=False)  # JSON

    citations = relationship(
        "AdviceCitation", back_populates="step", cascade="all, delete-orphan", passive_deletes=True
    )


class AdviceCitation(Base):
    __tablename__ = "kb_advice_citation"

    step_id = Column(Integer, ForeignKey("kb_advice_step.id", ondelete="CASCADE"), primary_key=True)
    passage_id = Column(Integer, ForeignKey("kb_passage.id", ondelete="CASCADE"), primary_key=True)

    step = relationship("AdviceStep", back_populates="citations")


class Meta(Base):
    __tablename__ = "kb_meta"

    key = Column(String(50), primary_key=True)
    value = Column(String(255), nullable=False)


class ReviewItem(Base):
    """A question the bot could not answer, kept for HR."""

    __tablename__ = "kb_review_item"

    id = Column(Integer, primary_key=True)
    question = Column(Text, nullable=False)
    asked_at = Column(DateTime, nullable=False, default=utcnow)
    sender_id = Column(String(255), nullable=True)
    channel = Column(String(100), nullable=True)
    intent = Column(String(100), nullable=True)
    confidence = Column(Float, nullable=True)
    status = Column(String(20), nullable=False, default=REVIEW_OPEN)
    resolved_at = Column(DateTime, nullable=True)
    # The HR answer (a document of origin "hr") written for this question, if any.
    document_id = Column(Integer, ForeignKey("kb_document.id", ondelete="SET NULL"), nullable=True)
    # Where HR's answer goes back (review/delivery.py): the Slack channel id and thread ts of the
    # question; the delivery's state (DELIVERY_*), time and last error. Nullable: added to old databases.
    reply_channel = Column(String(100), nullable=True)
    reply_thread = Column(String(100), nullable=True)
    delivery = Column(String(20), nullable=True)
    delivered_at = Column(DateTime, nullable=True)
    delivery_error = Column(Text, nullable=True)


REVISION_KEY = "revision"


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Build an engine for `url`; SQLite files get their folder and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    _add_missing_columns(engine)


def upgrade_schema(engine: Engine) -> None:
    """Adds the new nullable columns to the tables of an existing database (no table is created);
    a database that cannot be reached is left to fail on first use."""
    try:
        _add_missing_columns(engine, only_existing=True)
    except SQLAlchemyError as exc:
        logger.warning("knowledge base schema not upgraded: %s", exc)


def _add_missing_columns(engine: Engine, only_existing: bool = False) -> None:
    """Adds nullable columns that a database built by an older version lacks."""
    inspector = inspect(engine)
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if only_existing and not inspector.has_table(table.name):
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    connection.execute(
                        text(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}")
                    )


def passage_count(engine: Engine) -> int:
    """Number of passages in the database, without reading them (the launcher's check before it starts)."""
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Passage)) or 0)


def read_revision(session: Session) -> str | None:
    revision: str | None = session.scalar(select(Meta.value).where(Meta.key == REVISION_KEY))
    return revision


def current_revision(engine: Engine) -> str | None:
    """read_revision on a connection of its own, without an ORM session (checked on every question)."""
    with engine.connect() as connection:
        revision: str | None = connection.scalar(select(Meta.value).where(Meta.key == REVISION_KEY))
    return revision


def bump_revision(session: Session) -> str:
    """Mark the knowledge base as changed, so that searchers reload it."""
    meta = session.get(Meta, REVISION_KEY)
    if meta is None:
        meta = Meta(key=REVISION_KEY, value="0")
        session.add(meta)
    revision = str(int(meta.value) + 1)
    meta.value = revision
    return revision
